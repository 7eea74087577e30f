"""Steps on the Entra ID side: the directory, app assignment and the provisioning job."""

from __future__ import annotations

import json

from pytest_bdd import parsers, step, then

from scim_harness.reporting.verdicts import verdict
from scim_harness.simulator.engine import ConnectionTestResult, ProvisioningJob
from scim_harness.steps.support import wire_checks
from scim_harness.steps.support.directory import Directory
from scim_harness.steps.support.items import item
from scim_harness.steps.support.kintone import IssuedToken, Kintone, KintoneAdmin
from scim_harness.steps.support.notes import ReportNotes
from scim_harness.steps.support.people import People, unused_id
from scim_harness.steps.support.provisioning import (
    ROLE_PATH,
    OnDemandOutcome,
    Provisioning,
    credentials_refused,
    target_words,
)
from scim_harness.steps.support.wire import EntraWire

# ---- connection: each hands the scenario's job on (the report plugin attaches its logs) ----


@step(
    "Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone",
    target_fixture="provisioning_job",
)
def connected(provisioning: Provisioning) -> ProvisioningJob:
    assert provisioning.job.status.state == "Active"
    return provisioning.job


@step(
    "Entra ID is set up with the SCIM endpoint and a secret token that Kintone never issued",
    target_fixture="provisioning_job",
)
def connected_with_unknown_token(provisioning: Provisioning) -> ProvisioningJob:
    return provisioning.connect_with_token(f"never-issued-{unused_id()}")


@step(
    "Entra ID is set up with the SCIM endpoint and the API token just created",
    target_fixture="provisioning_job",
)
def connected_with_created_token(provisioning: Provisioning, created_token: IssuedToken) -> ProvisioningJob:
    return provisioning.connect_with_token(created_token.value)


@step(
    parsers.parse('Entra ID is set up with the SCIM endpoint and the API token "{notes}"'),
    target_fixture="provisioning_job",
)
def connected_with_token_by_notes(
    provisioning: Provisioning, kintone_admin: KintoneAdmin, notes: str
) -> ProvisioningJob:
    return provisioning.connect_with_token(kintone_admin.token(notes).value)


@step(parsers.parse('the tenant URL selects the "{dialect}" payload dialect'))
def tenant_url_dialect(provisioning: Provisioning, dialect: str) -> None:
    provisioning.select_dialect(dialect)


# ---- the directory ----


@step(parsers.parse('a user "{alias}" in Entra ID with display name "{display_name}"'))
def source_user(directory: Directory, alias: str, display_name: str) -> None:
    directory.add_user(alias, display_name)


@step(parsers.parse('a user "{alias}" in Entra ID with display name "{display_name}" and no email address'))
def source_user_without_email(directory: Directory, alias: str, display_name: str) -> None:
    directory.add_user(alias, display_name, email=False)


@step(parsers.parse('a user "{alias}" in Entra ID whose display name is {length:d} characters long'))
def source_user_with_long_name(directory: Directory, alias: str, length: int) -> None:
    directory.add_user(alias, ("Long " + "n" * length)[:length], names=("Long", "Name"))


@step(parsers.parse('the user "{alias}" is assigned to the Kintone app'))
def assign(directory: Directory, alias: str) -> None:
    directory.assign(alias)


@step(parsers.parse('the user "{alias}" is assigned to the Kintone app with the role "{role}"'))
def assign_with_role(directory: Directory, provisioning: Provisioning, alias: str, role: str) -> None:
    directory.assign(alias)
    provisioning.map_role(role)


@step(parsers.parse('the user "{alias}" is unassigned from the Kintone app'))
def unassign(directory: Directory, alias: str) -> None:
    directory.unassign(alias)


@step(parsers.parse('the user "{alias}" has job title "{title}" and department "{department}" in Entra ID'))
def job_title_and_department(directory: Directory, alias: str, title: str, department: str) -> None:
    directory.update(alias, jobTitle=title, department=department)


@step(parsers.parse('a group "{group}" in Entra ID with the user "{alias}" as a member'))
def group_with_member(directory: Directory, group: str, alias: str) -> None:
    directory.add_group(group, [alias])


@step(parsers.parse('the group "{group}" is assigned to the Kintone app'))
def assign_group(directory: Directory, group: str) -> None:
    directory.assign_group(group)


@step(parsers.parse('the {name} of "{alias}" changes to "{value}" in Entra ID'))
def change_item(directory: Directory, name: str, alias: str, value: str) -> None:
    directory.update(alias, **{item(name).graph_attribute: value})


@step(parsers.parse('the login name of "{alias}" changes in Entra ID'))
def change_login_name(directory: Directory, alias: str) -> None:
    directory.change_login_name(alias)


@step(parsers.parse('the user "{alias}" is recreated in Entra ID with a new login name'))
def recreate_with_new_login_name(directory: Directory, alias: str) -> None:
    directory.recreate_with_new_login_name(alias)


@step(parsers.parse('the user "{alias}" is recreated in Entra ID with the same login name'))
def recreate_same_login_name(directory: Directory, alias: str) -> None:
    directory.recreate(alias)


@step(parsers.parse('the user "{alias}" is permanently deleted from the recycle bin'))
def purge(directory: Directory, alias: str) -> None:
    directory.purge(alias)


@step(parsers.parse('the user "{alias}" is blocked from signing in'))
def block(directory: Directory, alias: str) -> None:
    directory.block_sign_in(alias)


@step(parsers.parse('the user "{alias}" is allowed to sign in again'))
def unblock(directory: Directory, alias: str) -> None:
    directory.unblock_sign_in(alias)


@step(parsers.parse('the user "{alias}" is deleted in Entra ID'))
def soft_delete(directory: Directory, alias: str) -> None:
    directory.delete(alias)


@step(parsers.parse('the user "{alias}" is restored in Entra ID'))
def restore(directory: Directory, alias: str) -> None:
    directory.restore(alias)


# ---- configuration ----


@step(parsers.parse('provisioning is scoped to users whose department is "{department}"'))
def scope_by_department(provisioning: Provisioning, department: str) -> None:
    provisioning.scope_to("department", department)


@step("department and job title are mapped to Kintone")
def map_department_and_title(provisioning: Provisioning) -> None:
    provisioning.map_department_and_job_title()


@step(parsers.re(r"group provisioning is switched (?P<state>on|off)"))
def group_provisioning(provisioning: Provisioning, state: str) -> None:
    provisioning.switch_group_provisioning(state == "on")


# ---- the provisioning job ----


@step(parsers.parse('the user "{alias}" has been provisioned to Kintone'))
def provisioned(directory: Directory, provisioning: Provisioning, kintone: Kintone, alias: str) -> None:
    directory.assign(alias)
    provisioning.run_cycle()
    assert kintone.remember_user(alias), (
        f"{alias} was not provisioned to the target: {provisioning.failures_for(alias)}"
    )


@step("provisioning runs")
def provisioning_runs(provisioning: Provisioning) -> None:
    provisioning.run_cycle()


@step(parsers.re(r"(?P<minutes>\d+) (more )?minutes pass"), converters={"minutes": int})
def minutes_pass(provisioning: Provisioning, minutes: int) -> None:
    provisioning.advance(minutes)


@step(parsers.parse("{hours:d} hours pass"))
def hours_pass(provisioning: Provisioning, hours: int) -> None:
    provisioning.advance(hours * 60)


@step(parsers.parse("{days:d} days pass"))
def days_pass(provisioning: Provisioning, days: int) -> None:
    provisioning.advance(days * 24 * 60)


@step("provisioning is stopped")
def stop(provisioning: Provisioning) -> None:
    provisioning.job.stop()


@step("provisioning is started again")
def start(provisioning: Provisioning) -> None:
    provisioning.job.start()


@step("the administrator restarts provisioning")
def restart(provisioning: Provisioning) -> None:
    provisioning.job.restart()


@step("the administrator restarts provisioning from scratch")
def restart_full(provisioning: Provisioning) -> None:
    provisioning.job.restart("Full")


@step("the administrator tests the connection", target_fixture="connection_test")
def test_connection(provisioning: Provisioning) -> ConnectionTestResult:
    return provisioning.test_connection()


@step(parsers.parse('the administrator provisions "{alias}" on demand'), target_fixture="on_demand_result")
def on_demand(provisioning: Provisioning, alias: str) -> OnDemandOutcome:
    return provisioning.provision_on_demand(alias)


# ---- what Entra ID shows ----


@then("the test connection succeeds")
@verdict(
    entra="runs Test Connection as a userName filter on a random value that must answer 200 with an empty "
    "ListResponse: any other answer fails it, and provisioning cannot be saved (or is quarantined)",
    source="D-SCIM, D-GALLERY (the probe), D-QUAR",
)
def connection_succeeds(connection_test: ConnectionTestResult) -> None:
    assert connection_test.success, connection_test


@then("the test connection fails because the secret token is not accepted")
def connection_refused_token(connection_test: ConnectionTestResult) -> None:
    assert credentials_refused(connection_test), (
        f"expected Entra ID to report the token as refused, got {connection_test}"
    )


@then(parsers.parse('the test connection fails with the message "{text}"'))
def connection_fails_with(connection_test: ConnectionTestResult, notes: ReportNotes, text: str) -> None:
    # The target's own words, as Entra ID quotes them after its sentence: exactly the article's, no other.
    said = target_words(connection_test.message)
    notes.note("what the target said", repr(said))
    assert not connection_test.success, "the test connection succeeded"
    assert said == text, f"Test Connection showed {connection_test.message!r}, not the message {text!r}"


@then(parsers.parse('provisioning is quarantined with the message "{text}"'))
def quarantined_with(provisioning: Provisioning, text: str) -> None:
    status = provisioning.job.status
    assert status.state == "Quarantined", f"provisioning is {status.state}, not quarantined"
    said = target_words(status.quarantine_message or "")
    assert said == text, f"the quarantine shows {status.quarantine_message!r}, not the message {text!r}"


@then(parsers.parse('provisioning on demand reports success for "{alias}"'))
@verdict(
    entra="provisions one user on demand in the legacy dialect whatever the Tenant URL says: an answer it "
    "cannot use fails the run, and the administrator sees the failing step",
    source="D-POD, D-COMPAT (on-demand ignores aadOptscim062020)",
)
def on_demand_success(on_demand_result: OnDemandOutcome, alias: str) -> None:
    assert on_demand_result.alias == alias and on_demand_result.status == "Success", on_demand_result


@then(parsers.parse('the provisioning log shows that "{alias}" could not be added'))
def log_shows_failure(provisioning: Provisioning, alias: str) -> None:
    provisioning.note_log_for(alias)
    assert provisioning.failures_for(alias), f"the provisioning log shows no failure for {alias}"


@then("provisioning reports a problem with groups")
def group_problem(provisioning: Provisioning) -> None:
    assert provisioning.group_problem_reported(), "provisioning reported no problem although groups were sent"


@then("no group was sent to Kintone since group provisioning was switched off")
def no_group_sent(provisioning: Provisioning) -> None:
    assert not provisioning.group_entries_since_switched(), (
        "a group was processed after group provisioning was switched off"
    )


# ---- what Entra ID sent (the job's own requests and answers, steps/support/wire_checks.py) ----


@then(parsers.parse('Entra ID\'s request creating "{alias}" carries exactly these attributes:'))
def create_carries(
    entra_wire: EntraWire, directory: Directory, people: People, alias: str, datatable: list[list[str]]
) -> None:
    body = wire_checks.created(entra_wire, "Users", "userName", people[alias].login_name).request
    expected = {
        path: wire_checks.source_value(spec, lambda name: directory.attribute(alias, name))
        for path, spec in datatable[1:]
    }
    wrong = {
        path: wire_checks.value_at(body, path)
        for path, value in expected.items()
        if wire_checks.value_at(body, path) != value
        or type(wire_checks.value_at(body, path)) is not type(value)
    }
    assert not wrong, f"the create of {alias} carries {wrong}, expected {expected}: {json.dumps(body)}"
    mapped = {path.split("[")[0].split(".")[0] for path in expected}
    extra = wire_checks.attributes_carried(body) - mapped
    assert not extra, f"the create of {alias} carries attributes nobody mapped: {sorted(extra)}"


@then(parsers.parse('Entra ID\'s request creating "{alias}" carries the role "{role}"'))
def create_carries_role(entra_wire: EntraWire, people: People, alias: str, role: str) -> None:
    body = wire_checks.created(entra_wire, "Users", "userName", people[alias].login_name).request
    assert wire_checks.value_at(body, ROLE_PATH) == role, (
        f"the create of {alias} carries {body.get('roles')!r}"
    )


@then(parsers.re(r"Entra ID's last update of \"(?P<alias>[^\"]+)\" has the operation (?P<operation>\{.*\})$"))
def update_has_operation(entra_wire: EntraWire, people: People, alias: str, operation: str) -> None:
    # Compared as JSON values: "False" (a string, legacy) and false (a boolean, aadOptscim062020) differ.
    expected = json.loads(operation)
    target_id = wire_checks.created_id(entra_wire, people[alias].login_name)
    sent = wire_checks.operations(wire_checks.last_update(entra_wire, target_id))
    assert any(op == expected and _same_types(op, expected) for op in sent), (
        f"Entra ID's last update of {alias} has {json.dumps(sent)}, not {operation}"
    )


@then(parsers.parse('Entra ID reads and then deletes the user "{alias}" in Kintone'))
def read_then_delete(entra_wire: EntraWire, people: People, notes: ReportNotes, alias: str) -> None:
    target_id = wire_checks.created_id(entra_wire, people[alias].login_name)
    read, delete = wire_checks.read_then_delete(entra_wire, f"/Users/{target_id}")
    assert delete is not None, f"Entra ID sent no DELETE for {alias}"
    assert read is not None, f"Entra ID deleted {alias} without reading it first"
    # What Kintone does with a SCIM DELETE is unpublished (the emulator's `scim_delete` assumption): the
    # report shows what it answered; a refusal is no removal.
    notes.note("Kintone's answers", f"{read!r}\n{delete!r}")
    assert delete.status is not None and 200 <= delete.status < 300, (
        f"Kintone answered the DELETE: {delete!r}"
    )


def _same_types(sent: dict, expected: dict) -> bool:
    return all(type(sent.get(key)) is type(value) for key, value in expected.items())
