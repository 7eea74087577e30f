"""Steps on what Entra ID's job sent and what the service answered it (`entra_wire`).

The service's answers to Entra's own requests carry a verdict (what Entra does when the answer is wrong);
the checks of Entra's requests themselves are guards that a scenario tested what it says.
"""

from __future__ import annotations

from pytest_bdd import parsers, then

from scim_harness.reporting.verdicts import verdict
from scim_harness.steps.support import wire_checks
from scim_harness.steps.support.people import People
from scim_harness.steps.support.provisioning import Provisioning
from scim_harness.steps.support.wire import EntraWire

# ---- what the service answered Entra ID ----


@then(parsers.parse("Entra ID's create of \"{alias}\" was answered 201 Created with the new user's id"))
@verdict(
    entra="takes any 2xx with an id and links the user by that id; without an id it cannot link the user "
    "(ServiceIncompatible, 'not able to deserialize'), creates it again next cycle and gets 409: a stuck or "
    "duplicated user. A 200 instead of 201 is not known to change what Entra does",
    source="RFC 7644 §3.3 (201 Created); D-SCIM ('reply 201 with the id'); D-LOGERR",
)
def created_201(entra_wire: EntraWire, people: People, alias: str) -> None:
    exchange = wire_checks.created(entra_wire, "Users", "userName", people[alias].login_name)
    problems = wire_checks.create_problems(exchange)
    assert not problems, f"create of {alias}: {'; '.join(problems)}"


@then(parsers.parse('the answer to Entra ID\'s create of "{alias}" says where the new user is'))
@verdict(
    entra="keeps the id and does not use the location (no documented impact); clients that follow "
    "Location or meta.location, as RFC 7644 says they may, reach the wrong resource",
    source="RFC 7644 §3.3 (Location SHALL be the new resource's URI), RFC 7643 §3.1 (meta.location)",
)
def created_location(entra_wire: EntraWire, people: People, alias: str) -> None:
    exchange = wire_checks.created(entra_wire, "Users", "userName", people[alias].login_name)
    problems = wire_checks.location_problems(exchange, "Users")
    assert not problems, f"create of {alias}: {'; '.join(problems)}"


@then(parsers.parse('Entra ID read "{alias}" before deleting it'))
def read_before_delete(entra_wire: EntraWire, provisioning: Provisioning, alias: str) -> None:
    # A guard of the simulator: "GET calls will always precede other actions (POST/PATCH/DELETE)" (Q-CONC).
    read, delete = wire_checks.read_then_delete(entra_wire, f"/Users/{provisioning.linked_id(alias)}")
    assert delete is not None, f"Entra ID sent no DELETE for {alias}"
    assert read is not None, f"Entra ID deleted {alias} without reading it first"


@then(parsers.parse('the delete of "{alias}" was answered 204 No Content'))
@verdict(
    entra="sends DELETE when a user it still manages is deleted for good; a 204 is what it expects. A 200 "
    "with a body is probably taken as a success too, but Microsoft does not say; an error is logged and the "
    "delete is retried in later cycles, and the user keeps the account in the app meanwhile",
    source="RFC 7644 §3.6 (204 No Content); D-SCIM ('DELETE /Users/{id}, reply 204'); D-HOW (hard delete)",
)
def deleted_204(entra_wire: EntraWire, provisioning: Provisioning, alias: str) -> None:
    _, delete = wire_checks.read_then_delete(entra_wire, f"/Users/{provisioning.linked_id(alias)}")
    assert delete is not None, f"Entra ID sent no DELETE for {alias}"
    assert delete.status == 204, (
        f"the delete of {alias} was answered {delete.status or delete.outcome}, not 204"
    )


@then(parsers.parse('Entra ID sent the changes of "{alias}" in the form of the dialect in use'))
def user_patch_forms(entra_wire: EntraWire, provisioning: Provisioning, alias: str) -> None:
    # A guard of the simulator: each dialect's documented forms (D-COMPAT), so the service saw what it must.
    patches = entra_wire.sent("PATCH", f"/Users/{provisioning.linked_id(alias)}")
    problems = wire_checks.user_patch_form_problems(patches, provisioning.dialect)
    assert not problems, f"Entra ID's updates of {alias} ({provisioning.dialect}): {'; '.join(problems)}"


@then(parsers.parse('Entra ID sent the department and job title of "{alias}" when it created the user'))
def created_with_items(entra_wire: EntraWire, people: People, alias: str) -> None:
    # A guard of the mapping: the items must reach the wire, or "Kintone did not keep them" proves nothing.
    exchange = wire_checks.created(entra_wire, "Users", "userName", people[alias].login_name)
    sent = wire_checks.created_with(exchange)
    assert set(sent) == {"title", "department"}, f"the create of {alias} carried only {sent or 'neither'}"


@then(parsers.parse('the cycle after the restart went through "{alias}" again'))
def restart_went_through(provisioning: Provisioning, alias: str) -> None:
    # A restart runs a new initial cycle over every user in scope (D-HOW); an incremental one skips the
    # users that did not change, so this is what tells a restart from no restart at all.
    cycle = provisioning.job.status.last_cycle
    assert cycle is not None and cycle.kind == "initial", f"the last cycle was {cycle and cycle.kind}"
    seen = [e for e in provisioning.log_for(alias) if e.cycleId == cycle.cycle_id]
    assert seen, f"the initial cycle after the restart did not go through {alias}"
