"""The groups in the SCIM service, as Entra's job linked them and the protocol probe reads them (§7).

Entra never reads members back (it reads groups with `excludedAttributes=members`), so the checks here are the
suite's own reads: the whole group by the id Entra linked, its members as the users' ids in the service.
"""

from __future__ import annotations

import json
from typing import Any

from scim_harness.common.scim_wire import MS_GROUP_SCHEMA
from scim_harness.drivers.protocol_probe import Answer, ProtocolProbe
from scim_harness.reporting.verdicts import Unmet
from scim_harness.steps.support import wire_checks
from scim_harness.steps.support.directory import Directory
from scim_harness.steps.support.provisioning import Provisioning
from scim_harness.steps.support.wire import EntraWire, WireExchange

NOT_LINKED = dict(
    entra="could not create or match the group (its provisioning log says why): the group and every "
    "membership of it never reach the app, and each later cycle fails it again",
    source="D-SCIM §7 (create group: reply 201 with the id; groups are matched on displayName)",
)


def linked_group_id(provisioning: Provisioning, directory: Directory, group: str) -> str:
    """The service's id of the group, as Entra linked it; `Unmet` (with its own verdict) when it has none."""
    target_id = provisioning.job.target_id(directory.group_id(group))
    if not target_id:
        failures = group_failures(provisioning, directory, group)
        raise Unmet(
            f"Entra ID has not linked the group {group} to the service: {failures[-1:]}", **NOT_LINKED
        )
    return target_id


def read_group(probe: ProtocolProbe, provisioning: Provisioning, directory: Directory, group: str) -> Answer:
    """The whole group (members included), read by the id Entra linked."""
    answer = probe.read_group(linked_group_id(provisioning, directory, group))
    if answer.status != 200 or not isinstance(answer.body, dict):
        raise AssertionError(f"the group {group} cannot be read: {answer.summary()}")
    return answer


def member_ids(group: Answer) -> set[str]:
    members = group.body.get("members") if isinstance(group.body, dict) else None
    return {str(m.get("value")) for m in members or [] if isinstance(m, dict)}


def exact_groups(answer: Answer, display_name: str) -> list[dict[str, Any]]:
    """The groups of a displayName look-up whose name is this one, whatever its case."""
    wanted = display_name.lower()
    return [r for r in answer.resources if str(r.get("displayName", "")).lower() == wanted]


def group_failures(provisioning: Provisioning, directory: Directory, group: str) -> list[str]:
    """The group's failures in the provisioning log."""
    source_id = directory.group_id(group)
    return [
        f"{e.action} {e.status} {e.statusInfo.errorCode}: {e.statusInfo.reason}"
        for e in provisioning.job.logs.entries
        if e.source_id == source_id and e.status == "Failure"
    ]


def refused_schema(create: WireExchange) -> None:
    """A group create refused because of Microsoft's own schema URN in it: `Unmet` with what that means."""
    request = create.request if isinstance(create.request, dict) else {}
    said = json.dumps(create.response) if create.response is not None else ""
    if (
        create.status == 400
        and MS_GROUP_SCHEMA in (request.get("schemas") or [])
        and "schema" in said.lower()
    ):
        raise Unmet(
            f"the group create was refused for its schemas {request.get('schemas')}: {said[:300]}",
            entra="sends its documented group create with Microsoft's own schema URN beside the core one; "
            "refused, no group is ever created and group provisioning fails every cycle",
            source="D-SCIM §7 (the create group example), entra-provisioning.md §7 (one observed create "
            "carried the core schema only: Q-GRPPOST)",
            rfc="RFC 7643 §3 lets a service refuse a schema its Group resource type does not declare; Entra "
            "sends it, so a service must accept and ignore it",
        )


def created_group_id(wire: EntraWire, directory: Directory, group: str) -> str:
    """The id the service answered Entra's create of the group with; `Unmet` when it created none."""
    create = wire_checks.created(wire, "Groups", "displayName", directory.group_name(group))
    refused_schema(create)
    group_id = create.response.get("id") if isinstance(create.response, dict) else None
    if create.status is None or not 200 <= create.status < 300 or not isinstance(group_id, str):
        raise Unmet(
            f"the create of the group {group} was answered {create.status or create.outcome}", **NOT_LINKED
        )
    return group_id
