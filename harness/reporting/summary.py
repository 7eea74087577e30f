"""Short Markdown summary of a run, from pytest's JUnit XML, for CI logs, the job page and the terminal.

Scenarios are named as everywhere else (`reporting.identity`: feature, scenario, the dialect when both run);
a reason shared by several skipped scenarios is written once, above their names. A failed scenario shows its
verdict under it (what Entra will do in production, and the source: `reporting.verdicts`); the calls that got
no answer in time, and a time budget that ran out, are listed (`reporting.timing`).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from scim_harness.common.errors import HarnessError
from scim_harness.reporting.properties import TIMED_OUT, USED_UP, VERDICT

# A scenario skipped with a reason starting like this is counted apart: the target is not meant to do it
# (a vendor's SCIM server and a Kintone-only rule), which is not the same as "could not check it".
NOT_APPLICABLE_PREFIX = "not applicable"


@dataclass(frozen=True, slots=True)
class Outcome:
    name: str
    status: str  # passed | failed | skipped | not applicable
    reason: str = ""
    verdict: str = ""
    timed_out: tuple[str, ...] = ()


@dataclass(slots=True)
class RunSummary:
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    time_budget_used_up: bool = False

    def of(self, status: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]


def _first_line(text: str | None) -> str:
    for line in (text or "").splitlines():
        if line.strip():
            return line.strip()
    return ""


def _scenario_name(case: ET.Element) -> str:
    properties = {p.get("name"): p.get("value") for p in case.iter("property")}
    feature, scenario = properties.get("feature"), properties.get("scenario")
    if scenario:
        return f"{feature}: {scenario}" if feature else scenario
    classname = case.get("classname", "")
    return f"{classname}::{case.get('name', '?')}" if classname else case.get("name", "?")


def _properties(case: ET.Element, name: str) -> list[str]:
    return [p.get("value") or "" for p in case.iter("property") if p.get("name") == name]


def _outcome(case: ET.Element) -> Outcome:
    name = _scenario_name(case)
    timed_out = tuple(_properties(case, TIMED_OUT))
    for tag in ("failure", "error"):
        problem = case.find(tag)
        if problem is not None:
            reason = _first_line(problem.get("message")) or _first_line(problem.text)
            prefix = "error in set-up/tear-down: " if tag == "error" else ""
            verdict = next(iter(_properties(case, VERDICT)), "")
            return Outcome(name, "failed", prefix + reason, verdict, timed_out)
    skipped = case.find("skipped")
    if skipped is not None:
        reason = _first_line(skipped.get("message")) or _first_line(skipped.text)
        status = "not applicable" if reason.lower().startswith(NOT_APPLICABLE_PREFIX) else "skipped"
        return Outcome(name, status, reason)
    return Outcome(name, "passed")


def read_junit(junit_xml: Path) -> RunSummary:
    try:
        root = ET.parse(junit_xml).getroot()
    except FileNotFoundError:
        raise HarnessError(f"no JUnit XML at {junit_xml}: did the run start?") from None
    except ET.ParseError as exc:
        raise HarnessError(f"cannot read JUnit XML {junit_xml}: {exc}") from None
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    summary = RunSummary(seconds=sum(float(s.get("time", 0) or 0) for s in suites))
    for suite in suites:
        for prop in suite.findall("properties/property"):
            if prop.get("name") == USED_UP:
                summary.time_budget_used_up = True
    # A test failing in its call and again in tear-down appears twice; the first verdict is the one to show.
    seen: set[tuple[str, str]] = set()
    for case in root.iter("testcase"):
        key = (case.get("classname", ""), case.get("name", ""))
        if key in seen:
            continue
        seen.add(key)
        summary.outcomes.append(_outcome(case))
    return summary


def render_summary(summary: RunSummary, *, target: str, dialect: str) -> str:
    passed, failed = summary.of("passed"), summary.of("failed")
    skipped, not_applicable = summary.of("skipped"), summary.of("not applicable")
    verdict = "FAILED" if failed else ("PASSED" if summary.outcomes else "NO SCENARIO RAN")
    if summary.time_budget_used_up:
        verdict = "TIME BUDGET USED UP"
    lines = [
        f"## Kintone SCIM provisioning conformance: {verdict}",
        "",
        f"Target: `{target}`, dialect: `{dialect}`",
        "",
        f"**{len(passed)} passed, {len(failed)} failed, {len(skipped)} skipped, "
        f"{len(not_applicable)} not applicable** "
        f"({len(summary.outcomes)} scenarios in {summary.seconds:.1f} s)",
    ]
    if summary.time_budget_used_up:
        lines += [
            "",
            "**The run's time budget was used up** (`--time-budget`): the scenario running "
            "then failed and the ones after it were not run. See the calls that got no answer in time below, "
            "or give the run more time.",
        ]
    if failed:
        lines += ["", f"### Failed ({len(failed)})", ""]
        for o in failed:
            lines.append(f"- {o.name}" + (f": {o.reason}" if o.reason else ""))
            if o.verdict:
                lines.append(f"  - {o.verdict}")
    slow = [o for o in summary.outcomes if o.timed_out]
    if slow:
        lines += ["", f"### Calls that got no answer in time ({sum(len(o.timed_out) for o in slow)})", ""]
        lines += [f"- {o.name}: {'; '.join(o.timed_out)}" for o in slow]
    for title, outcomes in (("Skipped", skipped), ("Not applicable", not_applicable)):
        if outcomes:
            lines += ["", f"### {title} ({len(outcomes)})", "", *_grouped_by_reason(outcomes)]
    return "\n".join(lines) + "\n"


def _grouped_by_reason(outcomes: list[Outcome]) -> list[str]:
    """A reason given once for many scenarios is written once, then their names; a lone one on its line."""
    by_reason: dict[str, list[str]] = {}
    for outcome in outcomes:
        by_reason.setdefault(outcome.reason, []).append(outcome.name)
    lines: list[str] = []
    for reason, names in by_reason.items():
        if len(names) == 1:
            lines.append(f"- {names[0]}" + (f": {reason}" if reason else ""))
            continue
        if lines and lines[-1] != "":
            lines.append("")
        lines += [f"{reason or 'no reason given'} ({len(names)}):", "", *(f"- {name}" for name in names), ""]
    while lines and lines[-1] == "":
        lines.pop()
    return lines


def write_summary(junit_xml: Path, out_md: Path, *, target: str, dialect: str) -> str:
    """Writes the Markdown summary of `junit_xml` to `out_md`; returns it (to print on the terminal too)."""
    text = render_summary(read_junit(Path(junit_xml)), target=target, dialect=dialect)
    out_md = Path(out_md)
    out_md.parent.mkdir(parents=True, exist_ok=True)
    out_md.write_text(text, encoding="utf-8")
    return text
