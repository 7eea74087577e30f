"""The CI job page: summary.md, then every JUnit test case in a table."""

from __future__ import annotations

from pathlib import Path

from scim_harness.reporting.job_summary import job_summary, main

JUNIT = """<testsuite tests="3">
<testcase classname="Login names" name="Rename is refused [legacy]" time="1.25">
 <failure message="AssertionError: renamed&#10;more">trace</failure></testcase>
<testcase classname="Tokens" name="A | token [legacy]" time="0.5"/>
<testcase classname="Tokens" name="Kintone only [legacy]" time="0">
 <skipped message="not applicable: a Kintone rule"/></testcase>
</testsuite>"""


def test_summary_then_every_test_case(tmp_path: Path) -> None:
    (tmp_path / "summary.md").write_text("## Kintone SCIM provisioning conformance: FAILED\n")
    (tmp_path / "junit.xml").write_text(JUNIT)
    text = job_summary(tmp_path)
    assert text.startswith("## Kintone SCIM provisioning conformance: FAILED\n")
    assert "<summary>JUnit: 3 test cases</summary>" in text
    assert "| Login names | Rename is refused [legacy] | ❌ failed | 1.2 s | AssertionError: renamed |" in text
    assert "| Tokens | A \\| token [legacy] | ✅ passed | 0.5 s |  |" in text
    assert "⏭️ skipped | 0.0 s | not applicable: a Kintone rule |" in text


def test_a_run_that_never_started_still_gets_a_page(tmp_path: Path, capsys) -> None:
    assert main([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "summary.md was written" in out and "No JUnit XML to show" in out
