"""Protocol steps (@scim): single requests shaped as Entra ID sends them, and what the service answers.

Each request step hands its answer on as the `scim_answer` fixture; every answer is also in `scim_answers`.
"""

from __future__ import annotations

from pytest_bdd import parsers, step, then

from scim_harness.drivers.protocol_probe import Answer, ProtocolProbe
from scim_harness.steps.support.people import People, unused_id, unused_login_name
from scim_harness.steps.support.protocol import (
    MALFORMED_DOCUMENT,
    MALFORMED_FILTER,
    AnswerLog,
    exact_matches,
    path_replace,
    pathless_replace,
)
from scim_harness.steps.support.provisioning import Provisioning

# ---- requests ----


@step(
    parsers.parse('Entra ID looks up the login name of "{alias}" written in upper case'),
    target_fixture="scim_answer",
)
def look_up_upper_case(protocol_probe: ProtocolProbe, people: People, alias: str) -> Answer:
    return protocol_probe.find_by_login(people[alias].login_name.upper())


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
def read_user(protocol_probe: ProtocolProbe, provisioning: Provisioning, alias: str) -> Answer:
    return protocol_probe.read(provisioning.linked_id(alias))


@step(parsers.parse('Entra ID creates the user "{alias}" once more'), target_fixture="scim_answer")
def create_again(protocol_probe: ProtocolProbe, provisioning: Provisioning, alias: str) -> Answer:
    return protocol_probe.create(provisioning.create_body(alias))


@step(parsers.parse('Entra ID creates the user "{alias}" with a wrong token'), target_fixture="scim_answer")
def create_with_wrong_token(protocol_probe: ProtocolProbe, provisioning: Provisioning, alias: str) -> Answer:
    return protocol_probe.create(provisioning.create_body(alias), token=unused_id())


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
def found_exactly(scim_answer: Answer, people: People, alias: str) -> None:
    assert scim_answer.status == 200, scim_answer.summary()
    login_name = people[alias].login_name
    assert len(scim_answer.resources) == 1 and exact_matches(scim_answer, login_name), scim_answer.resources


@then("the answer is a successful empty list")
def empty_list(scim_answer: Answer) -> None:
    assert scim_answer.status == 200, scim_answer.summary()
    assert scim_answer.resources == [] and scim_answer.body.get("totalResults") == 0, scim_answer.body


@then("the answer is a SCIM error saying the user was not found")
def error_not_found(scim_answer: Answer) -> None:
    assert scim_answer.is_scim_error(404), scim_answer.summary()


@then("the answer is a SCIM error saying the login name is already taken")
def error_uniqueness(scim_answer: Answer) -> None:
    assert scim_answer.is_scim_error(409, "uniqueness"), scim_answer.summary()


@then("the answer is a SCIM error saying the request is unauthorized")
def error_unauthorized(scim_answer: Answer) -> None:
    assert scim_answer.is_scim_error(401), scim_answer.summary()


@then("the answer is a SCIM error saying the filter is invalid")
def error_invalid_filter(scim_answer: Answer) -> None:
    assert scim_answer.is_scim_error(400, "invalidFilter"), scim_answer.summary()


@then("the answer is a SCIM error saying the request is invalid")
def error_invalid(scim_answer: Answer) -> None:
    assert scim_answer.is_scim_error(400), scim_answer.summary()


@then("every answer in this scenario was sent as application/scim+json")
def scim_media_type(scim_answers: AnswerLog) -> None:
    plain = scim_answers.not_scim_json()
    assert scim_answers.answers and not plain, f"answers not sent as application/scim+json: {plain}"
