"""Progress of a long `simulate` run: a live bar on a terminal, a plain line every few seconds in a CI log.

A reporter thread polls `ProvisioningJob.progress` (safe to read while a cycle runs) and the simulated time
the timeline runner reached. On a terminal it drives a rich progress bar (the running cycle's objects, with
rich's own ETA); without one it prints `simulate: ...` lines to stderr every `every` seconds, with counts and
an ETA estimated from the running cycle's rate.
"""

from __future__ import annotations

import sys
import threading
import time
from datetime import timedelta
from typing import Literal, TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from scim_harness.simulator.engine import ProvisioningJob
from scim_harness.simulator.results import JobProgress

Mode = Literal["auto", "bar", "lines", "off"]


class RunProgress:
    def __init__(
        self,
        job: ProvisioningJob,
        duration: timedelta,
        *,
        mode: Mode = "auto",
        every: float = 5.0,
        console: Console | None = None,
        stream: TextIO | None = None,
    ) -> None:
        self.job = job
        self.duration = duration
        self.console = console or Console(stderr=True)
        if mode == "auto":
            mode = "bar" if self.console.is_terminal else "lines"
        self.mode = mode
        self.every = every
        self.stream = stream or sys.stderr
        self.simulated = timedelta(0)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._began = time.monotonic()
        self._cycle_seen: tuple[int, float] | None = (
            None  # (cycles run, when the current cycle was first seen)
        )

    def advanced(self, simulated: timedelta, _cycles: int) -> None:
        """The runner's callback: the simulated time reached."""
        self.simulated = simulated

    def __enter__(self) -> RunProgress:
        if self.mode != "off":
            target = self._bar if self.mode == "bar" else self._lines
            self._thread = threading.Thread(target=target, name="simulate-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # ---- the two displays --------------------------------------------------------------------------------

    def _bar(self) -> None:
        columns = (
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[info]}"),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=self.console, transient=True) as bar:
            task = bar.add_task("simulating", total=None, info="")
            while not self._stop.wait(0.25):
                now = self.job.progress
                total = now.objects_total if now.running and now.objects_total else None
                bar.update(
                    task,
                    description=f"cycle {now.cycles + 1} ({now.kind})" if now.running else "between cycles",
                    total=total,
                    completed=now.objects_done if total else 0,
                    info=self._info(now),
                )

    def _lines(self) -> None:
        while not self._stop.wait(self.every):
            print(self.line(self.job.progress), file=self.stream, flush=True)

    def line(self, now: JobProgress) -> str:
        """`simulate: cycle 1 (initial) 5,000/20,000 objects, ETA 1m12s · 10,001 requests · ...`."""
        parts = []
        if now.running:
            eta = self._eta(now)
            parts.append(
                f"cycle {now.cycles + 1} ({now.kind}) {now.objects_done:,}/{now.objects_total:,} objects"
                + (f", ETA {eta}" if eta else "")
            )
        else:
            parts.append(f"{now.cycles:,} cycles done")
        parts.append(self._info(now))
        parts.append(f"elapsed {_short(time.monotonic() - self._began)}")
        return "simulate: " + " · ".join(parts)

    def _info(self, now: JobProgress) -> str:
        simulated = f" · simulated {self.simulated} of {self.duration}" if self.duration else ""
        return f"{now.requests:,} requests{simulated}"

    def _eta(self, now: JobProgress) -> str | None:
        """From the running cycle's rate so far; None until it has one."""
        if self._cycle_seen is None or self._cycle_seen[0] != now.cycles:
            self._cycle_seen = (now.cycles, time.monotonic(), now.objects_done)
            return None
        _, since, done_then = self._cycle_seen
        spent, done = time.monotonic() - since, now.objects_done - done_then
        if done <= 0 or spent <= 0 or now.objects_total <= now.objects_done:
            return None
        return _short((now.objects_total - now.objects_done) * spent / done)


def _short(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
