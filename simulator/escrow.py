"""Escrows: objects whose export failed, retried later with growing gaps (§6 "Per-object errors")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

# Entra retries "in later cycles, gradually spaced out ... to just one attempt per day" (D-HOW, 2019).
# The exact steps are UNCONFIRMED: by default the next cycle, then doubling gaps up to a day.
DEFAULT_ESCROW_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(minutes=40),
    timedelta(minutes=80),
    timedelta(hours=3),
    timedelta(hours=6),
    timedelta(hours=12),
    timedelta(hours=24),
)


@dataclass
class Escrow:
    object_id: str
    kind: str  # "user" | "group"
    error_code: str
    first_failed_at: datetime
    retries: int
    next_attempt_at: datetime
    reference: bool = False  # reference failures (group members) do not count toward quarantine thresholds


class EscrowStore:
    """Failed objects by source id. Not thread-safe by itself: the engine holds its lock around calls."""

    def __init__(
        self,
        schedule: Sequence[timedelta] = DEFAULT_ESCROW_SCHEDULE,
        give_up_after: timedelta = timedelta(days=28),
    ) -> None:
        self._schedule = tuple(schedule) or DEFAULT_ESCROW_SCHEDULE
        self._give_up_after = give_up_after
        self._escrows: dict[str, Escrow] = {}

    def __len__(self) -> int:
        return len(self._escrows)

    def __contains__(self, object_id: str) -> bool:
        return object_id in self._escrows

    def get(self, object_id: str) -> Escrow | None:
        return self._escrows.get(object_id)

    def fail(
        self,
        object_id: str,
        kind: str,
        error_code: str,
        now: datetime,
        *,
        reference: bool = False,
        schedule: Sequence[timedelta] | None = None,
        give_up_after: timedelta | None = None,
    ) -> Escrow:
        """Record a failure; the next attempt is spaced out by how many times it already failed.

        `schedule` and `give_up_after` replace the store's own from now on (the job's current settings).
        """
        if schedule is not None:
            self._schedule = tuple(schedule) or DEFAULT_ESCROW_SCHEDULE
        if give_up_after is not None:
            self._give_up_after = give_up_after
        previous = self._escrows.get(object_id)
        retries = 0 if previous is None else previous.retries + 1
        gap = self._schedule[min(retries, len(self._schedule) - 1)]
        escrow = Escrow(
            object_id=object_id,
            kind=kind,
            error_code=error_code,
            first_failed_at=now if previous is None else previous.first_failed_at,
            retries=retries,
            next_attempt_at=now + gap,
            reference=reference,
        )
        self._escrows[object_id] = escrow
        return escrow

    def succeed(self, object_id: str) -> None:
        self._escrows.pop(object_id, None)

    def due(self, now: datetime, give_up_after: timedelta | None = None) -> list[Escrow]:
        """Escrows whose next attempt has come; those older than the give-up age are dropped instead."""
        if give_up_after is not None:
            self._give_up_after = give_up_after
        expired = [
            e.object_id for e in self._escrows.values() if now - e.first_failed_at >= self._give_up_after
        ]
        for object_id in expired:
            del self._escrows[object_id]
        return [e for e in self._escrows.values() if e.next_attempt_at <= now]

    def clear(self) -> None:
        self._escrows.clear()

    def values(self) -> list[Escrow]:
        return list(self._escrows.values())
