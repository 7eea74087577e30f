"""One Entra sequence, twice: the same tenant, the same virtual clock, the same order, two targets.

The sequence is the simulator's own: each side gets its own `ProvisioningJob` over a tenant built from the
same Graph JSON (a file, or a generated tenant and the built-in lifecycle), a `VirtualClock` starting at the
same instant, and the simulator's timeline runner. The job runs with one connection, so that the requests
reach each target in one order that depends only on the tenant and the answers (Entra's own pool is
parallel, Q-CONC; order across users is not what compare is about). Only the target differs.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import httpx

from scim_harness.common.errors import HarnessError
from scim_harness.common.redact import Redactor
from scim_harness.common.scim_wire import FLAG, Dialect
from scim_harness.compare.lifecycle import lifecycle_timeline
from scim_harness.compare.normalise import Labels
from scim_harness.compare.reach import split
from scim_harness.compare.recorder import ABSENT, Exchange, RecordingTransport
from scim_harness.simulator.clock import VirtualClock
from scim_harness.simulator.engine import EngineSettings, ProvisioningJob
from scim_harness.simulator.generate import generate_tenant
from scim_harness.simulator.mappings import MappingSet
from scim_harness.simulator.runner import TimelineRunner, default_duration
from scim_harness.simulator.tenant import Tenant

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
"""Both clocks start here (a Monday morning); any fixed instant would do, as long as both sides share it."""
UNREACHABLE = frozenset({"WebExceptionProtocolError", "Timeout"})
CREDENTIALS = "SystemForCrossDomainIdentityManagementCredentialValidationFailure"
FINAL_READ_TIMEOUT = 30.0
CYCLE = timedelta(minutes=40)
"""Entra's incremental cycle interval (D-SCIM, D-HOW)."""


@dataclass(frozen=True)
class Target:
    name: str
    url: str
    token: str = field(repr=False)


@dataclass
class Scenario:
    """What both sides replay: a tenant (Graph JSON, timeline included), mappings, dialect, duration."""

    tenant: dict[str, Any]
    mappings: MappingSet
    dialect: Dialect
    duration: timedelta
    timeout: float = 60.0
    description: str = ""

    @property
    def user_names(self) -> dict[str, str]:
        """userName (case-folded UPN, every one a user has in the timeline) -> label `u<position>`."""
        labels: dict[str, str] = {}
        by_key: dict[str, str] = {}
        for index, user in enumerate(self.tenant.get("users", []), start=1):
            label = f"u{index}"
            for key in (user.get("userPrincipalName"), user.get("id")):
                if isinstance(key, str):
                    by_key[key.casefold()] = label
            if isinstance(user.get("userPrincipalName"), str):
                labels[user["userPrincipalName"].casefold()] = label
        for event in self.tenant.get("timeline", []):
            if not isinstance(event, dict):
                continue
            new = (
                (event.get("set") or {}).get("userPrincipalName") if event.get("action") == "update" else None
            )
            owner = by_key.get(str(event.get("user", "")).casefold())
            if isinstance(new, str) and owner:
                labels.setdefault(new.casefold(), owner)
        return labels

    @property
    def object_labels(self) -> dict[str, str]:
        """Source object id -> label, for the provisioning log."""
        return {
            str(user.get("id")): f"u{index}"
            for index, user in enumerate(self.tenant.get("users", []), start=1)
            if user.get("id")
        }


@dataclass
class LogOutcome:
    at: timedelta
    object: str
    action: str
    status: str
    error_code: str | None
    reason: str | None


@dataclass
class SideResult:
    target: Target
    exchanges: list[Exchange]
    log: list[LogOutcome]
    connection: dict[str, Any]
    job_state: dict[str, Any]
    labels: Labels
    final_state: dict[str, Any]


def load_scenario(
    *,
    tenant_file: Path | None,
    users: int | None,
    seed: int,
    locale: str,
    lifecycle: bool,
    mappings: MappingSet,
    dialect: Dialect,
    duration: timedelta | None,
    timeout: float,
) -> Scenario:
    """The tenant as Graph JSON (read once, built twice later), with the lifecycle for generated users."""
    if tenant_file is not None:
        try:
            data = json.loads(tenant_file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise HarnessError(f"cannot read tenant file {tenant_file}: {exc.strerror}") from None
        except json.JSONDecodeError as exc:
            raise HarnessError(f"tenant file {tenant_file} is not valid JSON: {exc}") from None
        description = f"tenant file {tenant_file.name}"
    else:
        generated = generate_tenant(users or 0, VirtualClock(START), seed=seed, locale=locale)  # type: ignore[arg-type]
        data = generated.to_graph_json()
        if lifecycle:
            data["timeline"] = lifecycle_timeline(data["users"])
        description = f"{users} generated users (seed {seed}, {locale})" + (
            ", built-in lifecycle" if lifecycle else ""
        )
    scenario = Scenario(data, mappings, dialect, duration or timedelta(0), timeout, description)
    tenant = build_tenant(scenario)  # a bad file fails here, in one line, before any target is called
    if duration is None:
        # As `simulate`: the timeline's last event plus one cycle, or only the initial cycle.
        scenario.duration = default_duration(tenant.timeline, CYCLE)
    return scenario


def build_tenant(scenario: Scenario, clock: VirtualClock | None = None) -> Tenant:
    try:
        return Tenant.from_graph_json(copy.deepcopy(scenario.tenant), clock or VirtualClock(START))
    except ValueError as exc:
        raise HarnessError(f"tenant: {exc}") from None


def tenant_url(url: str, dialect: Dialect) -> str:
    """The Tenant URL as an admin would type it: the flag added for the compliant dialect (D-COMPAT)."""
    parts = urlsplit(url)
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != FLAG]
    query = urlencode(pairs)
    if dialect is Dialect.COMPLIANT:
        query = f"{query}&{FLAG}" if query else FLAG
    return parts._replace(query=query).geturl()


def replay(scenario: Scenario, target: Target, redactor: Redactor) -> SideResult:
    """Run the scenario against one target and record everything comparable."""
    clock = VirtualClock(START)
    tenant = build_tenant(scenario, clock)
    url = tenant_url(target.url, scenario.dialect)
    base = split(url)[0]
    recorder = RecordingTransport(
        base, clock, START, redactor, extra_query=split(url)[1], timeout=scenario.timeout
    )
    settings = EngineSettings(max_connections=1, timeout_seconds=scenario.timeout)
    try:
        job = ProvisioningJob(
            tenant, url, target.token, scenario.mappings, clock, settings, transport=recorder
        )
    except ValueError as exc:
        raise HarnessError(f"{target.name}: {exc}") from None
    with job:
        check = job.test_connection()
        if check.error_code in UNREACHABLE:
            raise HarnessError(f"{target.name} ({_shown(target.url)}) is unreachable: {check.message}")
        if check.error_code == CREDENTIALS:
            raise HarnessError(
                f"{target.name} ({_shown(target.url)}) refused the Secret Token: {check.message}"
            )
        try:
            TimelineRunner(job, tenant.timeline).run(scenario.duration)
        except ValueError as exc:
            raise HarnessError(f"timeline: {exc}") from None
        status = job.status
        log = [
            LogOutcome(
                at=entry.activityDateTime - START,
                object=scenario.object_labels.get(str(entry.source_id), "-"),
                action=entry.action,
                status=entry.status,
                error_code=entry.error_code,
                reason=redactor.text(entry.statusInfo.reason or "") or None,
            )
            for entry in job.logs.entries
        ]
    labels = Labels(scenario.user_names).learn(recorder.exchanges)
    return SideResult(
        target=target,
        exchanges=recorder.exchanges,
        log=log,
        connection={"success": check.success, "error_code": check.error_code, "status": check.status},
        job_state={
            "state": status.state,
            "quarantine_reason": status.quarantine_reason,
            "escrows": status.escrows,
        },
        labels=labels,
        final_state=_final_state(base, target.token, labels, redactor, split(url)[1]),
    )


def _final_state(
    base: str, token: str, labels: Labels, redactor: Redactor, extra_query: str
) -> dict[str, Any]:
    """Each user the sequence touched, read by its last known id at the end of the run (ABSENT on 404)."""
    last_id: dict[str, str] = {}
    for target_id, label in labels.by_id.items():
        last_id[label] = target_id
    state: dict[str, Any] = {}
    query = "?" + extra_query if extra_query else ""
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=FINAL_READ_TIMEOUT) as client:
        for label, target_id in sorted(last_id.items(), key=lambda item: _label_order(item[0])):
            try:
                answer = client.get(f"{base}/Users/{quote(target_id, safe='')}{query}")
            except httpx.HTTPError as exc:
                state[label] = f"unreadable: {type(exc).__name__}"
                continue
            if answer.status_code == 404:
                state[label] = ABSENT
                continue
            try:
                state[label] = redactor.json(answer.json())
            except ValueError:
                state[label] = f"unreadable: HTTP {answer.status_code}"
    return state


def _label_order(label: str) -> tuple[int, str]:
    return (int(label[1:]), label) if label[1:].isdigit() else (1 << 30, label)


def _shown(url: str) -> str:
    parts = urlsplit(url)
    return parts._replace(query="").geturl()
