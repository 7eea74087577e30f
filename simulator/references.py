"""Reference attributes (the manager): resolved after the users of a run, each on a PATCH of its own.

Entra creates or updates a user's own attributes first and resolves references once the users are done
(D-HOW initial cycle, step 5): "a user usually costs 2 writes (attributes, then manager)" (Q-CONC). The
value is the manager's *target* id, as a bare string (`{"op":"Add","path":"urn:...:manager","value":"271"}`,
I-MGR541; `add` with the flag, I-MGR686). A manager Entra has not linked (not provisioned, out of scope) is
not resolved, and nothing retries it until the user changes or the job restarts (D-KNOWN). A failed
reference is a reference failure: escrowed, but left out of the quarantine proportion (D-QUAR).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scim_harness.common.scim_wire import Dialect
from scim_harness.simulator.context import JobContext, PendingReference, Run
from scim_harness.simulator.export import Export, ExportFailed
from scim_harness.simulator.logs import LogEntry, ModifiedProperty, ProvisioningStep
from scim_harness.simulator.payloads import reference_patch_body
from scim_harness.simulator.scim_paths import Change, current_value, is_reference
from scim_harness.simulator.tenant import TenantError


def split_references(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the user's own attributes, its reference attributes) from one evaluation of the mappings."""
    own = {path: value for path, value in values.items() if not is_reference(path)}
    if len(own) == len(values):
        return own, {}
    return own, {path: value for path, value in values.items() if is_reference(path)}


def note(
    run: Run,
    entry: LogEntry,
    user_id: str,
    target_id: str,
    references: Mapping[str, Any],
    current: Mapping[str, Any] | None,
) -> None:
    """Remember the user's references for the end of the run (a create has no current value)."""
    for path, value in references.items():
        if value is None:
            continue  # null source values are not flowed; removing a manager is UNCONFIRMED (§4)
        held = current_value(current, path) if current else None
        run.refer(PendingReference(user_id, target_id, path, str(value), held, entry))


class References:
    def __init__(self, ctx: JobContext) -> None:
        self.ctx = ctx

    def resolve(self, run: Run, pending: PendingReference) -> LogEntry | None:
        """Resolve and send one reference; the user's entry (already recorded) gets the step. Returns None."""
        ctx = self.ctx
        entry = pending.entry
        manager_id = self._manager_target_id(pending.source_value)
        if manager_id is None:
            entry.provisioningSteps.append(
                ProvisioningStep(
                    "EntryReferenceResolutionSkipped",
                    "referenceResolution",
                    "Skipped",
                    f"The manager '{pending.source_value}' is not provisioned to the target; "
                    "the reference is not set",
                )
            )
            return None
        if pending.current is not None and str(pending.current) == manager_id:
            return None
        missing = pending.current is None and ctx.settings.add_when_missing
        change = Change("Add" if missing else "Replace", pending.path, pending.current, manager_id)
        dialect = Dialect.LEGACY if run.on_demand else run.dialect
        body = reference_patch_body(change, dialect, operations_first=ctx.settings.patch_operations_first)
        export = Export(ctx, run, entry, "user", pending.user_id)
        response = export.call("PATCH", f"/Users/{pending.target_id}", body=body)
        if not response.ok:
            entry.statusInfo.additionalDetails = "reference"
            try:
                raise export.failed(response, anchor=True, reference=True)
            except ExportFailed:
                return None
        entry.provisioningSteps.append(
            ProvisioningStep(
                "EntryReferenceResolutionUpdate",
                "referenceResolution",
                "Success",
                f"The manager reference was set to '{manager_id}'",
            )
        )
        entry.modifiedProperties.append(
            ModifiedProperty(
                pending.path, None if pending.current is None else str(pending.current), manager_id
            )
        )
        if entry.status == "Skipped" and entry.action == "Other":
            entry.action, entry.status = "Update", "Success"
            entry.statusInfo.reason = None
        return None

    def _manager_target_id(self, key: str) -> str | None:
        ctx = self.ctx
        try:
            manager = ctx.tenant.find_user(key)
        except TenantError:
            return None
        return ctx.links.get(manager.id)
