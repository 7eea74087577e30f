"""Time for the provisioning engine: virtual (a month in seconds) or real."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta


class VirtualClock:
    """A clock that only moves when told to, so 40-minute cycles and 30-day purges run instantly."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("a clock cannot go backwards")
        self._now += delta
        return self._now

    def sleep(self, seconds: float) -> None:
        self.advance(timedelta(seconds=seconds))


class RealClock:
    """Wall-clock time, for running the simulator as a long-lived service."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def advance(self, delta: timedelta) -> datetime:
        time.sleep(max(0.0, delta.total_seconds()))
        return self.now()

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds))


Clock = VirtualClock | RealClock
