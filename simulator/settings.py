"""`EngineSettings`: the knobs of the simulated provisioning service.

Defaults follow entra-provisioning.md; every behaviour the reference marks UNCONFIRMED is a field here,
marked [U].
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

from scim_harness.simulator.escrow import DEFAULT_ESCROW_SCHEDULE
from scim_harness.simulator.quarantine import DEFAULT_QUARANTINE_SCHEDULE, EscrowThresholds


@dataclass(frozen=True)
class EngineSettings:
    """Knobs of the simulated service. Defaults follow the reference; UNCONFIRMED ones are marked [U]."""

    cycle_interval: timedelta = timedelta(minutes=40)
    timeout_seconds: float = 60.0  # Q-60S
    max_connections: int = 8  # [U] "a limit to how many open connections", number unpublished (Q-CONC)
    add_when_missing: bool = True  # [U] Add when the target lacks the attribute, else Replace (§4)
    retry_after_behaviour: Literal["honour", "next_cycle"] = "honour"  # [U] Q-LOAD (2025) vs Q-429FB (older)
    max_retry_after_seconds: float = 3600.0  # [U] longer Retry-After values fall back to the next cycle
    retry_after_attempts: int = 3  # [U] in-cycle retries of one throttled request when honouring
    probes_per_cycle: int = 1  # [U] random-GUID probes at the start of a cycle (I-PROBE)
    probes_per_on_demand: int = 3  # [Obs] I-PROBE counts 3 per on-demand run
    probe_groups: bool = True  # [U] group probe in Test Connection when groups are provisioned
    delete_enabled: bool = True  # the "Delete" target object action
    skip_out_of_scope_deletions: bool = False  # D-SKIP
    delete_groups_out_of_scope: bool = True  # [U] a group leaving scope is DELETEd (D-ACCDEL counts it)
    group_members_per_patch: int = 1  # [U] Q-CONC "hundreds of PATCH requests" per group
    group_create_form: Literal["documented", "observed"] = "documented"  # D-SCIM body vs Q-GRPPOST body
    escrow_schedule: tuple[timedelta, ...] = DEFAULT_ESCROW_SCHEDULE  # [U] gaps between retries of one object
    escrow_give_up_after: timedelta = timedelta(days=28)
    escrow_thresholds: EscrowThresholds = field(default_factory=EscrowThresholds)  # D-QUAR
    quarantine_schedule: tuple[timedelta, ...] = DEFAULT_QUARANTINE_SCHEDULE  # D-QUAR +6h, +12h, +24h...
    quarantine_disable_after: timedelta = timedelta(days=28)  # D-QUAR
    accidental_deletion_threshold: int | None = None  # D-ACCDEL, off unless set
    max_log_entries: int | None = None  # keep only the newest entries (long benchmarks)
