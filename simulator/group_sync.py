"""One group, after all users of the cycle (§7, D-HOW): delete, or match/create, rename, then membership.

Reads exclude members, so membership is never read back: the link keeps the member ids Entra added, and each
cycle adds and removes the difference with the linked, in-scope users.
"""

from __future__ import annotations

from typing import Any

from scim_harness.simulator.answers import Outcome, Response
from scim_harness.simulator.context import GroupLink, JobContext, Run
from scim_harness.simulator.entries import created, group_entry, modified, redundant
from scim_harness.simulator.export import Export, ExportFailed
from scim_harness.simulator.logs import LogEntry, ModifiedProperty
from scim_harness.simulator.payloads import (
    group_create_body,
    group_filter_query,
    group_members_body,
    group_patch_body,
)
from scim_harness.simulator.quarantine import COMPLIANCE_MESSAGE, Quarantine, QuarantineReason
from scim_harness.simulator.scim_paths import diff_user


class GroupSync:
    def __init__(self, ctx: JobContext) -> None:
        self.ctx = ctx

    def sync(self, run: Run, group_id: str) -> LogEntry | None:
        """The group's log entry, or None when there is nothing to do for a group out of scope."""
        try:
            entry = self._steps(run, group_id)
        except ExportFailed as failed:
            return failed.entry
        if entry is not None:
            self.ctx.escrow_success(group_id)
        return entry

    def unavailable(self, run: Run, group_ids: list[str], probe: Response) -> None:
        """The group probe failed: each group to sync fails with the probe's answer and is escrowed.

        A 404 is a target without /Groups: with `groups_not_found="quarantine"` (the default) the job enters
        the SCIM-compliance quarantine, though the users were provisioned (§7, I-SNIPE, D-QUAR).
        """
        ctx = self.ctx
        for group_id in group_ids:
            in_scope = group_id in ctx.tenant.groups and ctx.tenant.group_in_scope(group_id)
            if not in_scope and group_id not in ctx.group_links:
                continue
            entry = group_entry(ctx, run, group_id)
            entry.action = "Update" if group_id in ctx.group_links else "Create"
            ctx.record(run, Export(ctx, run, entry, "group", group_id).failed(probe).entry)
        if probe.outcome is Outcome.NOT_FOUND and ctx.settings.groups_not_found == "quarantine":
            run.quarantine = run.quarantine or Quarantine(
                QuarantineReason.EXCEPTION, "ScimComplianceNotFound", COMPLIANCE_MESSAGE, ctx.clock.now()
            )

    def _steps(self, run: Run, group_id: str) -> LogEntry | None:
        ctx = self.ctx
        group = ctx.tenant.groups.get(group_id)
        link = ctx.group_links.get(group_id)
        if group is None or not ctx.tenant.group_in_scope(group_id):
            if link is None or not ctx.settings.delete_groups_out_of_scope:
                return None
            entry = group_entry(ctx, run, group_id)
            entry.action = "Delete"
            Export(ctx, run, entry, "group", group_id).delete(f"/Groups/{link.target_id}")
            ctx.group_links.pop(group_id, None)
            entry.status = "Success"
            return entry
        entry = group_entry(ctx, run, group_id)
        export = Export(ctx, run, entry, "group", group_id)
        view = ctx.tenant.group_source_view(group_id)
        values = {
            path: value
            for path, value in ctx.mappings.evaluate_group(view, on_create=link is None).items()
            if path != "members"
        }
        if link is None or run.rematch:
            link = self._match_or_create(export, values)
        else:
            self._update(export, link, values)
        return self._sync_members(export, link)

    def _update(self, export: Export, link: GroupLink, values: dict[str, Any]) -> None:
        response = export.send(
            "GET", f"/Groups/{link.target_id}", query="excludedAttributes=members", anchor=True
        )
        current = response.body if isinstance(response.body, dict) else {}
        if current.get("members"):
            raise export.refused(
                "SystemForCrossDomainIdentityManagementMultipleEntriesInResponse",
                response,
                "The group read returned members although excludedAttributes=members was requested.",
            )
        changes = diff_user(values, current, add_when_missing=self.ctx.settings.add_when_missing)
        if changes:
            export.entry.action = "Update"
            body = group_patch_body(
                changes, export.run.dialect, operations_first=self.ctx.settings.patch_operations_first
            )
            export.send("PATCH", f"/Groups/{link.target_id}", body=body, anchor=True)
            export.entry.modifiedProperties += modified(changes)

    def _match_or_create(self, export: Export, values: dict[str, Any]) -> GroupLink:
        ctx = self.ctx
        entry = export.entry
        pairs = ctx.mappings.group_matching_values(ctx.tenant.group_source_view(export.object_id)) or [
            ("displayName", values.get("displayName"))
        ]
        for attribute, value in pairs:
            resources, response = export.search("/Groups", group_filter_query(str(value), attribute))
            if len(resources) > 1:
                raise export.refused(
                    "DuplicateTargetEntries",
                    response,
                    f"More than one target group matches {attribute} '{value}'.",
                )
            if len(resources) == 1 and isinstance(resources[0].get("id"), str):
                entry.action = "Update"
                return self._link(export, resources[0]["id"])
        entry.action = "Create"
        body = group_create_body(
            str(values.get("displayName", "")),
            None if values.get("externalId") is None else str(values["externalId"]),
            form=ctx.settings.group_create_form,
        )
        link = self._link(export, export.create("/Groups", body))
        entry.modifiedProperties = created(values)
        return link

    def _link(self, export: Export, target_id: str) -> GroupLink:
        link = self.ctx.group_links[export.object_id] = GroupLink(target_id)
        export.entry.targetIdentity["id"] = target_id
        return link

    def _sync_members(self, export: Export, link: GroupLink) -> LogEntry:
        ctx = self.ctx
        entry = export.entry
        group = ctx.tenant.groups[export.object_id]
        # Only members Entra provisions (linked and in scope) are referenced; nested groups are not expanded.
        wanted = {ctx.links[m] for m in sorted(group.members) if m in ctx.links and ctx.tenant.in_scope(m)}
        adds = sorted(wanted - link.members)
        removes = sorted(link.members - wanted)
        size = max(1, ctx.settings.group_members_per_patch)
        for op, ids in (("Add", adds), ("Remove", removes)):
            for start in range(0, len(ids), size):
                batch = ids[start : start + size]
                body = group_members_body(
                    op, batch, export.run.dialect, operations_first=ctx.settings.patch_operations_first
                )
                response = export.call("PATCH", f"/Groups/{link.target_id}", body=body)
                if not response.ok:
                    entry.statusInfo.additionalDetails = "reference"
                    raise export.failed(response, anchor=True, reference=True)
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
            return redundant(entry)
        entry.status = "Success"
        return entry
