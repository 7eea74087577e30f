"""The provisioning job: Entra's control actions, its configuration, its schedule of cycles (§6).

One `ProvisioningJob` is one Entra provisioning job for one enterprise app. It owns the job's state
(watermark, quarantine, next cycle) and wires the parts that do the work:

- `simulator.probe`: Test Connection and the probes before any activity
- `simulator.cycle`: what a cycle covers, run on a pool; `simulator.user_sync`, `simulator.references` and
  `simulator.group_sync` for one object each, through `simulator.export` and `simulator.entries`
- `simulator.ondemand`: provision on demand
- `simulator.throttle`: Retry-After suspends all activity

The job is configured the way an administrator configures Entra, through `configure()` (or the property
setters), before or between cycles; every part reads the configuration when it uses it (`JobContext`), so a
change reaches the next request. As in Entra, a change of the attribute mappings (group provisioning
included) or of the scope runs a new initial cycle next (D-HOW); a new Tenant URL or Secret Token keeps the
links and the watermark.

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

from scim_harness.simulator.client import Listener, ScimClient
from scim_harness.simulator.clock import Clock
from scim_harness.simulator.configuration import JobConfiguration
from scim_harness.simulator.context import JobContext, Run
from scim_harness.simulator.cycle import CycleRunner, summarise
from scim_harness.simulator.escrow import EscrowStore
from scim_harness.simulator.group_sync import GroupSync
from scim_harness.simulator.logs import ProvisioningLogs
from scim_harness.simulator.mappings import MappingSet
from scim_harness.simulator.ondemand import provision_on_demand
from scim_harness.simulator.probe import CREDENTIALS_CODE, Prober
from scim_harness.simulator.quarantine import Quarantine, QuarantineReason
from scim_harness.simulator.results import (
    ConnectionTestResult,
    CycleSummary,
    JobProgress,
    JobStatus,
    OnDemandResult,
)
from scim_harness.simulator.schedule import after_cycle, parse_scopes
from scim_harness.simulator.settings import EngineSettings
from scim_harness.simulator.tenant import Tenant
from scim_harness.simulator.tenant_url import parse_tenant_url
from scim_harness.simulator.throttle import ThrottledClient
from scim_harness.simulator.user_sync import UserSync


class ProvisioningJob(JobConfiguration):
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
        self.clock = clock
        settings = settings or EngineSettings()
        self.job_id = f"scim.{uuid.uuid4().hex}.{uuid.uuid4()}"
        self.client = ScimClient(
            parse_tenant_url(tenant_url), secret_token, settings=settings, transport=transport
        )
        self.logs = ProvisioningLogs([secret_token], max_entries=settings.max_log_entries)
        self._ctx = JobContext(
            tenant=tenant,
            mappings=mappings,
            clock=clock,
            job_id=self.job_id,
            client=self.client,
            calls=ThrottledClient(self.client, clock),
            logs=self.logs,
            escrows=EscrowStore(settings.escrow_schedule, settings.escrow_give_up_after),
        )
        self._pool = ThreadPoolExecutor(max_workers=settings.max_connections)
        self._prober = Prober(self._ctx)
        self._users = UserSync(self._ctx)
        self._cycles = CycleRunner(self._ctx, self._users, GroupSync(self._ctx), self._pool)
        self._lock = (
            threading.RLock()
        )  # one cycle, on-demand run, Test Connection or reconfiguration at a time
        self._watermark: int | None = None
        self._rematch = False
        self._force_deletes = False
        self._running = False
        self._disabled = False
        self._quarantine: Quarantine | None = None
        self._next_cycle_at: datetime | None = None
        self._last_cycle: CycleSummary | None = None
        self._run: Run | None = None
        self._cycles_run = 0
        self._cancelled = threading.Event()

    # ---- lifecycle --------------------------------------------------------------------------------------

    def on_exchange(self, listener: Listener) -> None:
        """Observe every request the job sends and its answer (see ScimClient.add_listener)."""
        self.client.add_listener(listener)

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
        scopes = parse_scopes(scope)
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

    def cancel(self) -> None:
        """Stop now, for a caller's time budget (not an Entra action): the running cycle takes no more
        objects and no cycle starts after; calls in flight end within their own deadline."""
        self._cancelled.set()
        run = self._run
        if run is not None:
            run.abort.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def quarantine(self) -> None:
        """Quarantine the job by hand (QuarantinedOnDemand); a restart lifts it."""
        self._quarantine = Quarantine(
            QuarantineReason.ON_DEMAND, None, "Quarantined on demand", self.clock.now()
        )

    def test_connection(self) -> ConnectionTestResult:
        """The Test Connection button: a random-GUID userName query that must answer 200 + empty list (§1)."""
        with self._lock:
            return self._prober.test_connection()

    def provision_on_demand(self, user_id: str) -> OnDemandResult:
        """Provision one user now with Entra's on-demand steps; always the legacy dialect (D-COMPAT)."""
        with self._lock:
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

    @property
    def quarantined(self) -> bool:
        """Quarantined or disabled: what a CI run must not call a success."""
        return self._disabled or self._quarantine is not None

    @property
    def progress(self) -> JobProgress:
        """A snapshot for progress displays; safe to read from another thread while a cycle runs."""
        run = self._run
        return JobProgress(
            running=run is not None,
            kind=None if run is None else run.kind,
            objects_total=0 if run is None else run.total,
            objects_done=0 if run is None else run.done,
            cycles=self._cycles_run,
            requests=self.client.requests_sent,
        )

    def target_id(self, source_id: str) -> str | None:
        """The cached target id Entra linked to this user or group, if any."""
        return self._ctx.target_id(source_id)

    # ---- time -------------------------------------------------------------------------------------------

    def advance(self, delta: timedelta) -> list[CycleSummary]:
        """Move the clock by `delta`, running each cycle that falls due on the way; stopped jobs run none."""
        target = self.clock.now() + delta
        ran: list[CycleSummary] = []
        while self._running and not self._disabled and self._next_cycle_at is not None and not self.cancelled:
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
        with self._lock:
            try:
                return self._run_cycle()
            finally:
                self._run = None

    def _run_cycle(self) -> CycleSummary:
        ctx = self._ctx
        started = self.clock.now()
        wall = time.perf_counter()
        requests_before = self.client.requests_sent
        initial = self._watermark is None
        run = Run(
            cycle_id=str(uuid.uuid4()),
            kind="initial" if initial else "incremental",
            dialect=ctx.dialect,
            rematch=initial and self._rematch,
            force_deletes=self._force_deletes,
        )
        self._run = run
        if self.cancelled:
            run.abort.set()
        self.tenant.purge_expired()
        new_watermark = self.tenant.watermark()
        # Probes "at the start of any activity" (I-PROBE). Refused credentials and a 404 are quarantine
        # triggers (D-QUAR) and end the cycle; any other failure (timeout, 5xx, TLS) is our choice: the cycle
        # goes on and each object fails with its own error and is escrowed, as Entra's logs show
        # per-object Timeout and WebExceptionProtocolError entries (D-LOGERR).
        failed = groups_probe = None
        if not run.abort.is_set():  # not cancelled before it began
            failed = self._prober.first_failure(self.settings.probes_per_cycle)
            if failed is None and ctx.mappings.provision_groups:
                groups_probe = self._prober.group_probe()
                if groups_probe.error_code == CREDENTIALS_CODE:
                    failed = self._prober.result(groups_probe)
        if run.abort.is_set():
            pass
        elif failed is not None and self.settings.timeouts_end_cycle and ctx.calls.timeouts_in_a_row:
            # The failed probe was the last call: the client's count of timeouts says whether it timed out.
            run.end_unreachable(f"the cycle's probe timed out: {failed.message}")
        elif failed is not None and failed.status in (401, 403, 404):
            run.quarantine = Quarantine(
                QuarantineReason.EXCEPTION, failed.error_code, failed.message, self.clock.now()
            )
            run.abort.set()
        else:
            unavailable = groups_probe if groups_probe is not None and not groups_probe.ok else None
            self._cycles.work(run, self._watermark, unavailable)
        self._cycles.check_escrow_thresholds(run)
        if not run.abort.is_set():
            self._watermark = new_watermark
            if run.rematch:
                self._rematch = False
            if run.force_deletes:
                self._force_deletes = False
        summary = summarise(run, started, wall, self.client.requests_sent - requests_before)
        self._cycles_run += 1
        self._quarantine, self._disabled, self._next_cycle_at = after_cycle(
            run,
            started,
            self.clock.now(),
            quarantine=self._quarantine,
            running=self._running,
            disabled=self._disabled,
            settings=self.settings,
        )
        self._last_cycle = summary
        return summary


__all__ = [
    "ConnectionTestResult",
    "CycleSummary",
    "EngineSettings",
    "JobProgress",
    "JobStatus",
    "OnDemandResult",
    "ProvisioningJob",
]
