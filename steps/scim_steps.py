"""Protocol steps (@scim): single requests shaped as Entra ID sends them, and what the service answers.

Each request step hands its answer on as the `scim_answer` fixture; every answer is also in `scim_answers`.
"""

from __future__ import annotations

from pytest_bdd import parsers, step, then

from scim_harness.drivers.protocol_probe import Answer, ProtocolProbe
from scim_harness.reporting.verdicts import verdict
from scim_harness.steps.support.directory import Directory
from scim_harness.steps.support.people import People, unused_id, unused_login_name
from scim_harness.steps.support.protocol import (
    MALFORMED_DOCUMENT,
    MALFORMED_FILTER,
    MALFORMED_PATCH,
    UNKNOWN_ATTRIBUTE,
    AnswerLog,
    error_body_problems,
    exact_matches,
    path_replace,
    pathless_replace,
    work_email,
)
from scim_harness.steps.support.provisioning import Provisioning

# What Entra does with an error answer it cannot read (RFC 7644 §3.12), said once for every error check.
_UNREADABLE_ERROR = (
    "; an error answer without the SCIM Error document (its schema, `status` as a string) leaves the "
    "provisioning log without the reason (D-LOGERR), and strict clients cannot read it"
)

# ---- requests ----


@step(
    parsers.parse('Entra ID looks up the login name of "{alias}" written in upper case'),
    target_fixture="scim_answer",
)
def look_up_upper_case(protocol_probe: ProtocolProbe, people: People, alias: str) -> Answer:
    return protocol_probe.find_by_login(people[alias].login_name.upper())


@step(parsers.parse('Entra ID looks up the user "{alias}" by its external id'), target_fixture="scim_answer")
def look_up_external_id(protocol_probe: ProtocolProbe, directory: Directory, alias: str) -> Answer:
    # The default mappings send mailNickname as externalId; Entra queries users by userName and externalId.
    return protocol_probe.find_by_external_id(str(directory.attribute(alias, "mailNickname")))


@step("Entra ID looks up a login name that nobody has", target_fixture="scim_answer")
def look_up_nobody(protocol_probe: ProtocolProbe) -> Answer:
    return protocol_probe.find_by_login(unused_login_name())


@step("Entra ID looks up users with a malformed filter", target_fixture="scim_answer")
def malformed_filter(protocol_probe: ProtocolProbe) -> Answer:
    return protocol_probe.find_with_filter(MALFORMED_FILTER)


@step("Entra ID reads a user by an id that does not exist", target_fixture="scim_answer")
def read_unknown_id(protocol_probe: ProtocolProbe) -> Answer:
    return protocol_probe.read(unused_id())


@step(
    parsers.parse('Entra ID reads the user "{alias}" without an Accept header'), target_fixture="scim_answer"
)
@step(parsers.parse('Entra ID reads the user "{alias}" by its id'), target_fixture="scim_answer")
def read_user(protocol_probe: ProtocolProbe, provisioning: Provisioning, alias: str) -> Answer:
    return protocol_probe.read(provisioning.linked_id(alias))


@step(parsers.parse('Entra ID creates the user "{alias}" once more'), target_fixture="scim_answer")
def create_again(protocol_probe: ProtocolProbe, provisioning: Provisioning, alias: str) -> Answer:
    return protocol_probe.create(provisioning.create_body(alias))


@step(parsers.parse('Entra ID creates the user "{alias}" with a wrong token'), target_fixture="scim_answer")
def create_with_wrong_token(protocol_probe: ProtocolProbe, provisioning: Provisioning, alias: str) -> Answer:
    return protocol_probe.create(provisioning.create_body(alias), token=unused_id())


@step(
    parsers.parse('Entra ID creates the user "{alias}" with an attribute that no schema defines'),
    target_fixture="scim_answer",
)
def create_with_unknown_attribute(
    protocol_probe: ProtocolProbe, provisioning: Provisioning, alias: str
) -> Answer:
    return protocol_probe.create({**provisioning.create_body(alias), **UNKNOWN_ATTRIBUTE})


@step(
    parsers.parse('Entra ID sends an update of "{alias}" that is not a valid PATCH'),
    target_fixture="scim_answer",
)
def malformed_patch(protocol_probe: ProtocolProbe, provisioning: Provisioning, alias: str) -> Answer:
    return protocol_probe.patch(provisioning.linked_id(alias), MALFORMED_PATCH)


@step("Entra ID creates a user with a malformed document", target_fixture="scim_answer")
def create_malformed(protocol_probe: ProtocolProbe) -> Answer:
    return protocol_probe.create_raw(MALFORMED_DOCUMENT)


@step("Entra ID sends a request without a token", target_fixture="scim_answer")
def without_token(protocol_probe: ProtocolProbe) -> Answer:
    return protocol_probe.read(unused_id(), token=None)


@step(
    parsers.parse('Entra ID replaces the given name of "{alias}" with "{value}" without a path'),
    target_fixture="scim_answer",
)
def replace_without_path(
    protocol_probe: ProtocolProbe, provisioning: Provisioning, alias: str, value: str
) -> Answer:
    return protocol_probe.patch(provisioning.linked_id(alias), pathless_replace("name.givenName", value))


@step(
    parsers.parse('Entra ID replaces the work email of "{alias}" with "{value}" through a filtered path'),
    target_fixture="scim_answer",
)
def replace_filtered_path(
    protocol_probe: ProtocolProbe, provisioning: Provisioning, alias: str, value: str
) -> Answer:
    return protocol_probe.patch(
        provisioning.linked_id(alias), path_replace('emails[type eq "work"].value', value)
    )


@step(
    parsers.parse('Entra ID sets the status of "{alias}" to the text "{value}"'), target_fixture="scim_answer"
)
def status_as_text(
    protocol_probe: ProtocolProbe, provisioning: Provisioning, alias: str, value: str
) -> Answer:
    return protocol_probe.patch(provisioning.linked_id(alias), path_replace("active", value))


# ---- answers ----


@then(parsers.parse('exactly the user "{alias}" is found'))
@verdict(
    entra="matches users with this filter before creating them: a user it cannot find is POSTed again and "
    "refused with 409 (Conflict every cycle, never updated or disabled); a filter that finds several fails "
    "the user with DuplicateTargetEntries, or links the wrong one",
    source="D-SCIM (users are queried by userName and externalId), D-LOGERR, RFC 7643 §4.1.1 (userName is "
    "caseExact false), RFC 7644 §3.4.2.2",
)
def found_exactly(scim_answer: Answer, people: People, alias: str) -> None:
    assert scim_answer.status == 200, scim_answer.summary()
    login_name = people[alias].login_name
    assert len(scim_answer.resources) == 1 and exact_matches(scim_answer, login_name), scim_answer.resources


@then("the answer is a successful empty list")
@verdict(
    entra="Test Connection fails and the job is quarantined: 'SCIM Compliance issue: an HTTP/404 Not Found "
    "response was returned rather than the expected HTTP/200 OK'; nothing is provisioned",
    source="D-SCIM and D-GALLERY (200 with an empty ListResponse), D-QUAR, RFC 7644 §3.4.2",
)
def empty_list(scim_answer: Answer) -> None:
    assert scim_answer.status == 200, scim_answer.summary()
    assert scim_answer.resources == [] and scim_answer.body.get("totalResults") == 0, scim_answer.body


@then("the answer is a SCIM error saying the user was not found")
@verdict(
    entra="reads a linked user by its id before every update: a 404 tells it the user is gone "
    "(InvalidAnchor), anything else keeps it retrying an object that does not exist" + _UNREADABLE_ERROR,
    source="RFC 7644 §3.4.1 and §3.6 (404 for an unknown or deleted id), §3.12; D-LOGERR (InvalidAnchor)",
)
def error_not_found(scim_answer: Answer) -> None:
    assert scim_answer.is_scim_error(404), scim_answer.summary()


@then("the answer is a SCIM error saying the login name is already taken")
@verdict(
    entra="relies on 409 for a user that exists: a second user with the same login name is created instead, "
    "and later matching finds two (DuplicateTargetEntries)" + _UNREADABLE_ERROR,
    source="D-SCIM, D-VALID (409 on a duplicate), RFC 7644 §3.3 and §3.12 (409, scimType uniqueness)",
)
def error_uniqueness(scim_answer: Answer) -> None:
    assert scim_answer.is_scim_error(409, "uniqueness"), scim_answer.summary()


@then("the answer is a SCIM error saying the request is unauthorized")
@verdict(
    entra="counts 401 (and 403) as invalid credentials: Test Connection fails and the job is quarantined. A "
    "service that serves requests without a valid token lets anyone read and change its users"
    + _UNREADABLE_ERROR,
    source="RFC 7644 §2 and §3.12 (401), D-QUAR, Q-CRED",
)
def error_unauthorized(scim_answer: Answer) -> None:
    assert scim_answer.is_scim_error(401), scim_answer.summary()


@then("the answer is a SCIM error saying the filter is invalid")
@verdict(
    entra="logs the service's error text for a refused request; without a SCIM error (400, invalidFilter) "
    "the log shows no reason" + _UNREADABLE_ERROR,
    source="RFC 7644 §3.4.2.2 and §3.12 (400 invalidFilter), D-LOGERR",
)
def error_invalid_filter(scim_answer: Answer) -> None:
    assert scim_answer.is_scim_error(400, "invalidFilter"), scim_answer.summary()


@then("the answer is a SCIM error saying the request is invalid")
@verdict(
    entra="logs a 400 as SystemForCrossDomainIdentityManagementBadRequest with the service's reason; a 5xx "
    "is InternalServerError, retried every 40 minutes without end" + _UNREADABLE_ERROR,
    source="RFC 7644 §3.12 (400 invalidSyntax), D-LOGERR",
)
def error_invalid(scim_answer: Answer) -> None:
    assert scim_answer.is_scim_error(400), scim_answer.summary()


@then("the answer is a SCIM error saying the request is invalid, never a server error")
@verdict(
    entra="logs a 400 once as SystemForCrossDomainIdentityManagementBadRequest with the service's reason; a "
    "5xx is InternalServerError, and the object is retried every 40 minutes and never provisioned"
    + _UNREADABLE_ERROR,
    source="RFC 7644 §3.12 (400 invalidSyntax/invalidValue for a body that does not fit the schema or a "
    "malformed PATCH), D-LOGERR (5xx: InternalServerError, retried)",
)
def invalid_not_server_error(scim_answer: Answer) -> None:
    assert scim_answer.status < 500, f"a server error: {scim_answer.summary()}"
    problems = error_body_problems(scim_answer, 400)
    assert not problems, f"{scim_answer.summary()}: {'; '.join(problems)}"


@then(parsers.parse('the work email of "{alias}" in Kintone is "{value}"'))
@verdict(
    entra='compares and filters on emails[type eq "work"].value: an address stored without its type is not '
    "the work address, so Entra sends it again every cycle",
    source='D-SCIM (mail -> emails[type eq "work"].value), RFC 7644 §3.5.2.3 (a filtered path)',
)
def work_email_is(
    protocol_probe: ProtocolProbe, people: People, scim_answers: AnswerLog, alias: str, value: str
) -> None:
    # A check about SCIM itself (the element of type "work"), so it reads the SCIM resource, not the User API.
    login_name = people[alias].login_name
    found = exact_matches(protocol_probe.find_by_login(login_name), login_name)
    assert len(found) == 1, f"{alias} is not in Kintone"
    held = work_email(found[0])
    assert held == value, (
        f"the work email of {alias} in Kintone is {held!r}, not {value!r} (emails: {found[0].get('emails')})"
        f"{scim_answers.last_said()}"
    )


_CAPITALISED = (
    '; the op is capitalised ("Replace") as Entra\'s legacy dialect and every on-demand run send it, while '
    "RFC 7644 §3.5.2 names the ops in lower case"
)


@then("the service accepted the replace without a path")
@verdict(
    entra='sends a replace without a path whose value has dotted keys ("name.givenName") whenever several '
    "items change in the aadOptscim062020 dialect: refused, every such update fails, retried each cycle",
    source="D-COMPAT (the compliant replace of several attributes), I-NOPATH",
    rfc="RFC 7644 §3.5.2.3 has no dotted keys in a path-less value, so a strict server may refuse them; "
    "Entra sends them" + _CAPITALISED,
)
def accepted_pathless(scim_answer: Answer) -> None:
    assert 200 <= scim_answer.status < 300, f"the update was refused: {scim_answer.summary()}"


@then("the service accepted the replace through the filtered path")
@verdict(
    entra='replaces emails[type eq "work"].value for a user who has no work email yet and expects the '
    "element to be created; refused, the user never gets one and the update fails every cycle",
    source="I-ADDFILT, I-SG, entra-provisioning.md §4",
    rfc="RFC 7644 §3.5.2 allows 400 noTarget when a value filter matches nothing; Entra expects the element "
    "to be created" + _CAPITALISED,
)
def accepted_filtered_path(scim_answer: Answer) -> None:
    assert 200 <= scim_answer.status < 300, f"the update was refused: {scim_answer.summary()}"


@then("the service accepted the status as text")
@verdict(
    entra='sends active as the text "True"/"False" in the legacy dialect (the default, and every '
    "on-demand run): refused, users are never disabled or re-enabled",
    source="D-COMPAT, I-STR ('our service sends it as a string today')",
    rfc="RFC 7643 types active as a boolean, so a strict server may refuse the text; Entra sends it"
    + _CAPITALISED,
)
def accepted_status_text(scim_answer: Answer) -> None:
    assert 200 <= scim_answer.status < 300, f"the update was refused: {scim_answer.summary()}"


@then("every answer in this scenario was sent as application/scim+json")
@verdict(
    entra="probably tolerates application/json on provisioning (unconfirmed); the Microsoft SCIM Validator "
    "aborts, and an error page in another media type cannot be read, so the log shows no reason",
    source="D-SCIM (application/scim+json on every response), RFC 7644 §3.1 and §8.1, E§2",
)
def scim_media_type(scim_answers: AnswerLog) -> None:
    plain = scim_answers.not_scim_json()
    assert scim_answers.answers and not plain, f"answers not sent as application/scim+json: {plain}"
