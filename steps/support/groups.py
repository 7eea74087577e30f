"""The groups in the SCIM service, as Entra's job linked them and the protocol probe reads them (§7).

Entra never reads members back (it reads groups with `excludedAttributes=members`), so the checks here are the
suite's own reads: the whole group by the id Entra linked, its members as the users' ids in the service.
"""

from __future__ import annotations

from typing import Any

from scim_harness.drivers.protocol_probe import Answer, ProtocolProbe
from scim_harness.steps.support.directory import Directory
from scim_harness.steps.support.provisioning import Provisioning


def linked_group_id(provisioning: Provisioning, directory: Directory, group: str) -> str:
    """The service's id of the group, as Entra linked it."""
    target_id = provisioning.job.target_id(directory.group_id(group))
    if not target_id:
        failures = [e.statusInfo.reason for e in provisioning.job.logs.entries if e.status == "Failure"]
        raise AssertionError(f"Entra ID has not linked the group {group} to the service: {failures[-3:]}")
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
