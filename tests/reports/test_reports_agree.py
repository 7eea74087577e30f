"""One run, three reports that agree: a vendor's run (`--target scim`) with a broken rule (a failure),
the Kintone-only scenarios not applicable, both dialects. Allure as QA sees it (read in headless chromium,
every group of the tree opened), JUnit XML as CI servers read it, and summary.md name the same scenarios
with the same outcomes and counts."""

from __future__ import annotations

import json
import re
import uuid
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from scim_harness.emulator.config import EmulatorConfig
from scim_harness.emulator.rules import RuleSwitches
from scim_harness.emulator.server import EmulatorServer
from scim_harness.reporting import html_unavailable_reason
from tests.reports.chromium import ChromiumPage, chromium_binary
from tests.run.conftest import scim_harness

pytestmark = pytest.mark.slow  # runs part of the conformance suite, then a browser

BROKEN_FEATURE = "Finding a user by login name ignores case"
BROKEN_SCENARIO = "The userName filter finds a user whatever the case"  # case_sensitive_filter breaks it
DIALECTS = ("legacy", "aadOptscim062020")

# Opens every folded group of the report's tree, then reads each test: its feature (the group it is in),
# its name and its status icon. Plus the page's text (the header's counts).
READ_TREE = r"""
(async () => {
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  const any = '[data-testid="tree-section"], [data-testid="tree-leaf"]';
  for (let i = 0; i < 300 && !document.querySelector(any); i++) await sleep(100);
  for (let round = 0; round < 50; round++) {
    let clicked = 0;
    for (const section of document.querySelectorAll('[data-testid="tree-section"]')) {
      const next = section.nextElementSibling;
      if (next && next.dataset.testid === 'tree-content') continue;
      (section.querySelector('[data-testid="tree-arrow"]') || section).click();
      clicked++;
    }
    if (!clicked) break;
    await sleep(100);
  }
  const tests = [...document.querySelectorAll('[data-testid="tree-leaf"]')].map(leaf => {
    const group = leaf.closest('[data-testid="tree-content"]').previousElementSibling;
    const status = leaf.querySelector('[data-testid^="tree-leaf-status-"]');
    return [
      group.querySelector('[data-testid="tree-section-title"]').textContent.trim(),
      leaf.querySelector('[data-testid="tree-leaf-title"]').textContent.trim(),
      status.dataset.testid.replace('tree-leaf-status-', ''),
    ];
  });
  return {tests, text: document.body.innerText.replace(/\s+/g, ' ')};
})()
"""


@dataclass(frozen=True)
class VendorRun:
    reports: Path
    exit_code: int
    output: str


@pytest.fixture(scope="module")
def vendor_run(tmp_path_factory: pytest.TempPathFactory) -> VendorRun:
    if reason := html_unavailable_reason():
        pytest.fail(reason)
    root = tmp_path_factory.mktemp("vendor-run")
    token = f"vendor-{uuid.uuid4().hex}"
    config = EmulatorConfig(seed_token=token, rules=RuleSwitches(case_sensitive_filter=True))
    with EmulatorServer(config) as server:
        done = scim_harness(
            "run",
            "--target",
            "scim",
            "--url",
            server.scim_url,
            "--dialect",
            "both",
            "--tags",
            "@scim or @kintone",
            "--reports",
            str(root / "reports"),
            cwd=root,
            env={"SCIM_HARNESS_TOKEN": token},
        )
    return VendorRun(root / "reports", done.code, done.output)


def _junit(run: VendorRun) -> list[tuple[str, str, str]]:
    cases = []
    for case in ET.parse(run.reports / "junit.xml").getroot().iter("testcase"):
        status = "passed"
        for tag, meaning in (("failure", "failed"), ("error", "broken"), ("skipped", "skipped")):
            if case.find(tag) is not None:
                status = meaning
        cases.append((case.get("classname", ""), case.get("name", ""), status))
    return cases


def _allure_in_chromium(run: VendorRun) -> tuple[list[tuple[str, str, str]], str]:
    if chromium_binary() is None:
        pytest.fail("Debian's chromium is needed to read the report as QA does (apt-get install chromium)")
    with ChromiumPage((run.reports / "allure-report" / "index.html").as_uri()) as page:
        read = page.evaluate(READ_TREE)
    return [tuple(test) for test in read["tests"]], read["text"]


def _summary_section(summary: str, title: str) -> list[str]:
    match = re.search(rf"^### {title} \((\d+)\)\n(.*?)(?=^### |\Z)", summary, flags=re.M | re.S)
    if match is None:
        return []
    lines = [line[2:] for line in match.group(2).splitlines() if line.startswith("- ")]
    return lines


def test_allure_junit_and_the_summary_agree_on_every_count_and_name(vendor_run: VendorRun) -> None:
    assert vendor_run.exit_code == 1, vendor_run.output
    junit = _junit(vendor_run)
    allure, page_text = _allure_in_chromium(vendor_run)
    summary = (vendor_run.reports / "summary.md").read_text()

    # The run is the one the check needs: a failure, not-applicable scenarios, both dialects.
    counts = Counter(status for _, _, status in junit)
    assert counts["failed"] == 2 and counts["skipped"] > 10 and counts["passed"] > 10, counts
    assert all(name.endswith(tuple(f"[{d}]" for d in DIALECTS)) for _, name, _ in junit)
    assert len(set(junit)) == len(junit), "every scenario run has a name of its own"

    # Allure, read in the browser, holds exactly JUnit's test cases: feature, name and outcome.
    assert sorted(allure) == sorted(junit)
    header = (
        f"Total {len(junit)} Failed {counts['failed']} Passed {counts['passed']} Skipped {counts['skipped']}"
    )
    assert header in page_text, page_text[:800]
    assert "Retried" not in page_text and "Retries" not in page_text

    # summary.md: the same counts, and the same names for each failure and each skipped scenario.
    assert (
        f"**{counts['passed']} passed, {counts['failed']} failed, 0 skipped, "
        f"{counts['skipped']} not applicable** ({len(junit)} scenarios" in summary
    )
    failed = _summary_section(summary, "Failed")
    assert len(failed) == counts["failed"]
    assert sorted(line.split(": AssertionError")[0] for line in failed) == sorted(
        f"{feature}: {name}" for feature, name, status in junit if status == "failed"
    )
    assert sorted(_summary_section(summary, "Not applicable")) == sorted(
        f"{feature}: {name}" for feature, name, status in junit if status == "skipped"
    )
    assert summary.count("not applicable: @kintone scenarios") == 1, "a shared reason is written once"
    assert sorted(name for _, name, status in junit if status == "failed") == [
        f"{BROKEN_SCENARIO} [{dialect}]" for dialect in sorted(DIALECTS)
    ]


def test_a_failure_shows_the_assertion_the_step_and_its_exchange(vendor_run: VendorRun) -> None:
    results = [
        json.loads(p.read_text()) for p in (vendor_run.reports / "allure-results").glob("*-result.json")
    ]
    [failed] = [r for r in results if r["name"] == f"{BROKEN_SCENARIO} [legacy]"]
    details = failed["statusDetails"]
    assert details["message"].startswith("AssertionError")
    assert "Failing step" in details["trace"] and "Then exactly the user" in details["trace"]
    assert re.search(r"GET http://127\.0\.0\.1:\d+/scim/v2/Users\?filter=userName", details["trace"])
    assert "_pytest/fixtures.py" not in details["trace"] and "_pytest" not in details["trace"]
    [step] = [s for s in failed["steps"] if s["status"] == "failed"]
    assert "_pytest" not in step["statusDetails"]["trace"]
    for step in failed["steps"]:
        assert all(not p["value"].startswith(("'", "<", "ScenarioWorld")) for p in step.get("parameters", []))
    junit = (vendor_run.reports / "junit.xml").read_text()
    assert "Failing step" in junit and "_pytest/fixtures.py" not in junit


def test_the_har_has_a_page_per_scenario_that_sent_requests(vendor_run: VendorRun) -> None:
    log = json.loads((vendor_run.reports / "traffic.har").read_text())["log"]
    titles = {page["id"]: page["title"] for page in log["pages"]}
    assert titles[next(i for i in titles if "test_the_username_filter" in i and "[legacy]" in i)] == (
        f"{BROKEN_FEATURE}: {BROKEN_SCENARIO} [legacy]"
    )
    referenced = {entry["pageref"] for entry in log["entries"] if "pageref" in entry}
    assert referenced <= set(titles) and len(referenced) > 10
