"""Quarantine: when a job stops running every 40 minutes, backs off, and gives up (§6 "Quarantine")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class QuarantineReason(StrEnum):
    """Graph's synchronizationQuarantine reasons for the documented triggers (D-QUAR, D-ACCDEL)."""

    EXCEPTION = "EncounteredQuarantineException"  # invalid credentials, SCIM compliance (404 on a query)
    ESCROW_PROPORTION = "EncounteredEscrowProportionThreshold"
    ON_DEMAND = "QuarantinedOnDemand"
    TOO_MANY_DELETES = "TooManyDeletes"


# D-QUAR: retries at +6 h, +12 h, +24 h, then every 24 h; after 28 days the job is disabled.
DEFAULT_QUARANTINE_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(hours=6),
    timedelta(hours=12),
    timedelta(hours=24),
)

CREDENTIALS_MESSAGE = (
    "You appear to have entered invalid credentials. Please confirm you are using the correct information "
    "for an administrative account."
)
COMPLIANCE_MESSAGE = (
    "SCIM Compliance issue: An HTTP/404 Not Found response was returned rather than the expected HTTP/200 OK"
)


@dataclass
class Quarantine:
    reason: QuarantineReason
    error_code: str | None
    message: str
    since: datetime
    attempts: int = 0

    def next_cycle_after(self, now: datetime, schedule: Sequence[timedelta]) -> datetime:
        """The next cycle time after a failed quarantined attempt; the last gap repeats."""
        gap = schedule[min(self.attempts, len(schedule) - 1)]
        self.attempts += 1
        return now + gap

    def expired(self, now: datetime, give_up_after: timedelta) -> bool:
        return now - self.since >= give_up_after


@dataclass(frozen=True)
class EscrowThresholds:
    """D-QUAR escrow proportion rule; reference failures are excluded except from the absolute limit."""

    evaluation_starts_at: int = 5_000
    proportion: float = 0.40
    total: int = 40_000
    absolute: int = 60_000

    def exceeded(self, failures: int, events: int, all_failures: int) -> bool:
        if all_failures > self.absolute:
            return True
        if failures < self.evaluation_starts_at:
            return False
        return failures > self.total or (events > 0 and failures / events > self.proportion)
