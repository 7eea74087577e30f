"""`scim-harness run`: path problems in one line, pytest arguments after `--`, `--lf` from the reports'
own cache, progress lines in a log, Allure history across runs."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.run.conftest import scim_harness

pytestmark = pytest.mark.slow  # runs (parts of) the conformance suite

TOKEN_SCENARIOS = ["--", "-k", "succeeds_with_a_valid_api_token"]


def _cases(reports: Path) -> list[tuple[str, str]]:
    root = ET.parse(reports / "junit.xml").getroot()
    return [(case.get("classname", ""), case.get("name", "")) for case in root.iter("testcase")]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--reports", "/proc/forbidden"], "cannot write the reports to /proc/forbidden"),
        (["--history", "nowhere"], "no Allure history at nowhere"),
        (["--config", "missing.toml"], "configuration file not found: missing.toml"),
    ],
)
def test_a_path_problem_is_one_line(arguments: list[str], message: str, tmp_path: Path) -> None:
    done = scim_harness("run", *arguments, cwd=tmp_path)
    assert done.code == 2
    assert [line for line in done.output.splitlines() if line.strip()] == [
        f"error: {done.stderr.strip()[7:]}"
    ]
    assert message in done.stderr
    assert "Traceback" not in done.output


def test_a_reports_path_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file")
    done = scim_harness("run", "--reports", "taken", cwd=tmp_path)
    assert done.code == 2
    assert "cannot write the reports to taken" in done.stderr and "Traceback" not in done.output


def test_a_bad_pytest_argument_is_pytests_own_line(tmp_path: Path) -> None:
    done = scim_harness("run", "--reports", "r", "--", "--no-such-option", cwd=tmp_path)
    assert done.code == 2
    assert "unrecognized arguments: --no-such-option" in done.stderr
    assert "Traceback" not in done.output


def test_pytest_arguments_after_the_separator_select_scenarios(tmp_path: Path) -> None:
    done = scim_harness(
        "run", "--dialect", "both", "--reports", "r", "--no-capture", *TOKEN_SCENARIOS, cwd=tmp_path
    )
    assert done.code == 0, done.output
    assert sorted(_cases(tmp_path / "r")) == [
        ("API token for provisioning", "Test connection succeeds with a valid API token [aadOptscim062020]"),
        ("API token for provisioning", "Test connection succeeds with a valid API token [legacy]"),
    ]
    # No console is attached here: progress is plain lines, and the summary comes last on stdout.
    assert "scim-harness run: 2/2 scenarios (2 passed, 0 failed, 0 skipped)" in done.stderr
    assert done.stdout.startswith("## Kintone SCIM provisioning conformance: PASSED")


def test_last_failed_reruns_only_the_failures_with_the_cache_in_the_reports(tmp_path: Path) -> None:
    broken = {"SCIM_HARNESS_EMULATOR_RULES": "allow_login_name_change"}
    selection = ["--tags", "@kintone and not @needs-admin", "--no-capture"]
    first = scim_harness("run", "--reports", "r", *selection, cwd=tmp_path, env=broken)
    assert first.code == 1, first.output
    assert len(_cases(tmp_path / "r")) > 5

    again = scim_harness("run", "--reports", "r", *selection, "--", "--lf", cwd=tmp_path, env=broken)

    assert again.code == 1, again.output
    assert _cases(tmp_path / "r") == [
        (
            "Login names cannot be changed by provisioning",
            "A login name changed in Entra ID is not changed in Kintone",
        )
    ]
    # pytest's cache is the reports directory's own (not the installed package's, nor the checkout's).
    lastfailed = json.loads((tmp_path / "r" / ".pytest_cache" / "v" / "cache" / "lastfailed").read_text())
    assert [node.split("::")[-1] for node in lastfailed] == [
        "test_a_login_name_changed_in_entra_id_is_not_changed_in_kintone"
    ]
    assert "pytest's own output, with each failure in full" in again.stdout
    assert "AssertionError" in (tmp_path / "r" / "pytest-output.txt").read_text()


def test_runs_into_one_reports_directory_build_a_history(tmp_path: Path) -> None:
    for _ in range(2):
        done = scim_harness("run", "--reports", "r", "--no-capture", *TOKEN_SCENARIOS, cwd=tmp_path)
        assert done.code == 0, done.output
    assert (tmp_path / "r" / "allure-report" / "index.html").exists(), "Allure 3 (npm ci) makes the history"
    history = (tmp_path / "r" / "history.jsonl").read_text().splitlines()
    assert len(history) == 2
    assert all(json.loads(line)["testResults"] for line in history)

    elsewhere = scim_harness(
        "run", "--reports", "next", "--history", "r", "--no-capture", *TOKEN_SCENARIOS, cwd=tmp_path
    )
    assert elsewhere.code == 0, elsewhere.output
    assert len((tmp_path / "next" / "history.jsonl").read_text().splitlines()) == 3
    assert len((tmp_path / "r" / "history.jsonl").read_text().splitlines()) == 2, "the previous one is kept"
