"""The catalogue as the Markdown table docs/emulator.md carries (`scim-harness emulator defects --markdown`
prints it; tests/emulator/test_docs.py fails when the docs and the code disagree)."""

from __future__ import annotations

from collections.abc import Iterable

from scim_harness.emulator.defects.catalogue import Defect


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown_table(defects: Iterable[Defect]) -> str:
    lines = [
        "| defect | category | profiles | what the service does | what it does to Entra | source |",
        "|---|---|---|---|---|---|",
    ]
    for d in defects:
        effect = d.entra_effect + (f". RFC: {d.rfc_note}" if d.rfc_note else "")
        row = (f"`{d.name}`", str(d.category), ", ".join(d.profiles), d.description, effect, d.source)
        lines.append("| " + " | ".join(_cell(cell) for cell in row) + " |")
    return "\n".join(lines) + "\n"
