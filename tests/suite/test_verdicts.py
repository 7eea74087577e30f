"""A verdict a vendor can act on: a failed expectation says what Entra will do in production and the source
(and, where the RFC allows the answer, that the requirement is Entra's), in the failure, JUnit, summary.md and
Allure alike; and every expectation about the service has one."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest

from scim_harness.emulator.config import EmulatorConfig
from scim_harness.emulator.defects import DefectSwitches
from scim_harness.emulator.server import EmulatorServer
from scim_harness.reporting.summary import read_junit, render_summary
from scim_harness.reporting.verdicts import PROPERTY, Unmet, explain, verdict, verdict_of
from scim_harness.steps import entra_wire_steps, groups_steps, scim_steps, service_steps

# Then-steps that check Entra ID's own requests (guards that a scenario tested what it says), not the service.
GUARDS = {
    "read_before_delete",
    "user_patch_forms",
    "created_with_items",
    "restart_went_through",
    "member_form",
}


def _then_steps(module: ModuleType) -> list:
    found = []
    for name, function in inspect.getmembers(module, inspect.isfunction):
        source = inspect.getsource(function) if function.__module__ == module.__name__ else ""
        if source.lstrip().startswith("@then("):
            found.append((name, function))
    return found


@pytest.mark.parametrize("module", [scim_steps, groups_steps, service_steps, entra_wire_steps])
def test_every_expectation_about_the_service_has_a_verdict(module: ModuleType) -> None:
    steps = _then_steps(module)
    assert steps
    missing = [name for name, function in steps if name not in GUARDS and verdict_of(function) is None]
    assert not missing, f"then-steps without a verdict: {missing}"


@verdict(entra="logs the failure", source="RFC 7644 §3.12", rfc="RFC 7644 allows it")
def _marked() -> None:
    """A then-step stand-in."""


def test_a_failure_carries_its_verdict_in_the_message_and_the_junit_property() -> None:
    item = SimpleNamespace(user_properties=[])
    failure = AssertionError("the answer was 500\nassert False")

    explain(item, _marked, failure)  # type: ignore[arg-type]

    text = str(failure)
    assert text.startswith("the answer was 500")
    assert "In production, Entra: logs the failure. Source: RFC 7644 §3.12." in text
    assert "Entra's requirement, not the RFC's: RFC 7644 allows it." in text
    assert item.user_properties == [(PROPERTY, text.split("\n", 2)[-1])]


def test_a_failure_with_its_own_verdict_wins_over_the_steps() -> None:
    item = SimpleNamespace(user_properties=[])
    failure = Unmet("the group was never created", entra="never creates the group", source="D-SCIM §7")

    explain(item, _marked, failure)  # type: ignore[arg-type]

    assert "never creates the group" in str(failure) and "logs the failure" not in str(failure)


def test_a_step_without_a_verdict_leaves_the_failure_as_it_is() -> None:
    item = SimpleNamespace(user_properties=[])
    failure = AssertionError("plain")

    explain(item, test_a_step_without_a_verdict_leaves_the_failure_as_it_is, failure)  # type: ignore[arg-type]

    assert str(failure) == "plain" and not item.user_properties


JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" time="3.0">
 <properties><property name="time_budget_used_up" value="true"/></properties>
 <testcase classname="Paging" name="Pages [legacy]" time="1">
  <properties><property name="feature" value="Paging"/><property name="scenario" value="Pages [legacy]"/>
   <property name="verdict" value="In production, Entra: misses users. Source: D-DISCOVER."/>
   <property name="timed_out" value="GET /Users?startIndex=1 (no answer within 1 s)"/></properties>
  <failure message="AssertionError: paging: count was not honoured">trace</failure>
 </testcase>
 <testcase classname="Paging" name="Later [legacy]" time="0">
  <skipped message="not run: the run's time budget was used up (--time-budget)"/>
 </testcase>
</testsuite></testsuites>
"""


def test_the_summary_shows_verdicts_calls_without_an_answer_and_the_budget(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    junit.write_text(JUNIT, encoding="utf-8")

    text = render_summary(read_junit(junit), target="scim", dialect="legacy")

    assert "conformance: TIME BUDGET USED UP" in text
    assert "**The run's time budget was used up**" in text
    assert "- Paging: Pages [legacy]: AssertionError: paging: count was not honoured\n" in text
    assert "  - In production, Entra: misses users. Source: D-DISCOVER.\n" in text
    assert "### Calls that got no answer in time (1)" in text
    assert "- Paging: Pages [legacy]: GET /Users?startIndex=1 (no answer within 1 s)" in text
    assert "not run: the run's time budget was used up" in text


@pytest.mark.slow
def test_a_vendor_run_reports_the_verdict_in_junit_summary_and_allure(tmp_path: Path) -> None:
    """A service that answers the value-filter replace with 400 noTarget (RFC-compliant, useless to Entra)."""
    token = "verdict-test-token"
    config = EmulatorConfig(
        profile="generic", seed_token=token, defects=DefectSwitches({"patch_value_filter_no_target"})
    )
    reports = tmp_path / "reports"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCIM_HARNESS_", "PYTEST_"))}
    with EmulatorServer(config) as server:
        command = [str(Path(sys.executable).parent / "scim-harness"), "run", "--target", "scim"]
        command += ["--url", server.scim_url, "--reports", str(reports), "--no-capture", "--no-preflight"]
        done = subprocess.run(
            [*command, "--", "-k", "filtered_path"],
            env={**env, "SCIM_HARNESS_TOKEN": token},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    assert done.returncode == 1, done.stderr[-2000:]
    needle = "Entra's requirement, not the RFC's: RFC 7644 §3.5.2 allows 400 noTarget"
    summary = (reports / "summary.md").read_text(encoding="utf-8")
    assert needle in summary and "In production, Entra: replaces emails" in summary
    cases = list(ET.parse(reports / "junit.xml").getroot().iter("testcase"))
    verdicts = [p.get("value") or "" for c in cases for p in c.iter("property") if p.get("name") == PROPERTY]
    assert verdicts and all(needle in v for v in verdicts)
    results = [json.loads(p.read_text()) for p in (reports / "allure-results").glob("*-result.json")]
    failed = [r for r in results if r.get("status") == "failed"]
    assert failed and all(needle in r["statusDetails"]["message"] for r in failed)
    attachments = [a["name"] for r in failed for s in r.get("steps", []) for a in s.get("attachments", [])]
    assert "What Entra will do" in attachments
