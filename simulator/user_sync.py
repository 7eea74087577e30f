"""One user, in Entra's order: delete, deprovision, update by the link, skip, or match then create (§5).

Import and scoping steps open the entry; then a hard-deleted user is DELETEd if still managed, an
unentitled linked user is disabled and unlinked, a linked user is read and PATCHed with the difference, a
disabled unlinked user is never created, and any other user is matched by the matching attributes in
precedence order and linked (then PATCHed) or POSTed.
"""

from __future__ import annotations

import time
from typing import Any

from scim_harness.common.scim_wire import filter_query
from scim_harness.simulator.answers import Outcome
from scim_harness.simulator.context import JobContext, PendingReference, Run
from scim_harness.simulator.entries import created, exported, modified, redundant, skip, user_entry
from scim_harness.simulator.export import UNREADABLE, Export, ExportFailed
from scim_harness.simulator.logs import LogEntry, ProvisioningStep, StatusInfo
from scim_harness.simulator.payloads import user_create_body, user_patch_body
from scim_harness.simulator.references import References, note, split_references
from scim_harness.simulator.scim_paths import diff_user
from scim_harness.simulator.tenant import SourceUser


class UserSync:
    def __init__(self, ctx: JobContext) -> None:
        self.ctx = ctx
        self._references = References(ctx)

    def resolve_reference(self, run: Run, pending: PendingReference) -> LogEntry | None:
        """The manager of a user synced in this run, after all of the run's users (simulator.references)."""
        return self._references.resolve(run, pending)

    def sync(self, run: Run, user_id: str) -> LogEntry | None:
        """The user's log entry, or None when Entra would not even import it."""
        began = time.perf_counter()
        try:
            entry = self._steps(run, user_id)
        except ExportFailed as failed:
            entry = failed.entry
        if entry is not None:
            entry.durationInMilliseconds = int((time.perf_counter() - began) * 1000)
            if entry.status != "Failure" and not run.on_demand:
                self.ctx.escrow_success(user_id)
        return entry

    def entitled(self, user: SourceUser) -> bool:
        """Assigned (or scope 'all') and inside the scoping filter, whatever the deletion or sign-in state."""
        tenant = self.ctx.tenant
        if tenant.scope == "assigned" and not tenant.is_assigned(user.id):
            return False
        if tenant.scoping_filter is None:
            return True
        return tenant.scoping_filter.matches({**user.attributes, "objectId": user.id})

    def would_deprovision(self, user_id: str) -> bool:
        """Whether syncing the user now would disable or delete it in the target (D-ACCDEL counts these)."""
        user = self.ctx.tenant.users.get(user_id)
        if user_id not in self.ctx.links:
            return False
        if user is None or user.hard_deleted:
            return True
        return not self.entitled(user) or self.ctx.tenant.is_soft_deleted(user_id)

    def _steps(self, run: Run, user_id: str) -> LogEntry | None:
        ctx = self.ctx
        user = ctx.tenant.users.get(user_id)
        if user is None:
            return None
        if user.hard_deleted:
            return self._delete(run, user)
        entry = user_entry(ctx, run, user_id)
        export = Export(ctx, run, entry, "user", user_id)
        link = ctx.links.get(user_id)
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
        source = ctx.tenant.source_view(user_id)
        entitled = self.entitled(user)
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
                return skip(entry, "NotEffectivelyEntitled: the user is out of scope and not provisioned")
            if ctx.settings.skip_out_of_scope_deletions:
                return skip(entry, "SkipOutOfScopeDeletions: out-of-scope users are not disabled")
            self._update_linked(export, link, source)
            ctx.links.pop(user_id, None)  # no longer managed: a later delete sends nothing (D-HOW)
            return entry
        if link is not None and not (run.rematch and active):
            return self._update_linked(export, link, source)
        if not active:
            return skip(entry, "The user is disabled in Microsoft Entra ID and is not created (D-HOW)")
        return self._match_and_provision(export, source)

    def _match_and_provision(self, export: Export, source: dict[str, Any]) -> LogEntry:
        entry = export.entry
        pairs = self.ctx.mappings.matching_values(source)
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
            resources, response = export.search("/Users", filter_query(attribute, str(value)))
            description = f"Searched the target for a User with {attribute} '{value}': {len(resources)} found"
            if len(resources) > 1:
                entry.provisioningSteps.append(
                    ProvisioningStep("EntryMatching", "matching", "Failure", description)
                )
                raise export.refused(
                    "DuplicateTargetEntries",
                    response,
                    f"More than one target entry matches {attribute} '{value}'.",
                )
            if len(resources) == 1:
                target = resources[0]
                target_id = target.get("id")
                if not isinstance(target_id, str) or not target_id:
                    raise export.incompatible(response, "The matched resource has no id.")
                entry.provisioningSteps.append(
                    ProvisioningStep(
                        "EntryMatching", "matching", "Success", description, {"targetId": target_id}
                    )
                )
                self.ctx.links[export.object_id] = target_id
                entry.targetIdentity["id"] = target_id
                return self._apply_diff(export, target_id, source, target)
            entry.provisioningSteps.append(
                ProvisioningStep("EntryMatching", "matching", "Success", description)
            )
        return self._create(export, source)

    def _create(self, export: Export, source: dict[str, Any]) -> LogEntry:
        ctx = self.ctx
        values = ctx.mappings.evaluate_user(source, on_create=True, now=ctx.clock.now())
        values, references = split_references(values)
        entry = export.entry
        entry.action = "Create"
        entry.provisioningSteps.append(
            ProvisioningStep(
                "EntrySynchronizationAdd",
                "processing",
                "Success",
                "User will be created in the target system",
            )
        )
        target_id = export.create(
            "/Users", user_create_body(values, empty_roles=ctx.settings.create_empty_roles)
        )
        ctx.links[export.object_id] = target_id
        entry.targetIdentity["id"] = target_id
        entry.modifiedProperties = created(values)
        if references:
            note(export.run, entry, export.object_id, target_id, references, None)
        return exported(entry, "EntryExportAdd", f"User '{target_id}' was created in the target")

    def _update_linked(self, export: Export, target_id: str, source: dict[str, Any]) -> LogEntry:
        export.entry.targetIdentity["id"] = target_id
        # "GET calls will always precede other actions" (Q-CONC): read the current state by the cached id.
        response = export.send("GET", f"/Users/{target_id}", anchor=True)
        if not isinstance(response.body, dict):
            raise export.incompatible(response, UNREADABLE)
        return self._apply_diff(export, target_id, source, response.body)

    def _apply_diff(
        self, export: Export, target_id: str, source: dict[str, Any], current: dict[str, Any]
    ) -> LogEntry:
        ctx = self.ctx
        entry = export.entry
        desired = ctx.mappings.evaluate_user(source, on_create=False, now=ctx.clock.now())
        desired, references = split_references(desired)
        if references:
            note(export.run, entry, export.object_id, target_id, references, current)
        changes = diff_user(desired, current, add_when_missing=ctx.settings.add_when_missing)
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
            return redundant(entry)
        entry.provisioningSteps.append(
            ProvisioningStep(
                "EntrySynchronizationUpdate",
                "processing",
                "Success",
                f"User will be updated in the target system ({len(changes)} attributes)",
            )
        )
        body = user_patch_body(
            changes, export.run.dialect, operations_first=ctx.settings.patch_operations_first
        )
        export.send("PATCH", f"/Users/{target_id}", body=body, anchor=True)
        entry.modifiedProperties = modified(changes)
        return exported(entry, "EntryExportUpdate", f"User '{target_id}' was updated in the target")

    def _delete(self, run: Run, user: SourceUser) -> LogEntry | None:
        """A hard delete sends DELETE only if the user was still managed when deleted (§5)."""
        ctx = self.ctx
        target_id = ctx.links.get(user.id)
        if target_id is None:
            return None
        entry = user_entry(ctx, run, user.id)
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
        if not self.entitled(user) or not ctx.settings.delete_enabled:
            ctx.links.pop(user.id, None)
            return skip(entry, "The user was no longer managed when deleted; no delete is sent")
        export = Export(ctx, run, entry, "user", user.id)
        # "GET calls will always precede other actions (POST/PATCH/DELETE)" (Q-CONC): read, then delete.
        # A user the target no longer has is already where the delete would take it (our choice).
        read = export.call("GET", f"/Users/{target_id}")
        if read.ok:
            export.delete(f"/Users/{target_id}")
        elif read.outcome is not Outcome.NOT_FOUND:
            raise export.failed(read, anchor=True)
        ctx.links.pop(user.id, None)
        return exported(entry, "EntryExportDelete", f"User '{target_id}' was deleted")
