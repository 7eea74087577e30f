"""`scim-harness report` rebuilds the HTML and the summary from an earlier run's files."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from scim_harness.common.errors import HarnessError
from scim_harness.report_cli import report
from tests.reports.conftest import SampleRun


def test_rebuilds_html_and_summary_from_existing_results(sample_run: SampleRun, tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    shutil.copytree(sample_run.results, reports / "allure-results")
    shutil.copy(sample_run.junit, reports / "junit.xml")
    (reports / "allure-report").mkdir()
    (reports / "allure-report" / "keep.txt").write_text("mine")

    result = CliRunner().invoke(
        report, ["--results", str(reports / "allure-results"), "--out", str(reports / "allure-report")]
    )

    assert result.exit_code == 0, result.output
    assert (reports / "allure-report" / "index.html").stat().st_size > 100_000
    assert f"HTML report: {reports / 'allure-report' / 'index.html'}" in result.output
    assert "**2 passed, 1 failed, 0 skipped, 2 not applicable**" in result.output
    assert "Target: `sample`, dialect: `aadOptscim062020`" in (reports / "summary.md").read_text()
    # Only index.html is replaced; nothing else of the output directory is touched, no scratch space is left.
    assert sorted(p.name for p in (reports / "allure-report").iterdir()) == ["index.html", "keep.txt"]
    assert not [p for p in reports.iterdir() if p.name.startswith(".allure-")]


def test_missing_results_raise_a_harness_error_for_the_cli_to_print(tmp_path: Path) -> None:
    result = CliRunner().invoke(report, ["--results", str(tmp_path / "nope"), "--out", str(tmp_path / "out")])
    assert isinstance(result.exception, HarnessError)
    assert "no Allure results" in str(result.exception)
