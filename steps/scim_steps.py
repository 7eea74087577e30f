"""Protocol steps (@scim): single requests shaped as Entra ID sends them, and what the service answers."""

from __future__ import annotations

from pytest_bdd import parsers, step, then

from scim_harness.suite_support import ScenarioWorld


@step(parsers.parse('Entra ID looks up the login name of "{alias}" written in upper case'))
def look_up_upper_case(world: ScenarioWorld, alias: str) -> None:
    world.answer(world.probe.find_by_login(world.person(alias).login_name.upper()))


@step("Entra ID looks up a login name that nobody has")
def look_up_nobody(world: ScenarioWorld) -> None:
    world.answer(world.probe.find_by_login(world.unused_login_name()))


@step("Entra ID looks up users with a malformed filter")
def malformed_filter(world: ScenarioWorld) -> None:
    world.answer(world.probe.find_with_filter("filter=userName+eq"))


@step("Entra ID reads a user by an id that does not exist")
def read_unknown_id(world: ScenarioWorld) -> None:
    world.answer(world.probe.read(world.unused_id()))


@step(parsers.parse('Entra ID reads the user "{alias}" without an Accept header'))
def read_user(world: ScenarioWorld, alias: str) -> None:
    world.answer(world.probe.read(world.linked_id(alias)))


@step(parsers.parse('Entra ID creates the user "{alias}" once more'))
def create_again(world: ScenarioWorld, alias: str) -> None:
    world.answer(world.probe.create(world.entra_create_body(alias)))


@step(parsers.parse('Entra ID creates the user "{alias}" with a wrong token'))
def create_with_wrong_token(world: ScenarioWorld, alias: str) -> None:
    world.answer(world.probe.create(world.entra_create_body(alias), token=world.unused_id()))


@step("Entra ID creates a user with a malformed document")
def create_malformed(world: ScenarioWorld) -> None:
    world.answer(
        world.probe.create_raw('{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": ')
    )


@step("Entra ID sends a request without a token")
def without_token(world: ScenarioWorld) -> None:
    world.answer(world.probe.read(world.unused_id(), token=None))


@step(parsers.parse('Entra ID replaces the given name of "{alias}" with "{value}" without a path'))
def replace_without_path(world: ScenarioWorld, alias: str, value: str) -> None:
    world.answer(world.probe.patch(world.linked_id(alias), world.pathless_replace("name.givenName", value)))


@step(parsers.parse('Entra ID replaces the work email of "{alias}" with "{value}" through a filtered path'))
def replace_filtered_path(world: ScenarioWorld, alias: str, value: str) -> None:
    world.answer(
        world.probe.patch(world.linked_id(alias), world.path_replace('emails[type eq "work"].value', value))
    )


@step(parsers.parse('Entra ID sets the status of "{alias}" to the text "{value}"'))
def status_as_text(world: ScenarioWorld, alias: str, value: str) -> None:
    world.answer(world.probe.patch(world.linked_id(alias), world.path_replace("active", value)))


@then(parsers.parse('exactly the user "{alias}" is found'))
def found_exactly(world: ScenarioWorld, alias: str) -> None:
    answer = world.last_answer
    assert answer is not None and answer.status == 200, answer and answer.summary()
    assert [r.get("userName", "").lower() for r in answer.resources] == [
        world.person(alias).login_name.lower()
    ]


@then("the answer is a successful empty list")
def empty_list(world: ScenarioWorld) -> None:
    answer = world.last_answer
    assert answer is not None and answer.status == 200, answer and answer.summary()
    assert answer.resources == [] and answer.body.get("totalResults") == 0, answer.body


@then("the answer is a SCIM error saying the user was not found")
def error_not_found(world: ScenarioWorld) -> None:
    assert world.last_answer.is_scim_error(404), world.last_answer.summary()


@then("the answer is a SCIM error saying the login name is already taken")
def error_uniqueness(world: ScenarioWorld) -> None:
    assert world.last_answer.is_scim_error(409, "uniqueness"), world.last_answer.summary()


@then("the answer is a SCIM error saying the request is unauthorized")
def error_unauthorized(world: ScenarioWorld) -> None:
    assert world.last_answer.is_scim_error(401), world.last_answer.summary()


@then("the answer is a SCIM error saying the filter is invalid")
def error_invalid_filter(world: ScenarioWorld) -> None:
    assert world.last_answer.is_scim_error(400, "invalidFilter"), world.last_answer.summary()


@then("the answer is a SCIM error saying the request is invalid")
def error_invalid(world: ScenarioWorld) -> None:
    assert world.last_answer.is_scim_error(400), world.last_answer.summary()


@then("every answer in this scenario was sent as application/scim+json")
def scim_media_type(world: ScenarioWorld) -> None:
    plain = [
        a.summary() for a in world.probe.answers if not a.content_type.startswith("application/scim+json")
    ]
    assert world.probe.answers and not plain, f"answers not sent as application/scim+json: {plain}"
