"""The provisioning job: Entra's cycles, matching, updates, deprovisioning and reactions to answers (§1-§7).

One `ProvisioningJob` is one Entra provisioning job for one enterprise app. It reads the source `Tenant`, maps
each user with the `MappingSet`, and speaks SCIM over HTTP through `ScimClient`; payload shapes live in
`simulator.payloads`, failure bookkeeping in `simulator.escrow` and `simulator.quarantine`, logs in
`simulator.logs`. Every behaviour the reference marks UNCONFIRMED is a field of `EngineSettings`.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

import httpx

from simulator.client import Outcome, Response, ScimClient
from simulator.clock import Clock
from simulator.dialect import Dialect, parse_tenant_url
from simulator.escrow import DEFAULT_ESCROW_SCHEDULE, EscrowStore
from simulator.logs import (
    LogEntry,
    ModifiedProperty,
    ProvisioningLogs,
    ProvisioningStep,
    StatusInfo,
    as_log_value,
)
from simulator.mappings import MappingSet
from simulator.payloads import (
    Change,
    diff_user,
    filter_query,
    group_create_body,
    group_filter_query,
    group_members_body,
    group_patch_body,
    list_resources,
    user_create_body,
    user_patch_body,
)
from simulator.quarantine import (
    COMPLIANCE_MESSAGE,
    CREDENTIALS_MESSAGE,
    DEFAULT_QUARANTINE_SCHEDULE,
    EscrowThresholds,
    Quarantine,
    QuarantineReason,
)
from simulator.tenant import SourceUser, Tenant

RESTART_SCOPES = (
    "Watermark",
    "Escrows",
    "QuarantineState",
    "Full",
    "ForceDeletes",
    "ConnectorDataStore",
    "None",
)
USER_IDENTITY_TYPE = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_IDENTITY_TYPE = "urn:ietf:params:scim:schemas:core:2.0:Group"
_INCOMPATIBLE = "SystemForCrossDomainIdentityManagementServiceIncompatible"


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


@dataclass
class _GroupLink:
    target_id: str
    members: set[str] = field(default_factory=set)  # target ids Entra added; reads exclude members (§7)


@dataclass
class _Run:
    """One cycle or on-demand run."""

    cycle_id: str
    kind: Literal["initial", "incremental", "on_demand"]
    dialect: Dialect
    rematch: bool = False
    force_deletes: bool = False
    abort: threading.Event = field(default_factory=threading.Event)
    quarantine: Quarantine | None = None
    entries: list[LogEntry] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def on_demand(self) -> bool:
        return self.kind == "on_demand"


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
        self._url = parse_tenant_url(tenant_url)
        self.dialect = self._url.dialect
        self._token = secret_token
        self.job_id = f"scim.{uuid.uuid4().hex}.{uuid.uuid4()}"
        self.client = ScimClient(
            self._url,
            secret_token,
            timeout=self.settings.timeout_seconds,
            max_connections=self.settings.max_connections,
            transport=transport,
        )
        self.logs = ProvisioningLogs([secret_token], max_entries=self.settings.max_log_entries)
        self._pool = ThreadPoolExecutor(max_workers=max(1, self.settings.max_connections))
        self._escrows = EscrowStore(self.settings.escrow_schedule, self.settings.escrow_give_up_after)
        self._lock = threading.Lock()
        self._cycle_lock = threading.Lock()
        self._throttle_lock = threading.Lock()
        self._pause_until: datetime | None = None
        self._links: dict[str, str] = {}  # source user id -> target id
        self._group_links: dict[str, _GroupLink] = {}
        self._staged: set[str] = set()  # deprovisions held by the accidental-deletion threshold
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
            self._links.clear()
            self._group_links.clear()
        if "Watermark" in scopes:
            self._watermark = None
        if "Escrows" in scopes:
            with self._lock:
                self._escrows.clear()
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
            escrows=len(self._escrows),
            last_cycle=self._last_cycle,
            next_cycle_at=self._next_cycle_at,
            initial_cycle_done=self._watermark is not None,
        )

    def target_id(self, source_id: str) -> str | None:
        """The cached target id Entra linked to this user or group, if any."""
        group = self._group_links.get(source_id)
        return self._links.get(source_id) or (group.target_id if group else None)

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

    # ---- test connection --------------------------------------------------------------------------------

    def test_connection(self) -> ConnectionTestResult:
        """The Test Connection button: a random-GUID userName query that must answer 200 + empty list (§1)."""
        result = self._probe(self._user_probe_attribute(), "/Users", filter_query)
        if result.success and self.mappings.provision_groups and self.settings.probe_groups:
            result = self._probe("displayName", "/Groups", lambda _a, v: group_filter_query(v))
        return result

    def _user_probe_attribute(self) -> str:
        matching = self.mappings.matching_attributes()
        return matching[0].target if matching else "userName"

    def _probe(self, attribute: str, path: str, query: Callable[[str, str], str]) -> ConnectionTestResult:
        response = self._request("GET", path, query=query(attribute, str(uuid.uuid4())))
        return _probe_result(response)

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
        run = _Run(
            cycle_id=str(uuid.uuid4()),
            kind="initial" if initial else "incremental",
            dialect=self.dialect,
            rematch=initial and self._rematch,
            force_deletes=self._force_deletes,
        )
        self.tenant.purge_expired()
        new_watermark = self.tenant.watermark()
        aborted = not self._cycle_probes(run)
        if not aborted:
            user_ids, group_ids = self._objects_for(run, initial)
            user_ids = self._hold_mass_deletes(run, user_ids)
            self._each(run, user_ids, self._sync_user)
            if self.mappings.provision_groups and not run.abort.is_set():
                self._each(run, group_ids, self._sync_group)
            aborted = run.abort.is_set()
        self._check_escrow_thresholds(run)
        if not aborted:
            self._watermark = new_watermark
            if run.rematch:
                self._rematch = False
            if run.force_deletes:
                self._force_deletes = False
        summary = self._summarise(run, started, wall, requests_before, aborted)
        self._after_cycle(run, started)
        self._last_cycle = summary
        return summary

    def _cycle_probes(self, run: _Run) -> bool:
        """Probes 'at the start of any activity' (I-PROBE). False aborts the cycle."""
        for _ in range(max(1, self.settings.probes_per_cycle)):
            result = self._probe(self._user_probe_attribute(), "/Users", filter_query)
            if not result.success:
                self._quarantine_on_probe(run, result)
                run.abort.set()
                return False
        if self.mappings.provision_groups:
            result = self._probe("displayName", "/Groups", lambda _a, v: group_filter_query(v))
            if not result.success:
                self._quarantine_on_probe(run, result)
                run.abort.set()
                return False
        return True

    def _quarantine_on_probe(self, run: _Run, result: ConnectionTestResult) -> None:
        if result.status in (401, 403, 404):
            run.quarantine = Quarantine(
                QuarantineReason.EXCEPTION, result.error_code, result.message, self.clock.now()
            )

    def _objects_for(self, run: _Run, initial: bool) -> tuple[list[str], list[str]]:
        """Initial: everything. Incremental: the delta since the watermark, due escrows and held deletes."""
        if initial:
            user_ids = list(self.tenant.users)
            group_ids = list(self.tenant.groups)
        else:
            changed = self.tenant.changes_since(self._watermark or 0)
            user_ids = [i for i in changed if i in self.tenant.users]
            group_ids = [i for i in changed if i in self.tenant.groups]
        with self._lock:
            due = self._escrows.due(self.clock.now())
        seen_users, seen_groups = set(user_ids), set(group_ids)
        for escrow in due:
            if escrow.kind == "user" and escrow.object_id not in seen_users:
                user_ids.append(escrow.object_id)
                seen_users.add(escrow.object_id)
            elif escrow.kind == "group" and escrow.object_id not in seen_groups:
                group_ids.append(escrow.object_id)
                seen_groups.add(escrow.object_id)
        user_ids += [i for i in self._staged if i not in seen_users]
        return user_ids, group_ids

    def _hold_mass_deletes(self, run: _Run, user_ids: list[str]) -> list[str]:
        """Accidental-deletion threshold (D-ACCDEL): too many disables+deletes in one cycle are held."""
        threshold = self.settings.accidental_deletion_threshold
        if threshold is None or run.force_deletes:
            self._staged.clear()
            return user_ids
        deprovisions = [i for i in user_ids if self._would_deprovision(i)]
        if len(deprovisions) <= threshold:
            self._staged.clear()
            return user_ids
        held = set(deprovisions)
        self._staged = held
        for user_id in deprovisions:
            entry = self._new_user_entry(run, user_id)
            entry.action, entry.status = "StagedDelete", "Skipped"
            entry.statusInfo = StatusInfo(
                errorCode="StagedDelete",
                reason=f"This deletion was held because the cycle would disable or delete "
                f"{len(deprovisions)} users, more than the accidental deletions threshold of {threshold}.",
                recommendedAction="Review the held deletions, then restart the job with ForceDeletes.",
            )
            self._record(run, entry)
        run.quarantine = Quarantine(
            QuarantineReason.TOO_MANY_DELETES,
            None,
            "Accidental deletions threshold exceeded",
            self.clock.now(),
        )
        return [i for i in user_ids if i not in held]

    def _would_deprovision(self, user_id: str) -> bool:
        user = self.tenant.users.get(user_id)
        if user_id not in self._links:
            return False
        if user is None or user.hard_deleted:
            return True
        return not self._entitled(user) or self.tenant.is_soft_deleted(user_id)

    def _each(self, run: _Run, object_ids: list[str], work: Callable[[_Run, str], LogEntry | None]) -> None:
        def one(object_id: str) -> None:
            if run.abort.is_set():
                return
            entry = work(run, object_id)
            if entry is not None:
                self._record(run, entry)

        if len(object_ids) <= 1:
            for object_id in object_ids:
                one(object_id)
            return
        for _ in self._pool.map(one, object_ids):
            pass

    def _record(self, run: _Run, entry: LogEntry) -> None:
        with run.lock:
            run.entries.append(entry)
        self.logs.add(entry)

    def _check_escrow_thresholds(self, run: _Run) -> None:
        failures = [e for e in run.entries if e.status == "Failure"]
        counted = [e for e in failures if e.statusInfo.additionalDetails != "reference"]
        with self._lock:
            all_failures = max(len(failures), len(self._escrows))
        if self.settings.escrow_thresholds.exceeded(len(counted), len(run.entries), all_failures):
            run.quarantine = run.quarantine or Quarantine(
                QuarantineReason.ESCROW_PROPORTION,
                None,
                "Escrow proportion threshold exceeded",
                self.clock.now(),
            )

    def _after_cycle(self, run: _Run, started: datetime) -> None:
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

    def _summarise(
        self, run: _Run, started: datetime, wall: float, requests_before: int, aborted: bool
    ) -> CycleSummary:
        by_action = Counter(e.action for e in run.entries)
        by_status = Counter(e.status for e in run.entries)
        both = Counter(f"{e.action}/{e.status}" for e in run.entries)
        return CycleSummary(
            cycle_id=run.cycle_id,
            kind="initial" if run.kind == "initial" else "incremental",
            started_at=started,
            objects=len(run.entries),
            by_action=dict(by_action),
            by_status=dict(by_status),
            requests=self.client.requests_sent - requests_before,
            wall_seconds=time.perf_counter() - wall,
            aborted=aborted,
            quarantine_reason=None if run.quarantine is None else run.quarantine.reason.value,
            by_action_status=dict(both),
        )

    # ---- on demand --------------------------------------------------------------------------------------

    def provision_on_demand(self, user_id: str) -> OnDemandResult:
        """Provision one user now with Entra's on-demand steps; always the legacy dialect (D-COMPAT)."""
        user = self.tenant.user(user_id)
        run = _Run(cycle_id=str(uuid.uuid4()), kind="on_demand", dialect=Dialect.LEGACY)
        for _ in range(max(1, self.settings.probes_per_on_demand)):
            probe = self._probe(self._user_probe_attribute(), "/Users", filter_query)
            if not probe.success:
                step = ProvisioningStep(
                    "TestConnection",
                    "import",
                    "Failure",
                    probe.message,
                    {"errorCode": probe.error_code or ""},
                )
                entry = self._new_user_entry(run, user.id)
                entry.provisioningSteps.append(step)
                entry.action, entry.status = "Other", "Failure"
                entry.statusInfo = StatusInfo(errorCode=probe.error_code, reason=probe.message)
                self._record(run, entry)
                return OnDemandResult([step], "Other", "Failure", probe.error_code, [], entry)
        entry = self._sync_user(run, user.id)
        if entry is None:
            entry = self._skip(run, self._new_user_entry(run, user.id), "Nothing to provision for this user")
        self._record(run, entry)
        return OnDemandResult(
            steps=list(entry.provisioningSteps),
            action=entry.action,
            status=entry.status,
            error_code=entry.statusInfo.errorCode,
            modified_properties=list(entry.modifiedProperties),
            entry=entry,
        )

    # ---- one user ---------------------------------------------------------------------------------------

    def _entitled(self, user: SourceUser) -> bool:
        """Assigned (or scope 'all') and inside the scoping filter, whatever the deletion or sign-in state."""
        tenant = self.tenant
        if tenant.scope == "assigned" and not tenant.is_assigned(user.id):
            return False
        if tenant.scoping_filter is None:
            return True
        return tenant.scoping_filter.matches({**user.attributes, "objectId": user.id})

    def _sync_user(self, run: _Run, user_id: str) -> LogEntry | None:
        began = time.perf_counter()
        entry = self._sync_user_steps(run, user_id)
        if entry is not None:
            entry.durationInMilliseconds = int((time.perf_counter() - began) * 1000)
            if entry.status != "Failure" and not run.on_demand:
                with self._lock:
                    self._escrows.succeed(user_id)
        return entry

    def _sync_user_steps(self, run: _Run, user_id: str) -> LogEntry | None:
        user = self.tenant.users.get(user_id)
        if user is None:
            return None
        if user.hard_deleted:
            return self._delete_user(run, user)
        entry = self._new_user_entry(run, user_id)
        link = self._links.get(user_id)
        upn = user.user_principal_name or user_id
        change = "Add" if link is None else "Update"
        entry.provisioningSteps.append(
            ProvisioningStep(
                f"EntryImport{change}",
                "import",
                "Success",
                f"Received User '{upn}' change of type ({change}) from Microsoft Entra ID",
                {"objectId": user_id},
            )
        )
        source = self.tenant.source_view(user_id)
        entitled = self._entitled(user)
        active = not source.get("IsSoftDeleted", False)
        scope_text = (
            "User is in scope"
            if entitled and active
            else "User is in scope but disabled in Microsoft Entra ID (IsSoftDeleted is true)"
            if entitled
            else "User is not assigned to the application or does not match the scoping filter"
        )
        entry.provisioningSteps.append(
            ProvisioningStep("EntrySynchronizationScoping", "scoping", "Success", scope_text)
        )

        if not entitled:
            if link is None:
                if run.kind == "initial":
                    return None  # the initial cycle imports only what is in scope
                return self._skip(
                    run, entry, "NotEffectivelyEntitled: the user is out of scope and not provisioned"
                )
            if self.settings.skip_out_of_scope_deletions:
                return self._skip(run, entry, "SkipOutOfScopeDeletions: out-of-scope users are not disabled")
            result = self._update_linked(run, entry, user_id, link, source)
            if result.status != "Failure":
                self._links.pop(user_id, None)  # no longer managed: a later delete sends nothing (D-HOW)
            return result
        if link is not None and not (run.rematch and active):
            return self._update_linked(run, entry, user_id, link, source)
        if not active:
            return self._skip(
                run, entry, "The user is disabled in Microsoft Entra ID and is not created (D-HOW)"
            )
        return self._match_and_provision(run, entry, user_id, source)

    def _match_and_provision(self, run: _Run, entry: LogEntry, user_id: str, source: dict) -> LogEntry:
        pairs = self.mappings.matching_values(source)
        if not pairs:
            entry.provisioningSteps.append(
                ProvisioningStep(
                    "EntryMatching", "matching", "Skipped", "No value for any matching attribute"
                )
            )
            entry.action, entry.status = "Other", "Skipped"
            entry.statusInfo = StatusInfo(
                errorCode="ImportSkipped", reason="The user has no value for the matching attribute."
            )
            return entry
        for attribute, value in pairs:
            response = self._request("GET", "/Users", query=filter_query(attribute, str(value)), run=run)
            if not response.ok:
                if response.outcome is Outcome.NOT_FOUND:
                    self._compliance_quarantine(run)
                return self._fail(run, entry, response, "user", user_id)
            resources = list_resources(response.body)
            if resources is None:
                return self._fail_code(
                    run,
                    entry,
                    "user",
                    user_id,
                    _INCOMPATIBLE,
                    response,
                    "We are not able to deserialize the resource received from the SCIM endpoint.",
                )
            description = f"Searched the target for a User with {attribute} '{value}': {len(resources)} found"
            if len(resources) > 1:
                entry.provisioningSteps.append(
                    ProvisioningStep("EntryMatching", "matching", "Failure", description)
                )
                return self._fail_code(
                    run,
                    entry,
                    "user",
                    user_id,
                    "DuplicateTargetEntries",
                    response,
                    f"More than one target entry matches {attribute} '{value}'.",
                )
            if len(resources) == 1:
                target = resources[0]
                target_id = target.get("id")
                if not isinstance(target_id, str) or not target_id:
                    return self._fail_code(
                        run,
                        entry,
                        "user",
                        user_id,
                        _INCOMPATIBLE,
                        response,
                        "The matched resource has no id.",
                    )
                entry.provisioningSteps.append(
                    ProvisioningStep(
                        "EntryMatching", "matching", "Success", description, {"targetId": target_id}
                    )
                )
                self._links[user_id] = target_id
                entry.targetIdentity["id"] = target_id
                return self._apply_diff(run, entry, user_id, target_id, source, target)
            entry.provisioningSteps.append(
                ProvisioningStep("EntryMatching", "matching", "Success", description)
            )
        return self._create(run, entry, user_id, source)

    def _create(self, run: _Run, entry: LogEntry, user_id: str, source: dict) -> LogEntry:
        values = self.mappings.evaluate_user(source, on_create=True, now=self.clock.now())
        entry.action = "Create"
        entry.provisioningSteps.append(
            ProvisioningStep(
                "EntrySynchronizationAdd",
                "processing",
                "Success",
                "User will be created in the target system",
            )
        )
        response = self._request("POST", "/Users", body=user_create_body(values), run=run)
        if not response.ok:
            return self._fail(run, entry, response, "user", user_id)
        target_id = response.body.get("id") if isinstance(response.body, dict) else None
        if not isinstance(target_id, str) or not target_id:
            return self._fail_code(
                run,
                entry,
                "user",
                user_id,
                _INCOMPATIBLE,
                response,
                "The SCIM endpoint answered the create without an id.",
            )
        self._links[user_id] = target_id
        entry.targetIdentity["id"] = target_id
        entry.modifiedProperties = [ModifiedProperty(p, None, as_log_value(v)) for p, v in values.items()]
        entry.provisioningSteps.append(
            ProvisioningStep(
                "EntryExportAdd", "export", "Success", f"User '{target_id}' was created in the target"
            )
        )
        entry.status = "Success"
        return entry

    def _update_linked(
        self, run: _Run, entry: LogEntry, user_id: str, target_id: str, source: dict
    ) -> LogEntry:
        entry.targetIdentity["id"] = target_id
        # "GET calls will always precede other actions" (Q-CONC): read the current state by the cached id.
        response = self._request("GET", f"/Users/{target_id}", run=run)
        if not response.ok:
            return self._fail(run, entry, response, "user", user_id, anchor=True)
        if not isinstance(response.body, dict):
            return self._fail_code(
                run,
                entry,
                "user",
                user_id,
                _INCOMPATIBLE,
                response,
                "We are not able to deserialize the resource received from the SCIM endpoint.",
            )
        return self._apply_diff(run, entry, user_id, target_id, source, response.body)

    def _apply_diff(
        self, run: _Run, entry: LogEntry, user_id: str, target_id: str, source: dict, current: dict
    ) -> LogEntry:
        desired = self.mappings.evaluate_user(source, on_create=False, now=self.clock.now())
        changes = diff_user(desired, current, add_when_missing=self.settings.add_when_missing)
        disabling = any(c.path == "active" and str(c.new).lower() == "false" for c in changes)
        entry.action = "Disable" if disabling else "Update"
        if not changes:
            entry.provisioningSteps.append(
                ProvisioningStep(
                    "EntrySynchronizationNone",
                    "processing",
                    "Skipped",
                    "The target already holds the mapped values; nothing to export",
                )
            )
            entry.action, entry.status = "Other", "Skipped"
            entry.statusInfo = StatusInfo(reason="RedundantExport: the target already matches the source.")
            return entry
        entry.provisioningSteps.append(
            ProvisioningStep(
                "EntrySynchronizationUpdate",
                "processing",
                "Success",
                f"User will be updated in the target system ({len(changes)} attributes)",
            )
        )
        body = user_patch_body(changes, run.dialect)
        response = self._request("PATCH", f"/Users/{target_id}", body=body, run=run)
        if not response.ok:
            return self._fail(run, entry, response, "user", user_id, anchor=True)
        entry.modifiedProperties = _modified(changes)
        entry.provisioningSteps.append(
            ProvisioningStep(
                "EntryExportUpdate", "export", "Success", f"User '{target_id}' was updated in the target"
            )
        )
        entry.status = "Success"
        return entry

    def _delete_user(self, run: _Run, user: SourceUser) -> LogEntry | None:
        """A hard delete sends DELETE only if the user was still managed when deleted (§5)."""
        target_id = self._links.get(user.id)
        if target_id is None:
            return None
        entry = self._new_user_entry(run, user.id)
        entry.targetIdentity["id"] = target_id
        entry.action = "Delete"
        entry.provisioningSteps.append(
            ProvisioningStep(
                "EntryImportDelete",
                "import",
                "Success",
                f"Received User '{user.user_principal_name}' change of type (Delete)",
            )
        )
        if not self._entitled(user) or not self.settings.delete_enabled:
            self._links.pop(user.id, None)
            return self._skip(run, entry, "The user was no longer managed when deleted; no delete is sent")
        response = self._request("DELETE", f"/Users/{target_id}", run=run)
        if not response.ok and response.outcome is not Outcome.NOT_FOUND:
            return self._fail(run, entry, response, "user", user.id)
        # A 404 on DELETE means the goal is reached: our choice, documented.
        self._links.pop(user.id, None)
        entry.provisioningSteps.append(
            ProvisioningStep("EntryExportDelete", "export", "Success", f"User '{target_id}' was deleted")
        )
        entry.status = "Success"
        return entry

    def _skip(self, run: _Run, entry: LogEntry, reason: str) -> LogEntry:
        entry.status = "Skipped"
        if entry.action not in ("Delete",):
            entry.action = "Other"
        entry.statusInfo = StatusInfo(errorCode="EntrySynchronizationSkipped", reason=reason)
        entry.provisioningSteps.append(
            ProvisioningStep("EntrySynchronizationSkipped", "processing", "Skipped", reason)
        )
        return entry

    # ---- groups -----------------------------------------------------------------------------------------

    def _sync_group(self, run: _Run, group_id: str) -> LogEntry | None:
        group = self.tenant.groups.get(group_id)
        link = self._group_links.get(group_id)
        in_scope = group is not None and self.tenant.group_in_scope(group_id)
        if not in_scope:
            if link is None or not self.settings.delete_groups_out_of_scope:
                return None
            entry = self._new_group_entry(run, group_id)
            entry.action = "Delete"
            response = self._request("DELETE", f"/Groups/{link.target_id}", run=run)
            if not response.ok and response.outcome is not Outcome.NOT_FOUND:
                return self._fail(run, entry, response, "group", group_id)
            self._group_links.pop(group_id, None)
            entry.status = "Success"
            return self._group_done(group_id, entry)
        entry = self._new_group_entry(run, group_id)
        view = self.tenant.group_source_view(group_id)
        values = {
            path: value
            for path, value in self.mappings.evaluate_group(view, on_create=link is None).items()
            if path != "members"
        }
        if link is None or run.rematch:
            result = self._match_group(run, entry, group_id, values)
            if result is not None:
                return result
            link = self._group_links[group_id]
        else:
            response = self._request(
                "GET", f"/Groups/{link.target_id}", query="excludedAttributes=members", run=run
            )
            if not response.ok:
                return self._fail(run, entry, response, "group", group_id, anchor=True)
            current = response.body if isinstance(response.body, dict) else {}
            if current.get("members"):
                return self._fail_code(
                    run,
                    entry,
                    "group",
                    group_id,
                    "SystemForCrossDomainIdentityManagementMultipleEntriesInResponse",
                    response,
                    "The group read returned members although excludedAttributes=members was requested.",
                )
            changes = diff_user(values, current, add_when_missing=self.settings.add_when_missing)
            if changes:
                entry.action = "Update"
                response = self._request(
                    "PATCH", f"/Groups/{link.target_id}", body=group_patch_body(changes, run.dialect), run=run
                )
                if not response.ok:
                    return self._fail(run, entry, response, "group", group_id, anchor=True)
                entry.modifiedProperties += _modified(changes)
        return self._sync_members(run, entry, group_id, link)

    def _match_group(self, run: _Run, entry: LogEntry, group_id: str, values: dict) -> LogEntry | None:
        """None when the group is linked (matched or created) and membership can follow."""
        pairs = self.mappings.group_matching_values(self.tenant.group_source_view(group_id)) or [
            ("displayName", values.get("displayName"))
        ]
        for attribute, value in pairs:
            if attribute != "displayName":
                query = "excludedAttributes=members&" + filter_query(attribute, str(value))
            else:
                query = group_filter_query(str(value))
            response = self._request("GET", "/Groups", query=query, run=run)
            if not response.ok:
                if response.outcome is Outcome.NOT_FOUND:
                    self._compliance_quarantine(run)
                return self._fail(run, entry, response, "group", group_id)
            resources = list_resources(response.body)
            if resources is None:
                return self._fail_code(
                    run,
                    entry,
                    "group",
                    group_id,
                    _INCOMPATIBLE,
                    response,
                    "We are not able to deserialize the resource received from the SCIM endpoint.",
                )
            if len(resources) > 1:
                return self._fail_code(
                    run,
                    entry,
                    "group",
                    group_id,
                    "DuplicateTargetEntries",
                    response,
                    f"More than one target group matches {attribute} '{value}'.",
                )
            if len(resources) == 1 and isinstance(resources[0].get("id"), str):
                self._group_links[group_id] = _GroupLink(resources[0]["id"])
                entry.targetIdentity["id"] = resources[0]["id"]
                entry.action = "Update"
                return None
        entry.action = "Create"
        body = group_create_body(
            str(values.get("displayName", "")), values.get("externalId"), form=self.settings.group_create_form
        )
        response = self._request("POST", "/Groups", body=body, run=run)
        if not response.ok:
            return self._fail(run, entry, response, "group", group_id)
        target_id = response.body.get("id") if isinstance(response.body, dict) else None
        if not isinstance(target_id, str):
            return self._fail_code(
                run,
                entry,
                "group",
                group_id,
                _INCOMPATIBLE,
                response,
                "The SCIM endpoint answered the create without an id.",
            )
        self._group_links[group_id] = _GroupLink(target_id)
        entry.targetIdentity["id"] = target_id
        entry.modifiedProperties = [ModifiedProperty(p, None, as_log_value(v)) for p, v in values.items()]
        return None

    def _sync_members(self, run: _Run, entry: LogEntry, group_id: str, link: _GroupLink) -> LogEntry:
        group = self.tenant.groups[group_id]
        # Only members Entra provisions (linked and in scope) are referenced; nested groups are not expanded.
        wanted = {
            self._links[m] for m in sorted(group.members) if m in self._links and self.tenant.in_scope(m)
        }
        adds = sorted(wanted - link.members)
        removes = sorted(link.members - wanted)
        size = max(1, self.settings.group_members_per_patch)
        for op, ids in (("Add", adds), ("Remove", removes)):
            for start in range(0, len(ids), size):
                batch = ids[start : start + size]
                body = group_members_body(op, batch, run.dialect)
                response = self._request("PATCH", f"/Groups/{link.target_id}", body=body, run=run)
                if not response.ok:
                    entry.statusInfo.additionalDetails = "reference"
                    return self._fail(run, entry, response, "group", group_id, anchor=True, reference=True)
                if op == "Add":
                    link.members.update(batch)
                else:
                    link.members.difference_update(batch)
                for member in batch:
                    entry.modifiedProperties.append(
                        ModifiedProperty(
                            "members", None if op == "Add" else member, member if op == "Add" else None
                        )
                    )
        if entry.action == "Other":
            entry.action = "Update"
        if not entry.modifiedProperties and entry.action == "Update":
            entry.action, entry.status = "Other", "Skipped"
            entry.statusInfo = StatusInfo(reason="RedundantExport: the target already matches the source.")
            return self._group_done(group_id, entry)
        entry.status = "Success"
        return self._group_done(group_id, entry)

    def _group_done(self, group_id: str, entry: LogEntry) -> LogEntry:
        with self._lock:
            self._escrows.succeed(group_id)
        return entry

    # ---- requests and failures --------------------------------------------------------------------------

    def _request(
        self, method: str, path: str, *, query: str = "", body: dict | None = None, run: _Run | None = None
    ) -> Response:
        """One call. Honouring Retry-After suspends all activity for the period, then retries the call."""
        attempts = 0
        while True:
            self._wait_if_suspended()
            if method == "GET":
                response = self.client.get(path, query)
            elif method == "POST":
                response = self.client.post(path, body or {})
            elif method == "PATCH":
                response = self.client.patch(path, body or {})
            else:
                response = self.client.delete(path)
            if (
                response.outcome is Outcome.THROTTLED
                and self.settings.retry_after_behaviour == "honour"
                and response.retry_after is not None
                and response.retry_after <= self.settings.max_retry_after_seconds
                and attempts < self.settings.retry_after_attempts
            ):
                attempts += 1
                self._suspend(response.retry_after)
                continue
            if response.outcome is Outcome.CREDENTIALS and run is not None and not run.on_demand:
                run.quarantine = Quarantine(
                    QuarantineReason.EXCEPTION, response.error_code, CREDENTIALS_MESSAGE, self.clock.now()
                )
                run.abort.set()
            return response

    def _suspend(self, seconds: float) -> None:
        with self._throttle_lock:
            until = self.clock.now() + timedelta(seconds=seconds)
            if self._pause_until is None or until > self._pause_until:
                self._pause_until = until

    def _wait_if_suspended(self) -> None:
        if self._pause_until is None:
            return
        with self._throttle_lock:
            until = self._pause_until
            if until is None:
                return
            now = self.clock.now()
            if until > now:
                self.clock.sleep((until - now).total_seconds())
            self._pause_until = None

    def _compliance_quarantine(self, run: _Run) -> None:
        if run.on_demand:
            return
        run.quarantine = Quarantine(
            QuarantineReason.EXCEPTION, "ScimComplianceNotFound", COMPLIANCE_MESSAGE, self.clock.now()
        )
        run.abort.set()

    def _fail(
        self,
        run: _Run,
        entry: LogEntry,
        response: Response,
        kind: str,
        object_id: str,
        *,
        anchor: bool = False,
        reference: bool = False,
    ) -> LogEntry:
        code = response.error_code or _INCOMPATIBLE
        reason = None
        if response.outcome is Outcome.NOT_FOUND and anchor:
            reason = (
                f"The {kind} that was previously created or matched in the target no longer exists "
                "(InvalidAnchor). Restart the job with a full re-match to re-create it."
            )
        elif response.outcome is Outcome.NOT_FOUND:
            code = "SystemForCrossDomainIdentityManagementServiceIncompatible"
            reason = COMPLIANCE_MESSAGE
        elif response.outcome is Outcome.CREDENTIALS:
            reason = CREDENTIALS_MESSAGE
        return self._fail_code(run, entry, kind, object_id, code, response, reason, reference=reference)

    def _fail_code(
        self,
        run: _Run,
        entry: LogEntry,
        kind: str,
        object_id: str,
        code: str,
        response: Response,
        reason: str | None = None,
        *,
        reference: bool = False,
    ) -> LogEntry:
        entry.status = "Failure"
        step_type = (
            "matching" if response.method == "GET" and response.path in ("/Users", "/Groups") else "export"
        )
        message = reason or "The SCIM endpoint refused the request."
        text = f"StatusCode: {response.status_phrase} Message: {message}"
        if response.text:
            text += f" Web Response: {response.text}."
        if not run.on_demand:
            with self._lock:
                escrow = self._escrows.fail(object_id, kind, code, self.clock.now(), reference=reference)
            text += (
                f" This operation was retried {escrow.retries} times."
                " It will be retried again after this date: "
                f"{escrow.next_attempt_at.strftime('%Y-%m-%dT%H:%M:%S')}Z"
            )
        text = text.replace(self._token, "***") if self._token else text
        entry.statusInfo = StatusInfo(
            errorCode=code,
            reason=text,
            additionalDetails="reference" if reference else entry.statusInfo.additionalDetails,
            recommendedAction=_RECOMMENDATIONS.get(code),
        )
        entry.provisioningSteps.append(
            ProvisioningStep(f"EntryExport{entry.action}", step_type, "Failure", text, {"errorCode": code})
        )
        return entry

    # ---- log entries ------------------------------------------------------------------------------------

    def _new_user_entry(self, run: _Run, user_id: str) -> LogEntry:
        user = self.tenant.users.get(user_id)
        attributes = user.attributes if user else {}
        return LogEntry(
            cycleId=run.cycle_id,
            jobId=self.job_id,
            activityDateTime=self.clock.now(),
            action="Other",
            status="Success",
            sourceIdentity={
                "id": user_id,
                "displayName": attributes.get("displayName"),
                "identityType": "User",
                "details": {"UserPrincipalName": attributes.get("userPrincipalName")},
            },
            targetIdentity={
                "id": self._links.get(user_id, ""),
                "displayName": attributes.get("userPrincipalName"),
                "identityType": USER_IDENTITY_TYPE,
                "details": {},
            },
        )

    def _new_group_entry(self, run: _Run, group_id: str) -> LogEntry:
        group = self.tenant.groups.get(group_id)
        link = self._group_links.get(group_id)
        name = group.display_name if group else None
        return LogEntry(
            cycleId=run.cycle_id,
            jobId=self.job_id,
            activityDateTime=self.clock.now(),
            action="Other",
            status="Success",
            sourceIdentity={"id": group_id, "displayName": name, "identityType": "Group", "details": {}},
            targetIdentity={
                "id": link.target_id if link else "",
                "displayName": name,
                "identityType": GROUP_IDENTITY_TYPE,
                "details": {},
            },
        )


_RECOMMENDATIONS = {
    "InvalidAnchor": "Restart the provisioning job with a full re-match (Graph restart, resetScope Full).",
    "EntryConflict": "Correct the conflicting attribute in the source or the target, or link the objects by "
    "making the matching attribute values equal.",
    "DuplicateTargetEntries": "Make the matching attribute unique in the target.",
    "SystemForCrossDomainIdentityManagementCredentialValidationFailure": "Check the Secret Token.",
}


def _modified(changes: list[Change]) -> list[ModifiedProperty]:
    return [ModifiedProperty(c.path, as_log_value(c.old), as_log_value(c.new)) for c in changes]


def _probe_result(response: Response) -> ConnectionTestResult:
    if response.outcome is Outcome.CREDENTIALS:
        return ConnectionTestResult(False, response.error_code, CREDENTIALS_MESSAGE, response.status)
    if response.outcome is Outcome.NOT_FOUND:
        return ConnectionTestResult(False, _INCOMPATIBLE, COMPLIANCE_MESSAGE, response.status)
    if not response.ok:
        message = {
            Outcome.TIMEOUT: "The SCIM endpoint did not answer within the timeout.",
            Outcome.PROTOCOL_ERROR: "We could not connect to the SCIM endpoint: " + response.text,
        }.get(response.outcome, f"The SCIM endpoint answered HTTP {response.status}: {response.text[:300]}")
        return ConnectionTestResult(False, response.error_code, message, response.status)
    resources = list_resources(response.body)
    if resources is None:
        return ConnectionTestResult(
            False,
            _INCOMPATIBLE,
            "The SCIM endpoint did not answer the query with a ListResponse.",
            response.status,
        )
    if resources:
        return ConnectionTestResult(
            False,
            _INCOMPATIBLE,
            "The SCIM endpoint returned resources for a filter on a random value; "
            "expected an empty ListResponse.",
            response.status,
        )
    return ConnectionTestResult(
        True, None, "The supplied credentials are authorized to enable provisioning.", response.status
    )


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
