"""Against a correct generic SCIM service (PyPI scim2-server), the vendor run fails only on the documented
Entra incompatibilities (docs/detection.md, "Against scim2-server"), each with its verdict; @kintone scenarios
are reported as not applicable."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from scim_harness.reporting.verdicts import PROPERTY
from scim_harness.selftest.outcomes import read_outcomes
from tests.suite.suite_runs import named, run_suite
from tests.third_party_scim import scim2_server

pytestmark = pytest.mark.slow  # runs the conformance suite itself

TOKEN = "scim2-server-test-token"
DIALECTS = ["legacy", "aadOptscim062020"]
DOCS = Path(__file__).resolve().parents[2] / "docs" / "detection.md"


@pytest.fixture(scope="module")
def scim2_url():
    with scim2_server(TOKEN) as url:
        yield url


def _env(url: str) -> dict[str, str]:
    return {"SCIM_HARNESS_TARGET": "scim", "SCIM_HARNESS_URL": url, "SCIM_HARNESS_TOKEN": TOKEN}


def documented_failures() -> set[str]:
    """The scenarios docs/detection.md lists as failing on scim2-server (first column of its table)."""
    text = DOCS.read_text(encoding="utf-8")
    table = text.split("<!-- scim2-server:begin -->")[1].split("<!-- scim2-server:end -->")[0]
    return set(re.findall(r"^\| `([^`]+)` \|", table, flags=re.M))


def test_the_vendor_run_fails_only_on_documented_entra_incompatibilities(scim2_url: str, tmp_path) -> None:
    env = {**_env(scim2_url), "SCIM_HARNESS_DIALECT": "both"}
    run_suite(tmp_path, env, markers="not kintone", timeout=900)
    outcomes = read_outcomes(tmp_path / "junit.xml", DIALECTS)

    failed = {o.scenario for o in outcomes if o.status == "failed"}
    assert failed == documented_failures()
    for dialect in DIALECTS:
        assert {o.scenario for o in outcomes if o.status == "failed" and o.dialect == dialect} == failed
    assert not [o for o in outcomes if o.status == "skipped"], "every vendor scenario applies to scim2-server"
    cases = ET.parse(tmp_path / "junit.xml").getroot().iter("testcase")
    failed_cases = [c for c in cases if c.find("failure") is not None]
    verdicts = {
        c.get("name"): [p.get("value") or "" for p in c.iter("property") if p.get("name") == PROPERTY]
        for c in failed_cases
    }
    unexplained = [name for name, found in verdicts.items() if not any("Source:" in v for v in found)]
    assert not unexplained, f"failures without a verdict: {unexplained}"


def test_kintone_scenarios_are_not_applicable(scim2_url: str, tmp_path) -> None:
    outcomes = run_suite(tmp_path, _env(scim2_url), markers="kintone")

    assert len(outcomes) >= 15
    assert named(outcomes, "skipped") == set(outcomes)
    assert all(o.message.startswith("not applicable: ") for o in outcomes.values())
