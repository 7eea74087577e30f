"""The work of one process: its slice's users, cycle after cycle, each handed out once; and the pacing.

Cycles follow each other as Entra's do (D-HOW): the next one starts when every user of the current one is
done, then covers the users changed since (Graph's delta). Entra waits 40 minutes between cycles; a load
test replays them back to back, which is the point of it. Cooperative (gevent greenlets under Locust), so a
plain counter is enough; `Pacer` takes its clock and sleep so that it is tested without waiting.
"""

from __future__ import annotations

import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from scim_harness.load.flow import Outcome, Source

WAIT = "wait"
DONE = "done"


@dataclass(frozen=True)
class Item:
    cycle: int
    """0 is the initial cycle, 1.. the incremental ones."""
    user_id: str
    probe: bool = False
    """The first item of a cycle on slice 0 carries the cycle's probe."""


@dataclass
class Progress:
    """Counts of one process, cumulative: sent to the master with every statistics report."""

    cycle: int = 0
    users_done: int = 0
    users_planned: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    throttled: int = 0
    throttled_without_retry_after: int = 0
    retried_after_wait: int = 0
    retried_after_wait_accepted: int = 0
    max_retry_after: float = 0.0
    finished: bool = False

    def to_message(self) -> dict[str, object]:
        data = {k: v for k, v in self.__dict__.items() if k != "outcomes"}
        data["outcomes"] = dict(self.outcomes)
        return data


class Work:
    """Hands out (cycle, user) items; `next()` gives an Item, WAIT (the cycle is finishing) or DONE."""

    def __init__(self, source: Source, cycles: int, *, probes: bool) -> None:
        self.source = source
        self.cycles = cycles
        self.probes = probes
        self.progress = Progress(users_planned=len(source.mine))
        self._cycle = 0
        self._queue: deque[Item] = deque()
        self._in_flight = 0
        self._fill(source.mine)

    def _fill(self, user_ids: list[str]) -> None:
        items = [Item(self._cycle, user_id) for user_id in user_ids]
        if self.probes:
            # The probe opens the cycle; it rides on the first item (or stands alone in an empty cycle).
            first = items[0] if items else Item(self._cycle, "", probe=True)
            items[:1] = [Item(first.cycle, first.user_id, probe=True)]
        self._queue.extend(items)

    def next(self) -> Item | str:
        while True:
            if self._queue:
                self._in_flight += 1
                return self._queue.popleft()
            if self._in_flight:
                return WAIT
            if self._cycle >= self.cycles:
                self.progress.finished = True
                return DONE
            self._cycle += 1
            self.progress.cycle = self._cycle
            changed = self.source.changes(self._cycle)
            self.progress.users_planned += len(changed)
            self._fill(changed)

    def done(self, item: Item, outcome: Outcome | None) -> None:
        self._in_flight -= 1
        if item.user_id:
            self.progress.users_done += 1
        if outcome is not None:
            self.progress.outcomes[f"{outcome.action}/{outcome.status}"] += 1


class Pacer:
    """Spaces requests to `rate` per second and suspends them all while a Retry-After runs (Q-LOAD)."""

    def __init__(
        self,
        rate: float | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0
        self._suspended_until = 0.0

    def wait(self) -> float:
        """Block until this request may go; returns the seconds waited."""
        now = self._clock()
        start = max(now, self._suspended_until)
        if self.rate:
            start = max(start, self._next)
            self._next = start + 1.0 / self.rate
        if start > now:
            self._sleep(start - now)
        return max(0.0, start - now)

    def suspend(self, seconds: float) -> None:
        """Entra "will suspend all provisioning activities for the time period indicated in the
        Retry-After header" (Q-LOAD)."""
        self._suspended_until = max(self._suspended_until, self._clock() + seconds)
