"""Steps on the Kintone side: what the administrator does, and what Kintone holds (via the target)."""

from __future__ import annotations

from pytest_bdd import parsers, step, then

from scim_harness.drivers.base import TargetUser
from scim_harness.drivers.protocol_probe import ProtocolProbe
from scim_harness.reporting.verdicts import verdict
from scim_harness.steps.support.directory import Directory
from scim_harness.steps.support.items import item
from scim_harness.steps.support.kintone import IssuedToken, Kintone, KintoneAdmin, unpropagated_items
from scim_harness.steps.support.notes import ReportNotes
from scim_harness.steps.support.people import People
from scim_harness.steps.support.protocol import AnswerLog, exact_matches, group_listed
from scim_harness.steps.support.provisioning import Provisioning
from scim_harness.steps.support.service import ServiceOffer

# ---- what the administrator does ----


@step(
    parsers.parse(
        'the administrator has added the user "{alias}" in Kintone with display name "{display_name}"'
    )
)
def admin_adds(kintone_admin: KintoneAdmin, kintone: Kintone, alias: str, display_name: str) -> None:
    kintone_admin.add_user(alias, display_name)
    kintone.remember_user(alias)


@step(parsers.parse('the administrator deletes the user "{alias}" in Kintone'))
def admin_deletes(kintone_admin: KintoneAdmin, alias: str) -> None:
    kintone_admin.delete_user(alias)


@step(parsers.re(r"Propagate Provisioning is switched (?P<state>on|off)"))
def propagation(kintone_admin: KintoneAdmin, state: str) -> None:
    kintone_admin.switch_propagation(state == "on")


@step(
    parsers.parse('the administrator creates an API token valid for {days:d} days with notes "{notes}"'),
    target_fixture="created_token",
)
def create_token(kintone_admin: KintoneAdmin, days: int, notes: str) -> IssuedToken:
    return kintone_admin.create_token(days, notes)


@step("the administrator disables the API token just created")
def disable_token(kintone_admin: KintoneAdmin, created_token: IssuedToken) -> None:
    kintone_admin.disable_token(created_token)


@step(parsers.parse('the administrator disables the API token "{notes}"'))
def disable_token_by_notes(kintone_admin: KintoneAdmin, notes: str) -> None:
    kintone_admin.disable_token(kintone_admin.token(notes))


@step(parsers.parse('the administrator deletes the API token "{notes}"'))
def delete_token_by_notes(kintone_admin: KintoneAdmin, notes: str) -> None:
    kintone_admin.delete_token(kintone_admin.token(notes))


@step("the API token just created expires")
def expire_token(kintone_admin: KintoneAdmin, created_token: IssuedToken) -> None:
    kintone_admin.expire_token(created_token)


@step(parsers.parse('the IP address restriction allows only "{addresses}"'))
def ip_allowlist(kintone_admin: KintoneAdmin, addresses: str) -> None:
    kintone_admin.restrict_ip_addresses([a.strip() for a in addresses.split(",")])


@step("the IP address restriction in Kintone is lifted")
def ip_allowlist_lifted(kintone_admin: KintoneAdmin) -> None:
    kintone_admin.restrict_ip_addresses([])


# ---- what Kintone holds ----


@then(parsers.parse('the user "{alias}" exists in Kintone with display name "{display_name}"'))
@verdict(
    entra="creates an assigned user (a filter look-up, then POST) and links it by the id answered: a user "
    "the service did not create or cannot show is missing from the app; the provisioning log says why",
    source="D-SCIM (create: 201 with the id), D-HOW (initial and incremental cycles)",
)
def exists_with_display_name(
    kintone: Kintone, provisioning: Provisioning, alias: str, display_name: str
) -> None:
    user = _in_kintone(kintone, alias, f"; provisioning log: {provisioning.failures_for(alias)}")
    assert user.display_name == display_name


@then(parsers.parse('the user "{alias}" exists in Kintone with the {length:d} character display name'))
def exists_with_long_display_name(
    kintone: Kintone, directory: Directory, provisioning: Provisioning, alias: str, length: int
) -> None:
    user = _in_kintone(kintone, alias, f"; provisioning log: {provisioning.failures_for(alias)}")
    assert user.display_name == directory.attribute(alias, "displayName") and len(user.display_name) == length


@then(parsers.parse('the user "{alias}" does not exist in Kintone'))
@verdict(
    entra="deletes a user it still manages when it is deleted for good, and never creates an unassigned "
    "user or one refused with an error: a user left in the service keeps its access to the app",
    source="D-HOW (scoping; hard delete: DELETE /Users/{id}, reply 204), RFC 7644 §3.6",
)
def does_not_exist(kintone: Kintone, provisioning: Provisioning, alias: str) -> None:
    provisioning.note_log_for(alias)
    assert kintone.user(alias) is None, f"{alias} is in Kintone"


@then(parsers.parse('the user "{alias}" is active in Kintone'))
@verdict(
    entra="re-enables a user by PATCHing active back to true after matching it by the filter (it must still "
    "be found while inactive); a service that does not apply it, or hides inactive users, leaves the user "
    "disabled (or gets a second POST and answers 409)",
    source='D-HOW, D-COMPAT (active as "True"/"False" in legacy), Q-READD, D-SCIM',
)
def is_active(kintone: Kintone, scim_answers: AnswerLog, alias: str) -> None:
    _has_status(kintone, scim_answers, alias, active=True)


@then(parsers.parse('the user "{alias}" is inactive in Kintone'))
@verdict(
    entra="disables a deprovisioned user (unassigned, out of scope, deleted, blocked) with a PATCH of "
    'active: a service that does not apply it, or refuses the legacy text "False", leaves the user able to '
    "sign in",
    source="D-HOW, D-ATTR (the four deprovisioning events), D-COMPAT, I-STR",
)
def is_inactive(kintone: Kintone, scim_answers: AnswerLog, alias: str) -> None:
    _has_status(kintone, scim_answers, alias, active=False)


def _in_kintone(kintone: Kintone, alias: str, why: str = "") -> TargetUser:
    """The user in Kintone, or a failure saying it is missing (and why, where the log knows)."""
    user = kintone.user(alias)
    assert user is not None, f"{alias} is not in Kintone{why}"
    return user


def _has_status(kintone: Kintone, scim_answers: AnswerLog, alias: str, *, active: bool) -> None:
    user = kintone.user(alias)
    assert user is not None and user.active is active, f"{alias} in Kintone: {user}{scim_answers.last_said()}"


@then(parsers.parse('the {name} of "{alias}" in Kintone is "{value}"'))
@verdict(
    entra="updates a user with PATCH operations in its dialect's form and, if the service answered 2xx, "
    "believes them: a change the service did not apply as sent never reaches the app (Entra re-sends it "
    "only if a later read shows the old value)",
    source="D-SCIM (PATCH), D-COMPAT (the forms of each dialect), RFC 7644 §3.5.2",
)
def item_is(kintone: Kintone, scim_answers: AnswerLog, name: str, alias: str, value: str) -> None:
    user = _in_kintone(kintone, alias)
    actual = getattr(user, item(name).target_field)
    assert actual == value, (
        f"the {name} of {alias} in Kintone is {actual!r}, not {value!r}{scim_answers.last_said()}"
    )


@then(parsers.parse('the email address of "{alias}" in Kintone is the one from Entra ID'))
@verdict(
    entra='sends mail as emails[type eq "work"].value: an address not kept as the work e-mail is missing '
    "from the app and sent again every cycle",
    source="D-SCIM (the default mappings), RFC 7644 §3.5.2",
)
def email_from_entra(kintone: Kintone, directory: Directory, alias: str) -> None:
    user = kintone.user(alias)
    assert user is not None and user.email == directory.attribute(alias, "mail"), user


@then(parsers.parse('the user "{alias}" is the same Kintone user as before'))
@then(parsers.parse('the user "{alias}" is the same Kintone user the administrator added'))
@verdict(
    entra="keeps the id it linked and matches users again by the filter after a restart or a re-assignment: "
    "a service that cannot find the user creates a second one, and the old one is never updated again",
    source="D-HOW (links kept across restarts), Q-READD, D-SCIM",
)
def same_user(kintone: Kintone, people: People, alias: str) -> None:
    user, before = _in_kintone(kintone, alias), people[alias].kintone_id
    assert before is not None and user.id == before, (
        f"{alias} is a different Kintone user now (id {user.id}, was {before})"
    )


@then(parsers.parse('there is exactly one user "{alias}" in Kintone'))
@verdict(
    entra="relies on 409 for a login name already taken: a second user with the same login name makes every "
    "later match fail with DuplicateTargetEntries",
    source="D-SCIM, D-VALID, D-LOGERR, RFC 7643 §4.1.1 (userName unique)",
)
def exactly_one(kintone: Kintone, alias: str) -> None:
    users = kintone.users(alias)
    assert len(users) == 1, f"Kintone holds {len(users)} users named like {alias}: {users}"


@then(parsers.parse('the user "{alias}" is a new Kintone user'))
def new_user(kintone: Kintone, people: People, alias: str) -> None:
    user, before = _in_kintone(kintone, alias), people[alias].kintone_id
    assert before is not None and user.id != before, f"{alias} is still the Kintone user {before}"


@then(parsers.parse('the user "{alias}" no longer has access to Kintone'))
def no_access(kintone: Kintone, notes: ReportNotes, alias: str) -> None:
    # Deleted, or kept inactive: Kintone's answer to a SCIM DELETE is unpublished; both end the access.
    user = kintone.user(alias)
    notes.note(f"{alias} in Kintone", "deleted" if user is None else f"kept, active={user.active}")
    assert user is None or user.active is False, f"{alias} is still an active user in Kintone: {user}"


@then(parsers.parse('the user "{alias}" keeps the old login name in Kintone'))
def keeps_old_login_name(kintone: Kintone, provisioning: Provisioning, people: People, alias: str) -> None:
    provisioning.note_log_for(alias)
    user = kintone.user_with_old_login_name(alias)
    assert user is not None and user.id == people[alias].kintone_id, (
        "the user with the old login name is gone"
    )


@then(parsers.parse('no user with the new login name of "{alias}" exists in Kintone'))
def new_login_name_absent(kintone: Kintone, alias: str) -> None:
    assert kintone.user(alias) is None, "the login name was changed in Kintone"


@then(parsers.parse('the user "{alias}" exists in Kintone with the new login name'))
def exists_with_new_login_name(
    kintone: Kintone, provisioning: Provisioning, people: People, alias: str
) -> None:
    user = kintone.user(alias)
    assert user is not None, (
        f"{alias} was not added again; provisioning log: {provisioning.failures_for(alias)}"
    )
    assert user.login_name.lower() == people[alias].login_name.lower()


@then(parsers.parse('the user "{alias}" with the old login name does not exist in Kintone'))
def old_login_name_absent(kintone: Kintone, alias: str) -> None:
    assert kintone.user_with_old_login_name(alias) is None


@then(parsers.re(r'the user "(?P<alias>[^"]+)" has no (department or job title|role) in Kintone'))
def nothing_unpropagated(protocol_probe: ProtocolProbe, people: People, alias: str) -> None:
    # Read through SCIM on purpose: the check is about what the SCIM resource keeps, and Kintone's User API
    # (the witness elsewhere) has no place for a department, a job title or a role of the user.
    login_name = people[alias].login_name
    found = exact_matches(protocol_probe.find_by_login(login_name), login_name)
    assert len(found) == 1, f"{alias} is not in Kintone"
    kept = unpropagated_items(found[0])
    assert not kept, f"Kintone kept items it must not propagate: {kept}"


@then(parsers.parse('the group "{group}" does not exist in Kintone'))
def group_absent(
    protocol_probe: ProtocolProbe, directory: Directory, target_service: ServiceOffer, group: str
) -> None:
    found = protocol_probe.find_group(directory.group_name(group))
    assert not group_listed(found, groups_offered=target_service.groups), f"the group {group} is in Kintone"
