"""The job page of a CI run: summary.md, then every JUnit test case in a table, as GitHub-flavoured Markdown.

`python -m scim_harness.reporting.job_summary REPORTS >> "$GITHUB_STEP_SUMMARY"` (the workflow and the
reusable action do). Reads what `scim-harness run` wrote; a missing file is said in one line, not an error,
so a run that never started still gets a readable job page.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

MAX_ROWS = 2000
"""A bound on the table (GitHub caps a job summary at 1 MiB)."""


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _outcome(case: ET.Element) -> tuple[str, str]:
    for tag, label in (("failure", "❌ failed"), ("error", "❌ error"), ("skipped", "⏭️ skipped")):
        found = case.find(tag)
        if found is not None:
            message = (found.get("message") or "").strip()
            return label, message.splitlines()[0] if message else ""
    return "✅ passed", ""


def junit_table(junit_xml: Path) -> str:
    """Every test case: feature, scenario, outcome, time and the first line of a reason."""
    try:
        root = ET.parse(junit_xml).getroot()
    except (OSError, ET.ParseError) as exc:
        return f"_No JUnit XML to show ({junit_xml.name}: {exc})._\n"
    cases = list(root.iter("testcase"))
    rows = ["| feature | scenario | outcome | time | reason |", "|---|---|---|---:|---|"]
    for case in cases[:MAX_ROWS]:
        outcome, reason = _outcome(case)
        time = float(case.get("time") or 0)
        row = [case.get("classname", ""), case.get("name", ""), outcome, f"{time:.1f} s", reason[:300]]
        rows.append("| " + " | ".join(_cell(cell) for cell in row) + " |")
    if len(cases) > MAX_ROWS:
        rows.append(f"\n_{len(cases) - MAX_ROWS} more test cases are in junit.xml._")
    table = "\n".join(rows)
    return f"<details><summary>JUnit: {len(cases)} test cases</summary>\n\n{table}\n\n</details>\n"


def job_summary(reports: Path) -> str:
    summary = reports / "summary.md"
    text = summary.read_text(encoding="utf-8") if summary.is_file() else f"_No {summary} was written._\n"
    return text + "\n" + junit_table(reports / "junit.xml")


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    reports = Path(arguments[0] if arguments else "reports")
    sys.stdout.write(job_summary(reports))
    return 0


if __name__ == "__main__":
    sys.exit(main())
