"""The log entry of one object in one run: how a sync opens it, skips it and lists its changes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scim_harness.simulator.context import JobContext, Run
from scim_harness.simulator.logs import LogEntry, ModifiedProperty, ProvisioningStep, StatusInfo, as_log_value
from scim_harness.simulator.scim_paths import Change

USER_IDENTITY_TYPE = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_IDENTITY_TYPE = "urn:ietf:params:scim:schemas:core:2.0:Group"


def user_entry(ctx: JobContext, run: Run, user_id: str) -> LogEntry:
    user = ctx.tenant.users.get(user_id)
    attributes = user.attributes if user else {}
    upn = attributes.get("userPrincipalName")
    return _entry(
        ctx,
        run,
        _identity(user_id, attributes.get("displayName"), "User", {"UserPrincipalName": upn}),
        _identity(ctx.links.get(user_id, ""), upn, USER_IDENTITY_TYPE),
    )


def group_entry(ctx: JobContext, run: Run, group_id: str) -> LogEntry:
    group = ctx.tenant.groups.get(group_id)
    link = ctx.group_links.get(group_id)
    name = group.display_name if group else None
    return _entry(
        ctx,
        run,
        _identity(group_id, name, "Group"),
        _identity(link.target_id if link else "", name, GROUP_IDENTITY_TYPE),
    )


def skip(entry: LogEntry, reason: str) -> LogEntry:
    entry.status = "Skipped"
    if entry.action not in ("Delete",):
        entry.action = "Other"
    entry.statusInfo = StatusInfo(errorCode="EntrySynchronizationSkipped", reason=reason)
    entry.provisioningSteps.append(
        ProvisioningStep("EntrySynchronizationSkipped", "processing", "Skipped", reason)
    )
    return entry


def exported(entry: LogEntry, step: str, description: str) -> LogEntry:
    """The export step of a write the target accepted; the entry is a success."""
    entry.provisioningSteps.append(ProvisioningStep(step, "export", "Success", description))
    entry.status = "Success"
    return entry


def redundant(entry: LogEntry) -> LogEntry:
    """Nothing was sent because the target already matches (a Skipped entry, as in Entra's logs)."""
    entry.action, entry.status = "Other", "Skipped"
    entry.statusInfo = StatusInfo(reason="RedundantExport: the target already matches the source.")
    return entry


def modified(changes: list[Change]) -> list[ModifiedProperty]:
    return [ModifiedProperty(c.path, as_log_value(c.old), as_log_value(c.new)) for c in changes]


def created(values: Mapping[str, Any]) -> list[ModifiedProperty]:
    return [ModifiedProperty(path, None, as_log_value(value)) for path, value in values.items()]


def _entry(ctx: JobContext, run: Run, source: dict[str, Any], target: dict[str, Any]) -> LogEntry:
    return LogEntry(
        cycleId=run.cycle_id,
        jobId=ctx.job_id,
        activityDateTime=ctx.clock.now(),
        action="Other",
        status="Success",
        sourceIdentity=source,
        targetIdentity=target,
    )


def _identity(
    object_id: str, display_name: str | None, identity_type: str, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "id": object_id,
        "displayName": display_name,
        "identityType": identity_type,
        "details": details or {},
    }
