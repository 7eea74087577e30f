"""`EngineSettings`: the knobs of the simulated provisioning service.

Defaults follow entra-provisioning.md; every behaviour the reference marks UNCONFIRMED is a field here,
marked [U]. Settings are read when they are used, so `ProvisioningJob.configure(settings=...)` between cycles
takes effect on the next request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

from scim_harness.simulator.escrow import DEFAULT_ESCROW_SCHEDULE
from scim_harness.simulator.quarantine import DEFAULT_QUARANTINE_SCHEDULE, EscrowThresholds

MB = 1024 * 1024


@dataclass(frozen=True)
class EngineSettings:
    """Knobs of the simulated service. Defaults follow the reference; UNCONFIRMED ones are marked [U]."""

    cycle_interval: timedelta = timedelta(minutes=40)
    timeout_seconds: float = 60.0  # Q-60S: the TOTAL time one call may take, connect to last byte
    max_response_bytes: int = 10 * MB  # [U] ours: a larger answer is not read (Entra's limit is unpublished)
    max_connections: int = 8  # [U] "a limit to how many open connections", number unpublished (Q-CONC)
    # [U] §2: headers beyond Authorization and Content-Type. None is the likeliest: Entra is a .NET service
    # and .NET's HttpClient sends no User-Agent, Accept or Accept-Encoding of its own. Add pairs to model one.
    request_headers: tuple[tuple[str, str], ...] = ()
    ca_file: str | None = None  # a PEM CA trusted besides the public roots (a test CA); §2 "HTTPS"
    add_when_missing: bool = True  # [U] Add when the target lacks the attribute, else Replace (§4)
    create_empty_roles: bool = True  # [U] `"roles": []` in a create, as D-SCIM's POST example shows
    patch_operations_first: bool = (
        False  # [U] D-COMPAT: schemas first; D-SCIM's disable and I-SSO: Operations
    )
    retry_after_behaviour: Literal["honour", "next_cycle"] = "honour"  # [U] Q-LOAD (2025) vs Q-429FB (older)
    max_retry_after_seconds: float = 3600.0  # [U] longer Retry-After values fall back to the next cycle
    retry_after_attempts: int = 3  # [U] in-cycle retries of one throttled request when honouring
    probes_per_cycle: int = 1  # [U] random-GUID probes at the start of a cycle (I-PROBE)
    # [U] ours: a target that stops answering ends the cycle instead of costing every object its own
    # timeout (1,000 users on 8 connections would wait over 2 hours). The cycle ends when its probe times
    # out or when this many calls in a row time out; the objects not reached wait for the next cycle (the
    # watermark stays), those already failed are escrowed. Fast failures (reset, TLS, not HTTP) cost no
    # time and are logged per object as Entra does (D-LOGERR). 0: go on regardless.
    timeouts_end_cycle: int = 8
    probes_per_on_demand: int = 3  # [Obs] I-PROBE counts 3 per on-demand run
    # [U] §1: Test Connection fetches "a random user and group" (D-SCIM), yet passes against Kintone, which
    # has no /Groups, before the help article turns group provisioning off. "tolerant" sends the group probe
    # and fails only on refused credentials; "strict" fails on any failure; "off" sends none.
    test_connection_group_probe: Literal["tolerant", "strict", "off"] = "tolerant"
    # §7 "Target without /Groups": with group provisioning on, a /Groups 404 quarantines the job for SCIM
    # compliance after the users were provisioned (I-SNIPE, D-QUAR). "escrow" only fails each group.
    groups_not_found: Literal["quarantine", "escrow"] = "quarantine"
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

    def __post_init__(self) -> None:
        problems = []
        if not (0 < self.timeout_seconds <= 3600):  # also false for NaN
            problems.append(
                f"timeout_seconds must be more than 0 and at most 3600, not {self.timeout_seconds}"
            )
        if not (1 <= self.max_connections <= 256):
            problems.append(f"max_connections must be 1 to 256, not {self.max_connections}")
        if not (0 <= self.timeouts_end_cycle <= 1_000_000):
            problems.append(f"timeouts_end_cycle must be 0 to 1000000, not {self.timeouts_end_cycle}")
        if self.max_response_bytes < 1024:
            problems.append(f"max_response_bytes must be at least 1024, not {self.max_response_bytes}")
        if self.cycle_interval <= timedelta(0):
            problems.append("cycle_interval must be positive")
        if problems:
            raise ValueError("; ".join(problems))
