"""Steps on the Kintone side: what the administrator does, and what Kintone holds (via the target)."""

from __future__ import annotations

from pytest_bdd import parsers, step, then

from scim_harness.suite_support import ScenarioWorld, item


@step(
    parsers.parse(
        'the administrator has added the user "{alias}" in Kintone with display name "{display_name}"'
    )
)
def admin_adds(world: ScenarioWorld, alias: str, display_name: str) -> None:
    world.target.add_user_as_admin(world.person(alias).login_name, display_name)
    world.remember_kintone_user(alias)


@step(parsers.parse('the administrator deletes the user "{alias}" in Kintone'))
def admin_deletes(world: ScenarioWorld, alias: str) -> None:
    world.target.delete_user_as_admin(world.person(alias).login_name)


@step(parsers.re(r"Propagate Provisioning is switched (?P<state>on|off)"))
def propagation(world: ScenarioWorld, state: str) -> None:
    world.target.set_propagation(state == "on")


@step(parsers.parse('the administrator creates an API token valid for {days:d} days with notes "{notes}"'))
def create_token(world: ScenarioWorld, days: int, notes: str) -> None:
    world.create_token(days, notes)


@step("the administrator disables the API token just created")
def disable_token(world: ScenarioWorld) -> None:
    world.target.disable_token(world.created_token)


@step("the API token just created expires")
def expire_token(world: ScenarioWorld) -> None:
    world.target.expire_token(world.created_token)


@step(parsers.parse('the IP address restriction allows only "{addresses}"'))
def ip_allowlist(world: ScenarioWorld, addresses: str) -> None:
    world.target.set_ip_allowlist([a.strip() for a in addresses.split(",")])


@then(parsers.parse('the user "{alias}" exists in Kintone with display name "{display_name}"'))
def exists_with_display_name(world: ScenarioWorld, alias: str, display_name: str) -> None:
    user = world.kintone_user(alias)
    assert user is not None, f"{alias} is not in Kintone; provisioning log: {world.failures_for(alias)}"
    assert user.display_name == display_name


@then(parsers.parse('the user "{alias}" exists in Kintone with the {length:d} character display name'))
def exists_with_long_display_name(world: ScenarioWorld, alias: str, length: int) -> None:
    user = world.kintone_user(alias)
    assert user is not None, f"{alias} is not in Kintone; provisioning log: {world.failures_for(alias)}"
    assert (
        user.display_name == world.source_attribute(alias, "displayName") and len(user.display_name) == length
    )


@then(parsers.parse('the user "{alias}" does not exist in Kintone'))
def does_not_exist(world: ScenarioWorld, alias: str) -> None:
    world.record_status_seen(alias)
    assert world.kintone_user(alias) is None, f"{alias} is in Kintone"


@then(parsers.parse('the user "{alias}" is active in Kintone'))
def is_active(world: ScenarioWorld, alias: str) -> None:
    user = world.kintone_user(alias)
    assert user is not None and user.active is True, f"{alias} in Kintone: {user}{world.last_answer_note()}"


@then(parsers.parse('the user "{alias}" is inactive in Kintone'))
def is_inactive(world: ScenarioWorld, alias: str) -> None:
    user = world.kintone_user(alias)
    assert user is not None and user.active is False, f"{alias} in Kintone: {user}{world.last_answer_note()}"


@then(parsers.parse('the {name} of "{alias}" in Kintone is "{value}"'))
def item_is(world: ScenarioWorld, name: str, alias: str, value: str) -> None:
    user = world.kintone_user(alias)
    assert user is not None, f"{alias} is not in Kintone"
    actual = getattr(user, item(name)[1])
    assert actual == value, (
        f"the {name} of {alias} in Kintone is {actual!r}, not {value!r}{world.last_answer_note()}"
    )


@then(parsers.parse('the email address of "{alias}" in Kintone is the one from Entra ID'))
def email_from_entra(world: ScenarioWorld, alias: str) -> None:
    user = world.kintone_user(alias)
    assert user is not None and user.email == world.source_attribute(alias, "mail"), user


@then(parsers.parse('the user "{alias}" is the same Kintone user as before'))
@then(parsers.parse('the user "{alias}" is the same Kintone user the administrator added'))
def same_user(world: ScenarioWorld, alias: str) -> None:
    user = world.kintone_user(alias)
    assert user is not None, f"{alias} is not in Kintone"
    assert world.person(alias).kintone_id is not None and user.id == world.person(alias).kintone_id, (
        f"{alias} is a different Kintone user now (id {user.id}, was {world.person(alias).kintone_id})"
    )


@then(parsers.parse('there is exactly one user "{alias}" in Kintone'))
def exactly_one(world: ScenarioWorld, alias: str) -> None:
    assert len(world.kintone_users_named(alias)) == 1


@then(parsers.parse('the user "{alias}" keeps the old login name in Kintone'))
def keeps_old_login_name(world: ScenarioWorld, alias: str) -> None:
    world.record_status_seen(alias)
    user = world.target.get_user(world.person(alias).old_login_names[-1])
    assert user is not None and user.id == world.person(alias).kintone_id, (
        "the user with the old login name is gone"
    )


@then(parsers.parse('no user with the new login name of "{alias}" exists in Kintone'))
def new_login_name_absent(world: ScenarioWorld, alias: str) -> None:
    assert world.kintone_user(alias) is None, "the login name was changed in Kintone"


@then(parsers.parse('the user "{alias}" exists in Kintone with the new login name'))
def exists_with_new_login_name(world: ScenarioWorld, alias: str) -> None:
    user = world.kintone_user(alias)
    assert user is not None, f"{alias} was not added again; provisioning log: {world.failures_for(alias)}"
    assert user.login_name.lower() == world.person(alias).login_name.lower()


@then(parsers.parse('the user "{alias}" with the old login name does not exist in Kintone'))
def old_login_name_absent(world: ScenarioWorld, alias: str) -> None:
    assert world.target.get_user(world.person(alias).old_login_names[-1]) is None


@then(parsers.parse('the user "{alias}" has no department or job title in Kintone'))
def no_department_or_title(world: ScenarioWorld, alias: str) -> None:
    user = world.kintone_user(alias)
    assert user is not None, f"{alias} is not in Kintone"
    kept = world.unpropagated_items(user)
    assert not kept, f"Kintone kept items it must not propagate: {kept}"


@then(parsers.parse('the group "{group}" does not exist in Kintone'))
def group_absent(world: ScenarioWorld, group: str) -> None:
    assert not world.group_exists(group), f"the group {group} is in Kintone"
