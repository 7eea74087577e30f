"""What a failed scenario shows: the assertion, the failing step and its HTTP exchange, not the framework.

pytest-bdd calls a step through pytest's fixture machinery, so a failing step's traceback starts in
`_pytest/fixtures.py`; pytest's own filter keeps that frame (it cuts at the scenario function, which is
pytest-bdd's). `without_framework_frames` drops the frames of pytest, pluggy and pytest-bdd from the
exception before anyone formats it, so Allure's step, JUnit, the terminal and summary.md show the step
function's frame and the assertion. `failure_sections` adds the failing step's words and its exchanges.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

import _pytest
import pluggy
import pytest_bdd

from scim_harness.capture.exchange import Exchange
from scim_harness.reporting.attachments import exchange_overview, format_exchange

_FRAMEWORK_DIRS = tuple(
    str(Path(module.__file__).resolve().parent) for module in (_pytest, pluggy, pytest_bdd)
)
MAX_EXCHANGES_SHOWN = 1
"""Exchanges of the failing step shown in full (the last ones); the others are one overview line each."""


def _is_framework(tb: TracebackType) -> bool:
    filename = tb.tb_frame.f_code.co_filename
    return filename.startswith(_FRAMEWORK_DIRS)


def without_framework_frames(exception: BaseException) -> None:
    """Rewrites `exception.__traceback__` without pytest's, pluggy's and pytest-bdd's frames (in place).
    A traceback made only of such frames is left whole: then the framework itself is what failed."""
    frames: list[TracebackType] = []
    tb = exception.__traceback__
    while tb is not None:
        frames.append(tb)
        tb = tb.tb_next
    kept = [frame for frame in frames if not _is_framework(frame)]
    if not kept or len(kept) == len(frames):
        return
    rebuilt: TracebackType | None = None
    for frame in reversed(kept):
        rebuilt = TracebackType(rebuilt, frame.tb_frame, frame.tb_lasti, frame.tb_lineno)
    exception.__traceback__ = rebuilt


def failure_sections(
    step: str, step_exchanges: Sequence[Exchange], earlier: Sequence[Exchange] = ()
) -> list[tuple[str, str]]:
    """(title, text) sections for a failure report: the failing step, then its HTTP exchanges (the last in
    full); for a step that sent nothing (a check of an earlier answer), the scenario's last exchange."""
    sections = [("Failing step", step)]
    if step_exchanges:
        shown = step_exchanges[-MAX_EXCHANGES_SHOWN:]
        first = len(step_exchanges) - len(shown) + 1
        text = "\n\n".join(format_exchange(first + i, exchange) for i, exchange in enumerate(shown))
        if len(step_exchanges) > len(shown):
            text = exchange_overview(step_exchanges) + "\n\n" + text
        sections.append((f"HTTP exchanges of the failing step ({len(step_exchanges)})", text))
    elif earlier:
        sections.append(
            ("Last HTTP exchange before the failing step", format_exchange(len(earlier), earlier[-1]))
        )
    return sections
