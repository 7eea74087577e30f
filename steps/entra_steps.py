"""Steps on the Entra ID side: the directory, app assignment and the provisioning job."""

from __future__ import annotations

from pytest_bdd import parsers, step, then

from scim_harness.reporting.verdicts import verdict
from scim_harness.simulator.engine import ConnectionTestResult, ProvisioningJob
from scim_harness.steps.support.directory import Directory
from scim_harness.steps.support.items import item
from scim_harness.steps.support.kintone import IssuedToken, Kintone
from scim_harness.steps.support.people import unused_id
from scim_harness.steps.support.provisioning import OnDemandOutcome, Provisioning, credentials_refused

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


@then("the test connection fails with a message that names the cause")
def connection_fails_clearly(connection_test: ConnectionTestResult) -> None:
    assert not connection_test.success, "the test connection succeeded"
    assert connection_test.message.strip(), "the test connection failed without a message"


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
