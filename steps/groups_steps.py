"""Steps on groups, as Entra ID provisions them (§7): its groups and their members in Entra ID, the requests
it sends, and what the SCIM service holds. Used by @groups scenarios only (not applicable without Groups)."""

from __future__ import annotations

import re

from pytest_bdd import parsers, step, then

from scim_harness.common.scim_wire import Dialect
from scim_harness.drivers.protocol_probe import Answer, ProtocolProbe
from scim_harness.reporting.verdicts import Unmet, verdict
from scim_harness.simulator.payloads import group_members_body
from scim_harness.steps.support import wire_checks
from scim_harness.steps.support.directory import Directory
from scim_harness.steps.support.groups import (
    created_group_id,
    exact_groups,
    group_failures,
    linked_group_id,
    member_ids,
    read_group,
    refused_schema,
)
from scim_harness.steps.support.provisioning import Provisioning
from scim_harness.steps.support.wire import EntraWire

# ---- Entra ID's side ----


@step(parsers.parse('a group "{group}" in Entra ID with the users "{first}" and "{second}" as members'))
def group_with_members(directory: Directory, group: str, first: str, second: str) -> None:
    directory.add_group(group, [first, second])


@step(parsers.parse('the user "{alias}" joins the group "{group}" in Entra ID'))
def joins(directory: Directory, alias: str, group: str) -> None:
    directory.add_member(group, alias)


@step(parsers.parse('the user "{alias}" leaves the group "{group}" in Entra ID'))
def leaves(directory: Directory, alias: str, group: str) -> None:
    directory.remove_member(group, alias)


@step(parsers.parse('the group "{group}" is renamed to "{name}" in Entra ID'))
def renamed(directory: Directory, group: str, name: str) -> None:
    directory.rename_group(group, name)


@step(parsers.parse('the group "{group}" is unassigned from the Kintone app'))
def unassign_group(directory: Directory, group: str) -> None:
    directory.unassign_group(group)


# ---- single requests, as Entra ID sends them ----


@step(
    parsers.parse('Entra ID looks up the group "{group}" by its name written in upper case'),
    target_fixture="scim_answer",
)
def look_up_group(protocol_probe: ProtocolProbe, directory: Directory, group: str) -> Answer:
    return protocol_probe.find_group(directory.group_name(group).upper())


@step(parsers.parse('Entra ID reads the group "{group}" without its members'), target_fixture="scim_answer")
def read_without_members(
    protocol_probe: ProtocolProbe, provisioning: Provisioning, directory: Directory, group: str
) -> Answer:
    group_id = linked_group_id(provisioning, directory, group)
    return protocol_probe.read_group(group_id, without_members=True)


@step(
    parsers.parse('Entra ID adds "{first}" and "{second}" to the group "{group}" in one update'),
    target_fixture="scim_answer",
)
def add_two_members(
    protocol_probe: ProtocolProbe,
    provisioning: Provisioning,
    directory: Directory,
    first: str,
    second: str,
    group: str,
) -> Answer:
    # Several memberships in one PATCH, as Microsoft asks gallery services to accept (D-GALLERY).
    ids = [provisioning.linked_id(first), provisioning.linked_id(second)]
    body = group_members_body("Add", ids, provisioning.job.dialect)
    return protocol_probe.patch_group(linked_group_id(provisioning, directory, group), body)


@step(
    parsers.parse('Entra ID removes "{alias}" from the group "{group}" in the {form} form'),
    target_fixture="scim_answer",
)
def remove_in_form(
    protocol_probe: ProtocolProbe,
    provisioning: Provisioning,
    directory: Directory,
    alias: str,
    group: str,
    form: str,
) -> Answer:
    # Each dialect's removal (§7, D-COMPAT), sent whatever the dialect of this pass.
    body = group_members_body("Remove", [provisioning.linked_id(alias)], Dialect(form))
    return protocol_probe.patch_group(linked_group_id(provisioning, directory, group), body)


# ---- what the service answered Entra ID, and what it holds ----


@then(
    parsers.parse(
        "Entra ID's create of the group \"{group}\" was answered 201 Created with the new group's id"
    )
)
@verdict(
    entra="takes any 2xx with an id and links the group by that id; without one it cannot link the group, "
    "creates it again next cycle (a duplicate group) and can never add its members",
    source="RFC 7644 §3.3 (201 Created); D-SCIM §7 (create group, reply 201)",
)
def group_created(entra_wire: EntraWire, directory: Directory, group: str) -> None:
    exchange = wire_checks.created(entra_wire, "Groups", "displayName", directory.group_name(group))
    refused_schema(exchange)
    problems = wire_checks.create_problems(exchange)
    assert not problems, f"create of the group {group}: {'; '.join(problems)}"


_MEMBERSHIP = dict(
    entra="never reads members back (its reads exclude them), so a membership change the service did not "
    "apply exactly as sent stays wrong in the app for good: removed users keep the group's access, added "
    "users never get it",
    source="D-SCIM §7 (member Add/Remove PATCH, reply 204); D-COMPAT (the compliant member remove); "
    "D-GALLERY (several memberships in one PATCH)",
)


@then(parsers.re(r'the group "(?P<group>[^"]+)" in the service has exactly the members? (?P<names>".+")'))
@verdict(**_MEMBERSHIP)
def exactly_members(
    protocol_probe: ProtocolProbe, provisioning: Provisioning, directory: Directory, group: str, names: str
) -> None:
    members = member_ids(read_group(protocol_probe, provisioning, directory, group))
    wanted = {alias: provisioning.linked_id(alias) for alias in re.findall(r'"([^"]+)"', names)}
    assert members == set(wanted.values()), (
        f"the members of {group} in the service are {sorted(members)}, not {wanted}"
    )


@then(parsers.parse('Entra ID sent the member {op} of "{alias}" in the form of the dialect in use'))
def member_form(
    entra_wire: EntraWire, provisioning: Provisioning, directory: Directory, op: str, alias: str
) -> None:
    # A guard of the simulator: each dialect's documented membership forms (§7, D-COMPAT).
    patches = [e for e in entra_wire.exchanges if e.method == "PATCH" and e.path.startswith("/Groups/")]
    word = {"add": "add", "removal": "remove"}[op]
    problems = wire_checks.member_form_problems(
        patches, word, provisioning.linked_id(alias), provisioning.dialect
    )
    assert not problems, f"{provisioning.dialect}: {'; '.join(problems)}"
    answered = [e.status for e in patches if e.status is None or not 200 <= e.status < 300]
    assert not answered, f"the membership updates were answered {answered}"


_REMOVAL = {
    Dialect.LEGACY: dict(
        entra='removes a member with {"op":"Remove","path":"members","value":[{"value":id}]} in the legacy '
        "dialect (the default): refused or ignored, users removed from the group keep its access in the app",
        source="D-SCIM §7, D-COMPAT (the legacy member removal)",
        rfc="RFC 7644 §3.5.2.2 selects what a remove takes with a filter in the path and gives a remove no "
        "value, so a strict server may refuse the value list; Entra sends it",
    ),
    Dialect.COMPLIANT: dict(
        entra='removes a member with {"op":"remove","path":"members[value eq "id"]"} in the '
        "aadOptscim062020 dialect: refused or ignored, users removed from the group keep its access",
        source="D-COMPAT (the compliant member removal), RFC 7644 §3.5.2.2",
    ),
}


@then(parsers.parse("the service accepted the member removal in the {form} form"))
@verdict(**_MEMBERSHIP)
def removal_accepted(scim_answer: Answer, form: str) -> None:
    if not 200 <= scim_answer.status < 300:
        raise Unmet(f"the member removal was refused: {scim_answer.summary()}", **_REMOVAL[Dialect(form)])


@then(parsers.parse('exactly the group "{group}" is found'))
@verdict(
    entra="matches groups on displayName with this filter: a group it cannot find is created again (a "
    "duplicate), and a filter that finds several makes the group fail with DuplicateTargetEntries",
    source="D-SCIM §7 (groups are queried by displayName; displayName must be unique), RFC 7643 §4.2 "
    "(displayName is caseExact false), D-LOGERR",
)
def found_group(scim_answer: Answer, provisioning: Provisioning, directory: Directory, group: str) -> None:
    linked_group_id(provisioning, directory, group)  # a group Entra never created cannot be found
    assert scim_answer.status == 200, scim_answer.summary()
    name = directory.group_name(group)
    found = [r.get("displayName") for r in scim_answer.resources]
    assert len(found) == 1 and exact_groups(scim_answer, name), f"looking up {name!r} found {found}"


@then("the answer carries the group without its members")
@verdict(
    entra="reads groups with excludedAttributes=members; an answer with members fails the group with "
    "SystemForCrossDomainIdentityManagementMultipleEntriesInResponse, so group provisioning stops",
    source="D-SCIM §7 (reads exclude members), D-LOGERR, RFC 7644 §3.4.2.5 (excludedAttributes)",
)
def without_members(scim_answer: Answer) -> None:
    body = scim_answer.body
    assert scim_answer.status == 200 and isinstance(body, dict), scim_answer.summary()
    assert body.get("id") and "Resources" not in body, f"the answer is not the group: {scim_answer.summary()}"
    assert "members" not in body, f"the group was read with its members: {scim_answer.summary()}"


@then(parsers.parse('the group "{group}" in the service is named "{name}"'))
@verdict(
    entra="renames a group with a PATCH of displayName and never reads the name back: the app keeps the old "
    "name, and a later match on the new name creates a duplicate group",
    source="D-SCIM §7 (rename: Replace displayName, reply 204)",
)
def named(
    protocol_probe: ProtocolProbe, provisioning: Provisioning, directory: Directory, group: str, name: str
) -> None:
    held = read_group(protocol_probe, provisioning, directory, group).body.get("displayName")
    assert held == directory.group_name(group), (
        f"the group {group} is named {held!r} in the service, not {name!r}"
    )


@then(parsers.parse('Entra ID\'s delete of the group "{group}" was answered 204 No Content'))
@verdict(
    entra="deletes a group that leaves its scope; an error is logged ('not fully compatible') and retried, "
    "and the group stays in the app with its members. A 200 is probably taken as a success (unpublished)",
    source="D-SCIM §7 (DELETE /Groups/{id}, reply 204), RFC 7644 §3.6, D-ACCDEL",
)
def group_deleted(entra_wire: EntraWire, directory: Directory, group: str) -> None:
    group_id = created_group_id(entra_wire, directory, group)
    deletes = [e for e in entra_wire.exchanges if e.method == "DELETE" and e.path == f"/Groups/{group_id}"]
    assert deletes, f"Entra ID sent no DELETE for the group {group}"
    assert deletes[-1].status == 204, (
        f"the delete of {group} was answered {deletes[-1].status or deletes[-1].outcome}"
    )


@then(parsers.parse('reading the group "{group}" by its id answers not found'))
@verdict(
    entra="does not read a group after deleting it; a group still readable after a 204 means the delete was "
    "not applied and the group keeps its members in the app",
    source="RFC 7644 §3.6 (a deleted resource answers 404)",
)
def group_gone(
    entra_wire: EntraWire, protocol_probe: ProtocolProbe, directory: Directory, group: str
) -> None:
    answer = protocol_probe.read_group(created_group_id(entra_wire, directory, group))
    assert answer.is_scim_error(404), f"after the delete: {answer.summary()}"


@then(parsers.parse('the provisioning log shows no failure for the group "{group}"'))
@verdict(
    entra="adds members without reading them first (after a restart, or when it matches a group that already "
    "has them): a 409 'already a member' fails the group every cycle and is never resolved",
    source="entra-provisioning.md §7 (make member-add idempotent; Microsoft Q&A 471809), D-SCIM §7",
)
def no_group_failure(provisioning: Provisioning, directory: Directory, group: str) -> None:
    failures = group_failures(provisioning, directory, group)
    assert not failures, f"the group {group} failed: {failures[-2:]}"
