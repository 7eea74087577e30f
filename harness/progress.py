"""Progress of a long job: counts and an estimate of the time left.

On a terminal a rich progress bar (rich's own ETA); without one (a CI log) a plain line every few seconds,
so a log never stays silent for long and never fills with a redrawn bar. Used by `scim-harness run` (the
scenarios as they finish) and bench/run_all.py (the benchmarks).
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable
from typing import IO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

PLAIN_INTERVAL_S = 5.0


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


class JobProgress:
    """`advance(outcome)` per finished unit; `tick()` often (a plain line is printed when due); `close()`.

    `what` names the units ("scenarios"); `outcomes` are the counts shown, in that order.
    """

    def __init__(
        self,
        label: str,
        what: str,
        *,
        total: int | None = None,
        outcomes: tuple[str, ...] = (),
        stream: IO[str] | None = None,
        terminal: bool | None = None,
        interval: float = PLAIN_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label, self.what, self.total = label, what, total
        self.outcomes = outcomes
        self.counts: Counter[str] = Counter()
        self.done = 0
        self._stream = stream or sys.stderr
        self._terminal = self._stream.isatty() if terminal is None else terminal
        self._interval, self._clock = interval, clock
        self._started = self._last_line = clock()
        self._bar: Progress | None = None
        self._task: TaskID | None = None
        if self._terminal:
            self._bar = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[counts]}"),
                TimeElapsedColumn(),
                TextColumn("left"),
                TimeRemainingColumn(),
                console=Console(file=self._stream, force_terminal=True),
                transient=False,
            )
            self._bar.start()
            self._task = self._bar.add_task(label, total=total, counts="")

    # -- events --

    def set_total(self, total: int) -> None:
        self.total = total
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, total=total)

    def advance(self, outcome: str | None = None) -> None:
        self.done += 1
        if outcome:
            self.counts[outcome] += 1
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, advance=1, counts=self._counts())

    def echo(self, line: str) -> None:
        """A line of someone else's output (a benchmark's figures), printed above the bar."""
        if self._bar is not None:
            self._bar.console.print(line, markup=False, highlight=False)
        else:
            print(line, file=self._stream, flush=True)

    def tick(self, note: str = "") -> None:
        """Prints the plain progress line if one is due (no terminal); the bar redraws itself."""
        now = self._clock()
        if self._bar is None and now - self._last_line >= self._interval:
            self._last_line = now
            self._plain(note)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
        else:
            self._plain("finished")

    # -- text --

    def _counts(self) -> str:
        return ", ".join(f"{self.counts[o]} {o}" for o in self.outcomes)

    def eta(self) -> float | None:
        """Seconds left at the pace so far, or None before the first unit finishes (or without a total)."""
        if not self.done or self.total is None:
            return None
        elapsed = self._clock() - self._started
        return elapsed / self.done * max(0, self.total - self.done)

    def line(self, note: str = "") -> str:
        total = "?" if self.total is None else str(self.total)
        parts = [f"{self.label}: {self.done}/{total} {self.what}"]
        if self.outcomes:
            parts[0] += f" ({self._counts()})"
        parts.append(f"{_duration(self._clock() - self._started)} elapsed")
        eta = self.eta()
        if eta is not None and self.done != self.total:
            parts.append(f"about {_duration(eta)} left")
        if note:
            parts.append(note)
        return ", ".join(parts)

    def _plain(self, note: str) -> None:
        print(self.line(note), file=self._stream, flush=True)
