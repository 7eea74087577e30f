"""Steps on the Entra ID side: the directory, app assignment and the provisioning job."""

from __future__ import annotations

import uuid

import pytest
from pytest_bdd import parsers, step, then

from scim_harness.simulator.engine import ProvisioningJob
from scim_harness.suite_support import ScenarioWorld, item


@step("Entra ID provisions users to Kintone with the SCIM endpoint and API token from Kintone")
def connected(provisioning_job: ProvisioningJob) -> None:
    assert provisioning_job.status.state == "Active"


@step("Entra ID is set up with the SCIM endpoint and a secret token that Kintone never issued")
def connected_with_unknown_token(world: ScenarioWorld, request: pytest.FixtureRequest) -> None:
    world.reconfigure(secret_token=f"never-issued-{uuid.uuid4().hex}")
    request.getfixturevalue("provisioning_job")


@step("Entra ID is set up with the SCIM endpoint and the API token just created")
def connected_with_created_token(world: ScenarioWorld, request: pytest.FixtureRequest) -> None:
    world.reconfigure(secret_token=world.created_token)
    request.getfixturevalue("provisioning_job")


@step(parsers.parse('the tenant URL selects the "{dialect}" payload dialect'))
def tenant_url_dialect(world: ScenarioWorld, dialect: str) -> None:
    world.reconfigure(dialect=dialect)


@step(parsers.parse('a user "{alias}" in Entra ID with display name "{display_name}"'))
def source_user(world: ScenarioWorld, alias: str, display_name: str) -> None:
    world.add_person(alias, display_name)


@step(parsers.parse('a user "{alias}" in Entra ID with display name "{display_name}" and no email address'))
def source_user_without_email(world: ScenarioWorld, alias: str, display_name: str) -> None:
    world.add_person(alias, display_name, email=False)


@step(parsers.parse('a user "{alias}" in Entra ID whose display name is {length:d} characters long'))
def source_user_with_long_name(world: ScenarioWorld, alias: str, length: int) -> None:
    world.add_person(alias, ("Long " + "n" * length)[:length], names=("Long", "Name"))


@step(parsers.parse('the user "{alias}" is assigned to the Kintone app'))
def assign(world: ScenarioWorld, alias: str) -> None:
    world.tenant.assign_user(world.person(alias).source_id)


@step(parsers.parse('the user "{alias}" is unassigned from the Kintone app'))
def unassign(world: ScenarioWorld, alias: str) -> None:
    world.tenant.unassign_user(world.person(alias).source_id)


@step(parsers.parse('the user "{alias}" has been provisioned to Kintone'))
def provisioned(world: ScenarioWorld, alias: str) -> None:
    world.provision(alias)


@step(parsers.parse('the user "{alias}" has job title "{title}" and department "{department}" in Entra ID'))
def job_title_and_department(world: ScenarioWorld, alias: str, title: str, department: str) -> None:
    world.tenant.update_user(world.person(alias).source_id, jobTitle=title, department=department)


@step("department and job title are mapped to Kintone")
def map_department_and_title(world: ScenarioWorld) -> None:
    world.map_department_and_job_title()


@step(parsers.parse('a group "{group}" in Entra ID with the user "{alias}" as a member'))
def group_with_member(world: ScenarioWorld, group: str, alias: str) -> None:
    world.add_group(group, [alias])


@step(parsers.parse('the group "{group}" is assigned to the Kintone app'))
def assign_group(world: ScenarioWorld, group: str) -> None:
    world.tenant.assign_group(world.groups[group])


@step(parsers.re(r"group provisioning is switched (?P<state>on|off)"))
def group_provisioning(world: ScenarioWorld, state: str) -> None:
    world.provision_groups(state == "on")


@step(parsers.parse('the {name} of "{alias}" changes to "{value}" in Entra ID'))
def change_item(world: ScenarioWorld, name: str, alias: str, value: str) -> None:
    world.tenant.update_user(world.person(alias).source_id, **{item(name)[0]: value})


@step(parsers.parse('the login name of "{alias}" changes in Entra ID'))
def change_login_name(world: ScenarioWorld, alias: str) -> None:
    world.change_login_name(alias)


@step(parsers.parse('the user "{alias}" is recreated in Entra ID with a new login name'))
def recreate_with_new_login_name(world: ScenarioWorld, alias: str) -> None:
    world.recreate_with_new_login_name(alias)


@step(parsers.parse('the user "{alias}" is blocked from signing in'))
def block(world: ScenarioWorld, alias: str) -> None:
    world.tenant.block_sign_in(world.person(alias).source_id)


@step(parsers.parse('the user "{alias}" is allowed to sign in again'))
def unblock(world: ScenarioWorld, alias: str) -> None:
    world.tenant.unblock_sign_in(world.person(alias).source_id)


@step(parsers.parse('the user "{alias}" is deleted in Entra ID'))
def soft_delete(world: ScenarioWorld, alias: str) -> None:
    world.tenant.soft_delete(world.person(alias).source_id)


@step(parsers.parse('the user "{alias}" is restored in Entra ID'))
def restore(world: ScenarioWorld, alias: str) -> None:
    world.tenant.restore(world.person(alias).source_id)


@step("provisioning runs")
def provisioning_runs(world: ScenarioWorld) -> None:
    world.run()


@step(parsers.re(r"(?P<minutes>\d+) (more )?minutes pass"), converters={"minutes": int})
def minutes_pass(world: ScenarioWorld, minutes: int) -> None:
    world.advance(minutes)


@step(parsers.parse("{hours:d} hours pass"))
def hours_pass(world: ScenarioWorld, hours: int) -> None:
    world.advance(hours * 60)


@step(parsers.parse('the administrator provisions "{alias}" on demand'))
def on_demand(world: ScenarioWorld, alias: str) -> None:
    world.on_demand(alias)


@step("provisioning is stopped")
def stop(world: ScenarioWorld) -> None:
    world.job.stop()


@step("provisioning is started again")
def start(world: ScenarioWorld) -> None:
    world.job.start()


@step("the administrator restarts provisioning")
def restart(world: ScenarioWorld) -> None:
    world.job.restart()


@step("the administrator restarts provisioning from scratch")
def restart_full(world: ScenarioWorld) -> None:
    world.job.restart("Full")


@step("the administrator tests the connection")
def test_connection(world: ScenarioWorld) -> None:
    world.test_connection()


@then("the test connection succeeds")
def connection_succeeds(world: ScenarioWorld) -> None:
    assert world.last_test is not None and world.last_test.success, world.last_test


@then("the test connection fails because the secret token is not accepted")
def connection_refused_token(world: ScenarioWorld) -> None:
    assert world.credentials_refused(), (
        f"expected Entra ID to report the token as refused, got {world.last_test}"
    )


@then("the test connection fails with a message that names the cause")
def connection_fails_clearly(world: ScenarioWorld) -> None:
    assert world.last_test is not None and not world.last_test.success, "the test connection succeeded"
    assert world.last_test.message.strip(), "the test connection failed without a message"


@then(parsers.parse('provisioning on demand reports success for "{alias}"'))
def on_demand_success(world: ScenarioWorld, alias: str) -> None:
    assert world.last_on_demand is not None and world.last_on_demand.status == "Success", world.last_on_demand


@then(parsers.parse('the provisioning log shows that "{alias}" could not be added'))
def log_shows_failure(world: ScenarioWorld, alias: str) -> None:
    world.record_status_seen(alias)
    assert world.failures_for(alias), f"the provisioning log shows no failure for {alias}"


@then("provisioning reports a problem with groups")
def group_problem(world: ScenarioWorld) -> None:
    assert world.group_problem_reported(), "provisioning reported no problem although groups were sent"


@then("no group was sent to Kintone since group provisioning was switched off")
def no_group_sent(world: ScenarioWorld) -> None:
    assert not world.group_entries_since_mark(), (
        "a group was processed after group provisioning was switched off"
    )
