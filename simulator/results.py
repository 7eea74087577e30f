"""What the job answers: Test Connection, a cycle's summary, an on-demand run and the job's status."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from scim_harness.simulator.logs import LogEntry, ModifiedProperty, ProvisioningStep


@dataclass(frozen=True)
class ConnectionTestResult:
    success: bool
    error_code: str | None = None
    message: str = ""
    status: int | None = None


@dataclass(frozen=True)
class CycleSummary:
    cycle_id: str
    kind: Literal["initial", "incremental"]
    started_at: datetime
    objects: int
    by_action: dict[str, int]
    by_status: dict[str, int]
    requests: int
    wall_seconds: float
    aborted: bool = False
    quarantine_reason: str | None = None
    by_action_status: dict[str, int] = field(default_factory=dict)
    unreachable: str | None = None
    """Why the cycle ended early because the target stopped answering (`timeouts_end_cycle`)."""

    def count(self, action: str | None = None, status: str | None = None) -> int:
        """Entries of this cycle with that action and/or status."""
        if action is None:
            return self.by_status.get(status, 0) if status else self.objects
        if status is None:
            return self.by_action.get(action, 0)
        return self.by_action_status.get(f"{action}/{status}", 0)


@dataclass(frozen=True)
class OnDemandResult:
    steps: list[ProvisioningStep]
    action: str
    status: str
    error_code: str | None
    modified_properties: list[ModifiedProperty]
    entry: LogEntry | None


@dataclass(frozen=True)
class JobStatus:
    state: Literal["Active", "Stopped", "Quarantined", "Disabled"]
    quarantine_reason: str | None
    quarantine_error_code: str | None
    quarantine_message: str | None
    escrows: int
    last_cycle: CycleSummary | None
    next_cycle_at: datetime | None
    initial_cycle_done: bool


@dataclass(frozen=True)
class JobProgress:
    """Where the job is, for a progress display: the running (or last) run's objects, and the totals."""

    running: bool
    kind: str | None
    objects_total: int
    objects_done: int
    cycles: int
    requests: int
