"""Provision on demand (D-POD): probes, then one user's sync now, always in the legacy dialect (D-COMPAT).

It keeps the links it makes, and neither escrows nor quarantines: `Run.on_demand` turns both off.
"""

from __future__ import annotations

import uuid

from scim_harness.common.scim_wire import Dialect
from scim_harness.simulator.context import JobContext, Run
from scim_harness.simulator.entries import skip, user_entry
from scim_harness.simulator.logs import ProvisioningStep, StatusInfo
from scim_harness.simulator.probe import Prober
from scim_harness.simulator.results import OnDemandResult
from scim_harness.simulator.user_sync import UserSync


def provision_on_demand(ctx: JobContext, prober: Prober, users: UserSync, user_id: str) -> OnDemandResult:
    """Entra's on-demand steps for one user; a failing probe is the only case "Test connection" appears."""
    user = ctx.tenant.user(user_id)
    run = Run(cycle_id=str(uuid.uuid4()), kind="on_demand", dialect=Dialect.LEGACY)
    probe = prober.first_failure(ctx.settings.probes_per_on_demand)
    if probe is not None:
        step = ProvisioningStep(
            "TestConnection", "import", "Failure", probe.message, {"errorCode": probe.error_code or ""}
        )
        entry = user_entry(ctx, run, user.id)
        entry.provisioningSteps.append(step)
        entry.action, entry.status = "Other", "Failure"
        entry.statusInfo = StatusInfo(errorCode=probe.error_code, reason=probe.message)
        ctx.record(run, entry)
        return OnDemandResult([step], "Other", "Failure", probe.error_code, [], entry)
    entry = users.sync(run, user.id)
    if entry is None:
        entry = skip(user_entry(ctx, run, user.id), "Nothing to provision for this user")
    ctx.record(run, entry)
    for pending in run.references:  # the manager, after the user (D-HOW), as in a cycle
        users.resolve_reference(run, pending)
    return OnDemandResult(
        steps=list(entry.provisioningSteps),
        action=entry.action,
        status=entry.status,
        error_code=entry.statusInfo.errorCode,
        modified_properties=list(entry.modifiedProperties),
        entry=entry,
    )
