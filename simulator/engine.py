"""The provisioning job: Entra's control actions, its schedule of cycles and the shape of one cycle (§6).

One `ProvisioningJob` is one Entra provisioning job for one enterprise app. It owns the job's state
(watermark, quarantine, next cycle) and wires the parts that do the work:

- `simulator.probe`: Test Connection and the probes before any activity
- `simulator.cycle`: what a cycle covers, run on a pool; `simulator.user_sync` and `simulator.group_sync` for
  one object each, through `simulator.export` (calls and failures) and `simulator.entries` (log entries)
- `simulator.ondemand`: provision on demand
- `simulator.throttle`: Retry-After suspends all activity

Every behaviour the reference marks UNCONFIRMED is a field of `EngineSettings` (`simulator.settings`).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import httpx

from scim_harness.simulator.client import ScimClient
from scim_harness.simulator.clock import Clock
from scim_harness.simulator.context import JobContext, Run
from scim_harness.simulator.cycle import CycleRunner, summarise
from scim_harness.simulator.escrow import EscrowStore
from scim_harness.simulator.group_sync import GroupSync
from scim_harness.simulator.logs import ProvisioningLogs
from scim_harness.simulator.mappings import MappingSet
from scim_harness.simulator.ondemand import provision_on_demand
from scim_harness.simulator.probe import Prober
from scim_harness.simulator.quarantine import Quarantine, QuarantineReason
from scim_harness.simulator.results import ConnectionTestResult, CycleSummary, JobStatus, OnDemandResult
from scim_harness.simulator.settings import EngineSettings
from scim_harness.simulator.tenant import Tenant
from scim_harness.simulator.tenant_url import parse_tenant_url
from scim_harness.simulator.throttle import ThrottledClient
from scim_harness.simulator.timeline import RESTART_SCOPES
from scim_harness.simulator.user_sync import UserSync


class ProvisioningJob:
    """A simulated Entra provisioning job (a `scim.<hex>.<guid>` job) against one SCIM Tenant URL."""

    def __init__(
        self,
        tenant: Tenant,
        tenant_url: str,
        secret_token: str,
        mappings: MappingSet,
        clock: Clock,
        settings: EngineSettings | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.tenant = tenant
        self.mappings = mappings
        self.clock = clock
        self.settings = settings or EngineSettings()
        url = parse_tenant_url(tenant_url)
        self.dialect = url.dialect
        self.job_id = f"scim.{uuid.uuid4().hex}.{uuid.uuid4()}"
        self.client = ScimClient(
            url,
            secret_token,
            timeout=self.settings.timeout_seconds,
            max_connections=self.settings.max_connections,
            transport=transport,
        )
        self.logs = ProvisioningLogs([secret_token], max_entries=self.settings.max_log_entries)
        calls = ThrottledClient(self.client, clock, self.settings)
        self._ctx = JobContext(
            tenant=tenant,
            mappings=mappings,
            settings=self.settings,
            clock=clock,
            job_id=self.job_id,
            secret_token=secret_token,
            calls=calls,
            logs=self.logs,
            escrows=EscrowStore(self.settings.escrow_schedule, self.settings.escrow_give_up_after),
        )
        self._pool = ThreadPoolExecutor(max_workers=max(1, self.settings.max_connections))
        self._prober = Prober(calls, mappings, self.settings)
        self._users = UserSync(self._ctx)
        self._cycles = CycleRunner(self._ctx, self._users, GroupSync(self._ctx), self._pool)
        self._cycle_lock = threading.Lock()
        self._watermark: int | None = None
        self._rematch = False
        self._force_deletes = False
        self._running = False
        self._disabled = False
        self._quarantine: Quarantine | None = None
        self._next_cycle_at: datetime | None = None
        self._last_cycle: CycleSummary | None = None

    # ---- lifecycle --------------------------------------------------------------------------------------

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self.client.close()

    def __enter__(self) -> ProvisioningJob:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- control actions --------------------------------------------------------------------------------

    def start(self) -> None:
        """Start (or resume) provisioning: the next cycle is due now; the watermark is kept (B-JP)."""
        self._running = True
        self._disabled = False
        self._next_cycle_at = self.clock.now()

    def stop(self) -> None:
        """Stop: a running cycle finishes (D-KNOWN), then no new cycle starts."""
        self._running = False
        self._next_cycle_at = None

    def restart(self, scope: str | Iterable[str] | None = None) -> None:
        """Restart with Graph's resetScope; empty means the portal button (watermark, escrows, quarantine)."""
        scopes = _parse_scopes(scope)
        if not scopes:
            scopes = {"Watermark", "Escrows", "QuarantineState"}
        if "Full" in scopes:
            scopes |= {"Watermark", "Escrows", "QuarantineState"}
            self._rematch = True
        if "ConnectorDataStore" in scopes:
            self._ctx.links.clear()
            self._ctx.group_links.clear()
        if "Watermark" in scopes:
            self._watermark = None
        if "Escrows" in scopes:
            with self._ctx.lock:
                self._ctx.escrows.clear()
        if "QuarantineState" in scopes:
            self._quarantine = None
        if "ForceDeletes" in scopes:
            self._force_deletes = True
            if self._quarantine is not None and self._quarantine.reason is QuarantineReason.TOO_MANY_DELETES:
                self._quarantine = None
        self.start()

    def quarantine(self) -> None:
        """Quarantine the job by hand (QuarantinedOnDemand); a restart lifts it."""
        self._quarantine = Quarantine(
            QuarantineReason.ON_DEMAND, None, "Quarantined on demand", self.clock.now()
        )

    def test_connection(self) -> ConnectionTestResult:
        """The Test Connection button: a random-GUID userName query that must answer 200 + empty list (§1)."""
        return self._prober.test_connection()

    def provision_on_demand(self, user_id: str) -> OnDemandResult:
        """Provision one user now with Entra's on-demand steps; always the legacy dialect (D-COMPAT)."""
        return provision_on_demand(self._ctx, self._prober, self._users, user_id)

    # ---- state ------------------------------------------------------------------------------------------

    @property
    def status(self) -> JobStatus:
        q = self._quarantine
        if self._disabled:
            state = "Disabled"
        elif not self._running:
            state = "Stopped"
        elif q is not None:
            state = "Quarantined"
        else:
            state = "Active"
        return JobStatus(
            state=state,
            quarantine_reason=None if q is None else q.reason.value,
            quarantine_error_code=None if q is None else q.error_code,
            quarantine_message=None if q is None else q.message,
            escrows=len(self._ctx.escrows),
            last_cycle=self._last_cycle,
            next_cycle_at=self._next_cycle_at,
            initial_cycle_done=self._watermark is not None,
        )

    def target_id(self, source_id: str) -> str | None:
        """The cached target id Entra linked to this user or group, if any."""
        return self._ctx.target_id(source_id)

    # ---- time -------------------------------------------------------------------------------------------

    def advance(self, delta: timedelta) -> list[CycleSummary]:
        """Move the clock by `delta`, running each cycle that falls due on the way; stopped jobs run none."""
        target = self.clock.now() + delta
        ran: list[CycleSummary] = []
        while self._running and not self._disabled and self._next_cycle_at is not None:
            due = self._next_cycle_at
            if due > target:
                break
            now = self.clock.now()
            if due > now:
                self.clock.advance(due - now)
            self.tenant.purge_expired()
            ran.append(self.run_cycle())
        now = self.clock.now()
        if target > now:
            self.clock.advance(target - now)
        # The recycle bin empties whether or not the job runs.
        self.tenant.purge_expired()
        return ran

    # ---- cycles -----------------------------------------------------------------------------------------

    def run_cycle(self) -> CycleSummary:
        """Run one cycle now: initial when there is no watermark, else incremental."""
        with self._cycle_lock:
            return self._run_cycle()

    def _run_cycle(self) -> CycleSummary:
        started = self.clock.now()
        wall = time.perf_counter()
        requests_before = self.client.requests_sent
        initial = self._watermark is None
        run = Run(
            cycle_id=str(uuid.uuid4()),
            kind="initial" if initial else "incremental",
            dialect=self.dialect,
            rematch=initial and self._rematch,
            force_deletes=self._force_deletes,
        )
        self.tenant.purge_expired()
        new_watermark = self.tenant.watermark()
        # Probes "at the start of any activity" (I-PROBE); a failing one aborts the cycle.
        failed = self._prober.first_failure(
            self.settings.probes_per_cycle, groups=self.mappings.provision_groups
        )
        if failed is not None:
            if failed.status in (401, 403, 404):
                run.quarantine = Quarantine(
                    QuarantineReason.EXCEPTION, failed.error_code, failed.message, self.clock.now()
                )
            run.abort.set()
        else:
            self._cycles.work(run, self._watermark)
        self._cycles.check_escrow_thresholds(run)
        if not run.abort.is_set():
            self._watermark = new_watermark
            if run.rematch:
                self._rematch = False
            if run.force_deletes:
                self._force_deletes = False
        summary = summarise(run, started, wall, self.client.requests_sent - requests_before)
        self._after_cycle(run, started)
        self._last_cycle = summary
        return summary

    def _after_cycle(self, run: Run, started: datetime) -> None:
        """Enter, update or leave quarantine (D-QUAR), then schedule the next cycle."""
        now = self.clock.now()
        if run.quarantine is not None:
            current = self._quarantine
            if current is None or current.reason is not run.quarantine.reason:
                self._quarantine = run.quarantine
            elif run.quarantine.error_code != current.error_code:
                current.error_code, current.message = run.quarantine.error_code, run.quarantine.message
        elif (
            self._quarantine is not None
            and self._quarantine.reason is not QuarantineReason.ON_DEMAND
            and not run.abort.is_set()
        ):
            self._quarantine = None  # one success takes the job out of quarantine (D-QUAR)
        if not self._running:
            self._next_cycle_at = None
            return
        if self._quarantine is not None:
            if self._quarantine.expired(now, self.settings.quarantine_disable_after):
                self._disabled = True
                self._next_cycle_at = None
                return
            self._next_cycle_at = self._quarantine.next_cycle_after(now, self.settings.quarantine_schedule)
        else:
            # Cycles run back to back: 40 minutes after the start, or at once when a cycle ran longer.
            self._next_cycle_at = max(started + self.settings.cycle_interval, now)


def _parse_scopes(scope: str | Iterable[str] | None) -> set[str]:
    if scope is None:
        return set()
    items = scope.split(",") if isinstance(scope, str) else list(scope)
    scopes = {item.strip() for item in items if item and item.strip()}
    unknown = scopes - set(RESTART_SCOPES)
    if unknown:
        raise ValueError(f"unknown restart scope(s) {sorted(unknown)}; known: {', '.join(RESTART_SCOPES)}")
    scopes.discard("None")
    return scopes


__all__ = [
    "ConnectionTestResult",
    "CycleSummary",
    "EngineSettings",
    "JobStatus",
    "OnDemandResult",
    "ProvisioningJob",
]
