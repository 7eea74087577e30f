"""The self-test's score: per dialect, the share of the catalogue's defects that turned at least one scenario
red, against a baseline run (no defect) that must be green; and its table (terminal, Markdown, JSON)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from scim_harness.emulator.defects import BY_NAME
from scim_harness.selftest.sweep import DefectRun

SHOWN = 3
"""Scenario names shown per cell of the table (the JSON has them all)."""


@dataclass
class Score:
    dialects: list[str]
    baseline: DefectRun | None
    runs: list[DefectRun]
    """One per defect, in the order asked."""

    @property
    def baseline_red(self) -> list[str]:
        """Scenarios that fail with no defect at all: then no defect run means anything."""
        if self.baseline is None:
            return []
        return sorted({f"{s} [{d}]" for d, names in self.baseline.red.items() for s in names})

    def missed(self, dialect: str) -> list[str]:
        return [r.defect for r in self.runs if r.defect and not r.red.get(dialect)]

    def percentage(self, dialect: str) -> float:
        if not self.runs:
            return 0.0
        return 100.0 * (len(self.runs) - len(self.missed(dialect))) / len(self.runs)

    @property
    def perfect(self) -> bool:
        return bool(self.runs) and not self.baseline_red and all(not self.missed(d) for d in self.dialects)

    def to_json(self) -> str:
        return json.dumps(
            {
                "dialects": self.dialects,
                "percentage": {d: self.percentage(d) for d in self.dialects},
                "missed": {d: self.missed(d) for d in self.dialects},
                "baseline_red": self.baseline_red,
                "runs": [asdict(r) for r in self.runs],
            },
            indent=1,
        )


def make_score(runs: Sequence[DefectRun], dialects: Sequence[str], defects: Sequence[str]) -> Score:
    by_defect = {r.defect: r for r in runs}
    baseline = by_defect.get(None)
    return Score(list(dialects), baseline, [by_defect[d] for d in defects if d in by_defect])


def _cell(names: list[str]) -> str:
    if not names:
        return "**none: not caught**"
    shown = "; ".join(names[:SHOWN])
    return f"{len(names)}: {shown}" + (f" (+{len(names) - SHOWN} more)" if len(names) > SHOWN else "")


def markdown_table(score: Score) -> str:
    """defect | category | per dialect: the scenarios it turned red; then the score per dialect."""
    head = ["defect", "category", *(f"{d}: scenarios turned red" for d in score.dialects)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for run in score.runs:
        defect = BY_NAME.get(run.defect or "")
        category = defect.category.value if defect else "?"
        cells = [f"`{run.defect}`", category, *(_cell(run.red.get(d, [])) for d in score.dialects)]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    lines.append("")
    lines += [
        f"**Score, {d}: {score.percentage(d):.0f}%** ({len(score.runs) - len(score.missed(d))} of "
        f"{len(score.runs)} defects turn at least one scenario red)"
        for d in score.dialects
    ]
    if score.baseline_red:
        lines += ["", f"**The baseline is not green** (no defect): {', '.join(score.baseline_red)}"]
    return "\n".join(lines) + "\n"
