"""Markdown summary from JUnit XML: counts, failed and skipped scenarios with their first line of reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from scim_harness.common.errors import HarnessError
from scim_harness.reporting import write_summary

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="6" time="12.5">
 <testcase classname="steps.test_users" name="test_adding">
  <properties><property name="feature" value="Adding a user"/>
  <property name="scenario" value="A user is added"/>
  </properties></testcase>
 <testcase classname="steps.test_users" name="test_rename">
  <properties><property name="feature" value="Login names"/>
  <property name="scenario" value="Rename is refused"/>
  </properties>
  <failure message="AssertionError: the target allowed a rename&#10;assert 200 == 400">trace</failure>
 </testcase>
 <testcase classname="steps.test_users" name="test_setup_broke"><error message="">ConnectionError: refused
more</error></testcase>
 <testcase classname="steps.test_admin" name="test_propagation">
  <skipped message="the kintone target cannot switch Propagate Provisioning because no API"/>
 </testcase>
 <testcase classname="steps.test_admin" name="test_kintone_only">
  <skipped message="Not applicable: a Kintone rule, the target is a SCIM vendor"/></testcase>
 <testcase classname="steps.test_users" name="test_plain"/>
</testsuite></testsuites>
"""


def test_counts_and_reasons(tmp_path: Path) -> None:
    (tmp_path / "junit.xml").write_text(JUNIT)
    text = write_summary(
        tmp_path / "junit.xml", tmp_path / "out" / "summary.md", target="kintone", dialect="legacy"
    )
    assert (tmp_path / "out" / "summary.md").read_text() == text
    assert text.splitlines()[0] == "## Kintone SCIM provisioning conformance: FAILED"
    assert "Target: `kintone`, dialect: `legacy`" in text
    assert "**2 passed, 2 failed, 1 skipped, 1 not applicable** (6 scenarios in 12.5 s)" in text
    assert "- Login names: Rename is refused: AssertionError: the target allowed a rename\n" in text
    assert (
        "- steps.test_users::test_setup_broke: error in set-up/tear-down: ConnectionError: refused\n" in text
    )
    assert "### Failed (2)\n" in text
    assert "### Skipped (1)\n\n- steps.test_admin::test_propagation: the kintone target cannot switch" in text
    assert (
        "### Not applicable (1)\n\n- steps.test_admin::test_kintone_only: Not applicable: a Kintone rule"
        in text
    )


REPEATED = """<testsuite tests="4" time="2">
{cases}
<testcase classname="Login names" name="Rename is refused [legacy]">
 <properties><property name="feature" value="Login names"/>
 <property name="scenario" value="Rename is refused [legacy]"/></properties>
 <failure message="AssertionError: renamed"/></testcase>
</testsuite>
"""
CASE = """<testcase classname="Tokens" name="{name}"><properties><property name="feature" value="Tokens"/>
<property name="scenario" value="{name}"/></properties>
<skipped message="not applicable: a Kintone rule"/></testcase>"""


def test_a_reason_shared_by_many_is_written_once_and_failures_name_their_dialect(tmp_path: Path) -> None:
    names = ["Valid token [legacy]", "Valid token [aadOptscim062020]", "Expired token [legacy]"]
    (tmp_path / "junit.xml").write_text(REPEATED.format(cases="\n".join(CASE.format(name=n) for n in names)))
    text = write_summary(tmp_path / "junit.xml", tmp_path / "summary.md", target="scim", dialect="both")
    assert text.count("not applicable: a Kintone rule") == 1
    assert (
        "### Not applicable (3)\n\nnot applicable: a Kintone rule (3):\n\n"
        "- Tokens: Valid token [legacy]\n- Tokens: Valid token [aadOptscim062020]\n"
        "- Tokens: Expired token [legacy]\n"
    ) in text
    assert "### Failed (1)\n\n- Login names: Rename is refused [legacy]: AssertionError: renamed\n" in text


def test_all_green_run(tmp_path: Path) -> None:
    (tmp_path / "junit.xml").write_text(
        '<testsuite tests="1" time="1"><testcase classname="a" name="test_ok"/></testsuite>'
    )
    text = write_summary(tmp_path / "junit.xml", tmp_path / "summary.md", target="emulator", dialect="x")
    assert text.splitlines()[0].endswith(": PASSED")
    assert "**1 passed, 0 failed, 0 skipped, 0 not applicable**" in text
    assert "###" not in text


@pytest.mark.parametrize(
    ("content", "message"), [(None, "no JUnit XML"), ("<testsuite", "cannot read JUnit XML")]
)
def test_missing_or_broken_junit_is_a_readable_error(
    tmp_path: Path, content: str | None, message: str
) -> None:
    if content is not None:
        (tmp_path / "junit.xml").write_text(content)
    with pytest.raises(HarnessError, match=message):
        write_summary(tmp_path / "junit.xml", tmp_path / "summary.md", target="t", dialect="d")
