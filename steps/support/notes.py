"""Notes for the report: where Kintone's real answer is unpublished, a scenario asserts the documented outcome
and records what the target answered."""

from __future__ import annotations

from collections.abc import Callable


class ReportNotes:
    """Text attachments of one scenario; the fixture wires `attach` to Allure (a no-op without it)."""

    def __init__(self, attach: Callable[[str, str], None]) -> None:
        self._attach = attach

    def __repr__(self) -> str:
        return "ReportNotes()"

    def note(self, title: str, text: str) -> None:
        self._attach(title, text)
