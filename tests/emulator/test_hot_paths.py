"""The direct answers (emulator/hot_paths.py) say exactly what scim2-server's general path says for the same
request on the same SQLite data: same status, headers and body, for every user shape and every rule switch
that touches them. Both write the User JSON with the one writer (user_json); what this holds equal is that
the direct path finds the same users under the same rules."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Sequence
from typing import Any

import httpx
import pytest
from scim2_server.requests import ScimRequest
from scim2_server.responses import ScimResponse

from scim_harness.emulator import entra_compat
from scim_harness.emulator.config import EmulatorConfig
from scim_harness.emulator.defects import DefectSwitches
from scim_harness.emulator.hot_paths import _plain_replacements, _plain_user
from scim_harness.emulator.rules import RuleSwitches
from scim_harness.emulator.scim_app import ScimApplication
from scim_harness.emulator.scim_gate import PEER_HEADER
from scim_harness.emulator.state import EmulatorState
from scim_harness.emulator.store import UserQuery, UserValues
from scim_harness.emulator.tokens import TokenService

from .conftest import SEED_TOKEN, USER_SCHEMA

BASE_URL = "http://127.0.0.1:8080/scim/v2"
NOW = "2026-03-04T05:06:07.000000Z"
LATER = "2026-03-04T05:06:07.123400Z"

# Every shape a stored user can take: absent and empty values, inactive, non-ASCII, admin-created.
USERS: list[dict[str, Any]] = [
    {"user_name": "Ada.Lovelace@example.com", "external_id": "ext-1", "display_name": "Ada",
     "family_name": "Lovelace", "given_name": "Ada", "email": "ada@example.com", "active": True},
    {"user_name": "bare@example.com"},
    {"user_name": "inactive@example.com", "active": False, "given_name": "Only Given"},
    {"user_name": "empty@example.com", "display_name": "", "external_id": "", "family_name": ""},
    {"user_name": "Émile@Example.com", "display_name": "Émile Zola", "email": "émile@example.com"},
    {"user_name": "admin-made@example.com", "display_name": "Made by admin", "origin": "admin"},
]  # fmt: skip


def build_app(defects: DefectSwitches | None = None) -> ScimApplication:
    config = EmulatorConfig(
        seed_token=SEED_TOKEN, admin_password="unused", defects=defects or DefectSwitches()
    )
    state = EmulatorState(config)
    TokenService(state).seed()
    for index, user in enumerate(USERS):
        values = UserValues(**{key: value for key, value in user.items() if key != "origin"})
        record = state.db.users.insert(values, origin=user.get("origin", "scim"), now=NOW)
        if index % 2:  # some users modified later, with microseconds in lastModified
            state.db.users.update(record.id, values, now=LATER, scim=False)
    return ScimApplication(state)


@pytest.fixture
def app() -> Iterator[ScimApplication]:
    built = build_app()
    yield built
    built.state.close()


@pytest.fixture
def twins() -> Iterator[tuple[ScimApplication, ScimApplication]]:
    """Two emulators holding the same users: one with its direct answers, the other without (every request
    through entra_compat and scim2-server)."""
    pair = build_app(), build_app()
    pair[1].hot_paths = None
    yield pair
    for built in pair:
        built.state.close()


def request(
    path: str, query: dict[str, str] | None = None, headers: Sequence[tuple[str, str]] = ()
) -> ScimRequest:
    return ScimRequest(
        method="GET",
        base_url=BASE_URL,
        path=path,
        query=query or {},
        headers=[("Authorization", f"Bearer {SEED_TOKEN}"), (PEER_HEADER, "127.0.0.1"), *headers],
    )


def general_answer(app: ScimApplication, scim_request: ScimRequest) -> ScimResponse:
    """What scim2-server answers without the direct path."""

    async def handle() -> ScimResponse:
        try:
            return await app.handler.handle(scim_request)
        except Exception as exc:  # the library's own error mapping, as serve() does
            return app.handle_exception(scim_request, exc)

    return app.finalize_response(scim_request, asyncio.run(handle()))


def served_answer(app: ScimApplication, scim_request: ScimRequest) -> ScimResponse:
    return asyncio.run(app.serve(scim_request))


def assert_same(fast: ScimResponse, general: ScimResponse) -> None:
    assert fast.status == general.status
    assert fast.headers == general.headers
    # Byte-identical JSON: same keys, values and key order.
    assert json.dumps(fast.body) == json.dumps(general.body)


FAST_FILTERS = [
    'userName eq "ada.lovelace@EXAMPLE.com"',
    'userName eq "Ada.Lovelace@example.com"',
    'USERNAME EQ "bare@example.com"',
    'userName eq "inactive@example.com"',
    'userName eq "empty@example.com"',
    'userName eq "Émile@Example.com"',
    'userName eq "émile@example.com"',  # SQLite folds ASCII only: no match on either path
    'userName eq "admin-made@example.com"',
    'userName eq "nobody@example.com"',
    'userName eq ""',
]


@pytest.mark.parametrize("scim_filter", FAST_FILTERS)
def test_filter_by_login_answers_like_the_general_path(app: ScimApplication, scim_filter: str) -> None:
    scim_request = request("/Users", {"filter": scim_filter})
    assert app.hot_paths.answer(scim_request) is not None  # the direct path is the one under test
    assert_same(served_answer(app, scim_request), general_answer(app, scim_request))


@pytest.mark.parametrize(
    "query",
    [
        {"filter": 'userName eq "a\\"b"'},  # escapes: left to the filter parser
        {"filter": 'userName eq "bare@example.com" and active eq true'},
        {"filter": 'userName  eq "bare@example.com"'},
        {"filter": 'displayName eq "Ada"'},
        {"filter": 'userName eq "bare@example.com"', "startIndex": "1"},
        {"filter": 'userName eq "bare@example.com"', "attributes": "userName"},
        {"filter": "userName eq bare"},
    ],
)
def test_other_searches_take_the_general_path(app: ScimApplication, query: dict[str, str]) -> None:
    scim_request = request("/Users", query)
    assert app.hot_paths.answer(scim_request) is None
    assert_same(served_answer(app, scim_request), general_answer(app, scim_request))


@pytest.mark.parametrize(
    "switch",
    ["hide_inactive_users", "hide_admin_created_users", "case_sensitive_filter", "not_found_on_empty_filter"],
)
@pytest.mark.parametrize("scim_filter", FAST_FILTERS)
def test_filter_by_login_follows_the_rule_switches(
    app: ScimApplication, switch: str, scim_filter: str
) -> None:
    app.state.rules = RuleSwitches(**{switch: True})
    scim_request = request("/Users", {"filter": scim_filter})
    assert_same(served_answer(app, scim_request), general_answer(app, scim_request))


def test_duplicate_login_names_are_listed_like_the_general_path(app: ScimApplication) -> None:
    app.state.rules = RuleSwitches(allow_duplicate_login_names=True)
    app.state.db.users.insert(UserValues("BARE@example.com"), origin="scim", now=NOW, allow_duplicates=True)
    scim_request = request("/Users", {"filter": 'userName eq "bare@example.com"'})
    assert app.hot_paths.answer(scim_request) is not None
    answer = served_answer(app, scim_request)
    assert answer.body is not None and answer.body["totalResults"] == 2
    assert_same(answer, general_answer(app, scim_request))


@pytest.mark.parametrize("user_id", ["1", "2", "3", "4", "5", "6", "0006", "999", "0"])
def test_read_by_id_answers_like_the_general_path(app: ScimApplication, user_id: str) -> None:
    scim_request = request(f"/Users/{user_id}")
    assert_same(served_answer(app, scim_request), general_answer(app, scim_request))
    app.state.rules = RuleSwitches(hide_admin_created_users=True)
    assert_same(served_answer(app, scim_request), general_answer(app, scim_request))


@pytest.mark.parametrize(
    ("path", "query", "headers"),
    [
        ("/Users/1", {"attributes": "userName"}, []),
        ("/Users/1", {"excludedAttributes": "emails"}, []),
        ("/Users/1", {}, [("If-None-Match", 'W/"1"')]),
        ("/Users/abc", {}, []),
        ("/users/1", {}, []),
    ],
)
def test_other_reads_take_the_general_path(
    app: ScimApplication, path: str, query: dict[str, str], headers: list[tuple[str, str]]
) -> None:
    scim_request = request(path, query, headers)
    assert app.hot_paths.answer(scim_request) is None
    assert_same(served_answer(app, scim_request), general_answer(app, scim_request))


def test_over_http_the_direct_answers_match_the_general_ones(scim: httpx.Client) -> None:
    """Through uvicorn: a filter with a no-op startIndex takes the general path, and agrees; every body
    carries its exact Content-Length."""
    created = scim.post(
        "/Users",
        json={"schemas": [USER_SCHEMA], "userName": "Http.User@example.com", "displayName": "Http",
              "emails": [{"type": "work", "value": "http@example.com", "primary": True}]},
    )  # fmt: skip
    assert created.status_code == 201
    by_id = scim.get(f"/Users/{created.json()['id']}")
    assert by_id.status_code == 200 and by_id.json() == created.json()
    direct = scim.get("/Users", params={"filter": 'userName eq "HTTP.USER@example.com"'})
    general = scim.get("/Users", params={"filter": 'userName eq "HTTP.USER@example.com"', "startIndex": "1"})
    assert direct.status_code == general.status_code == 200
    assert direct.content == general.content
    assert direct.json()["Resources"] == [created.json()]
    for response in (created, by_id, direct):
        assert int(response.headers["content-length"]) == len(response.content)
        assert response.headers["content-type"] == "application/scim+json"


# -- PATCH ------------------------------------------------------------------------------------------------


def patch_request(
    user_id: str,
    body: object,
    headers: Sequence[tuple[str, str]] = (),
    media_type: str = "application/scim+json",
) -> ScimRequest:
    scim_request = request(f"/Users/{user_id}", headers=[("Content-Type", media_type), *headers])
    scim_request.method = "PATCH"
    scim_request.body = json.dumps(body).encode()
    return scim_request


def patch_op(*operations: dict[str, Any]) -> dict[str, Any]:
    """As Entra sends it: Operations before schemas."""
    return {"Operations": list(operations), "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}


def replace_op(path: str, value: object, op: str = "Replace") -> dict[str, Any]:
    return {"op": op, "path": path, "value": value}


def assert_same_patch(twins: tuple[ScimApplication, ScimApplication], user_id: str, body: object) -> None:
    """The same answer and the same stored row (its version included; lastModified is the clock's)."""
    direct, general = twins
    assert_same(
        served_answer(direct, patch_request(user_id, body)),
        served_answer(general, patch_request(user_id, body)),
    )
    for number in range(1, len(USERS) + 1):
        ours, theirs = direct.state.db.users.get(number), general.state.db.users.get(number)
        assert ours is not None and theirs is not None
        assert (ours.values(), ours.version) == (theirs.values(), theirs.version)


DIRECT_PATCHES = [
    patch_op(replace_op("displayName", "Renamed")),
    patch_op(replace_op("displayName", "Renamed", op="replace")),
    patch_op(replace_op("DISPLAYNAME", "Renamed", op="REPLACE")),
    patch_op(replace_op("name.givenName", "Grace"), replace_op("name.familyName", "Hopper")),
    patch_op(replace_op("externalId", "ext-new"), replace_op("displayName", "Émile 2")),
    patch_op(replace_op("displayName", "")),
    patch_op(replace_op("displayName", "first"), replace_op("displayName", "second")),
    patch_op(replace_op("displayName", "x" * 5000)),  # over Kintone's limit: refused on both paths
]


@pytest.mark.parametrize("body", DIRECT_PATCHES)
@pytest.mark.parametrize("user_id", ["1", "2", "3", "4", "5", "6", "999"])
def test_a_plain_patch_answers_and_stores_like_the_general_path(
    twins: tuple[ScimApplication, ScimApplication], body: dict[str, Any], user_id: str
) -> None:
    assert _plain_replacements(json.dumps(body).encode()) is not None  # the direct path is the one under test
    assert_same_patch(twins, user_id, body)


def test_a_patch_that_changes_nothing_writes_nothing(twins: tuple[ScimApplication, ScimApplication]) -> None:
    assert_same_patch(twins, "1", patch_op(replace_op("displayName", "Ada")))
    assert twins[0].state.db.users.get(1).version == 1  # type: ignore[union-attr]


def test_a_patch_follows_the_rule_switches(twins: tuple[ScimApplication, ScimApplication]) -> None:
    for built in twins:
        built.state.rules = RuleSwitches(hide_admin_created_users=True)
    assert_same_patch(twins, "6", patch_op(replace_op("displayName", "Hidden")))


@pytest.mark.parametrize(
    "body",
    [
        patch_op(replace_op("displayName", "x", op="add")),
        patch_op(replace_op("active", False)),
        patch_op(replace_op("displayName", 5)),
        patch_op(replace_op('emails[type eq "work"].value', "new@example.com")),
        patch_op(replace_op("userName", "renamed@example.com")),
        patch_op(replace_op("nickName", "ignored")),
        patch_op({"op": "Replace", "value": {"displayName": "pathless"}}),
        patch_op({"op": "Replace", "path": "displayName", "value": "x", "extra": 1}),
        patch_op(),
        {"operations": [replace_op("displayName", "x")], "schemas": patch_op()["schemas"]},
        {"Operations": [replace_op("displayName", "x")], "schemas": []},
        {"Operations": [replace_op("displayName", "x")]},
        [replace_op("displayName", "x")],
    ],
)
def test_other_patches_take_the_general_path(
    twins: tuple[ScimApplication, ScimApplication], body: object
) -> None:
    assert _plain_replacements(json.dumps(body).encode()) is None
    assert_same_patch(twins, "1", body)


def test_a_lone_surrogate_takes_the_general_path() -> None:
    assert (
        _plain_replacements(
            b'{"Operations": [{"op": "Replace", "path": "displayName", "value": "\\ud800"}],'
            b' "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}'
        )
        is None
    )


def test_with_a_defect_on_or_a_condition_a_patch_takes_the_general_path() -> None:
    body = patch_op(replace_op("displayName", "x"))
    defective = build_app(DefectSwitches({"patch_value_filter_no_target"}))
    plain = build_app()
    try:
        assert defective.hot_paths.answer(patch_request("1", body)) is None
        assert plain.hot_paths.answer(patch_request("1", body, [("If-Match", 'W/"1"')])) is None
        assert plain.hot_paths.answer(patch_request("1", body, media_type="text/plain")) is None
    finally:
        defective.state.close()
        plain.state.close()


# -- POST -------------------------------------------------------------------------------------------------

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def post_request(body: object, media_type: str = "application/scim+json") -> ScimRequest:
    scim_request = request("/Users", headers=[("Content-Type", media_type)])
    scim_request.method = "POST"
    scim_request.body = json.dumps(body).encode()
    return scim_request


def entra_user(login: str, **changes: object) -> dict[str, Any]:
    """POST /Users as Entra's documentation shows it (entra-provisioning.md §3), changes applied (None
    removes a key)."""
    body: dict[str, Any] = {
        "schemas": [USER_SCHEMA, ENTERPRISE],
        "externalId": "0a21f0f2",
        "userName": login,
        "active": True,
        "emails": [{"primary": True, "type": "work", "value": f"mail-{login}"}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "Given Family", "familyName": "Family", "givenName": "Given"},
        "roles": [],
        ENTERPRISE: {"department": "R&D"},
    }
    for key, value in changes.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def assert_same_post(twins: tuple[ScimApplication, ScimApplication], body: object) -> None:
    """The same answer (id, Location and times aside: each twin's clock) and the same stored rows."""
    direct, general = twins
    ours, theirs = served_answer(direct, post_request(body)), served_answer(general, post_request(body))
    assert (ours.status, ours.headers.keys()) == (theirs.status, theirs.headers.keys())
    if isinstance(ours.body, dict) and "meta" in ours.body:
        for answer in (ours, theirs):
            answer.body["meta"].pop("created"), answer.body["meta"].pop("lastModified")  # type: ignore[index]
    assert json.dumps(ours.body) == json.dumps(theirs.body)
    rows = [
        [(r.values(), r.version, r.origin) for r in twin.state.db.users.find(UserQuery())] for twin in twins
    ]
    assert rows[0] == rows[1]


DIRECT_POSTS = [
    entra_user("entra@example.com"),
    entra_user("plain@example.com", schemas=[USER_SCHEMA], meta=None, roles=None, **{ENTERPRISE: None}),
    entra_user("bare@example.com"),  # taken (without case): 409 on both paths
    entra_user("BARE@EXAMPLE.COM"),
    entra_user("inactive-new@example.com", active=False),
    entra_user("no-name@example.com", name=None, emails=None, externalId=None, active=None),
    entra_user("empty@new.example.com", displayName="", externalId="", name={"givenName": ""}),
    entra_user("nulls@example.com", externalId=None, displayName="Shown", name={"familyName": "Only"}),
    entra_user("odd-mail@example.com", emails=[{"type": "work", "value": "not an address"}]),
    entra_user("émile-new@example.com", displayName="Émile"),
    entra_user("nick@example.com", nickName="not propagated: dropped before"),
    entra_user("x" * 300 + "@example.com"),  # over Kintone's login-name limit: refused on both paths
]


@pytest.mark.parametrize("body", DIRECT_POSTS)
def test_a_plain_post_answers_and_stores_like_the_general_path(
    twins: tuple[ScimApplication, ScimApplication], body: dict[str, Any]
) -> None:
    assert _plain_user(entra_compat.normalise_resource(body, RuleSwitches())) is not None
    assert_same_post(twins, body)


@pytest.mark.parametrize(
    "body",
    [
        entra_user("s@example.com", active="True"),
        entra_user("s@example.com", userName=""),
        entra_user("s@example.com", userName=5),
        entra_user("s@example.com", username="lower@example.com", userName=None),
        entra_user("s@example.com", emails=[{"type": "home", "value": "h@example.com"}]),
        entra_user("s@example.com", emails=[{"type": "work", "value": "a"}, {"type": "work", "value": "b"}]),
        entra_user("s@example.com", emails=[{"type": "work", "value": "a", "primary": "yes"}]),
        entra_user("s@example.com", meta={"resourceType": "Group"}),
        entra_user("s@example.com", id="42"),
        entra_user("s@example.com", name={"givenName": 1}),
        entra_user("s@example.com", displayName=["list"]),
        entra_user("s@example.com", schemas=["urn:ietf:params:scim:schemas:core:2.0:Group"]),
        {"userName": "no-schemas@example.com"},
        [entra_user("s@example.com")],
    ],
)
def test_other_posts_take_the_general_path(
    twins: tuple[ScimApplication, ScimApplication], body: object
) -> None:
    normalised = entra_compat.normalise_resource(body, RuleSwitches()) if isinstance(body, dict) else {}
    assert _plain_user(normalised) is None
    assert_same_post(twins, body)


@pytest.mark.parametrize(
    "rules",
    [
        RuleSwitches(reject_ignored_attributes=True),
        RuleSwitches(allow_duplicate_login_names=True),
        RuleSwitches(case_sensitive_filter=True),
    ],
)
def test_a_post_follows_the_rule_switches(
    twins: tuple[ScimApplication, ScimApplication], rules: RuleSwitches
) -> None:
    for built in twins:
        built.state.rules = rules
    assert_same_post(twins, entra_user("bare@example.com"))
    assert_same_post(twins, entra_user("ruled@example.com"))


def test_a_deleted_login_name_is_refused_like_the_general_path(
    twins: tuple[ScimApplication, ScimApplication],
) -> None:
    for built in twins:
        built.state.db.users.delete_as_admin(
            [built.state.db.users.get(2)],
            ["bare@example.com"],
            now=NOW,  # type: ignore[list-item]
        )
    assert_same_post(twins, entra_user("bare@example.com"))


def test_with_a_defect_on_or_a_query_a_post_takes_the_general_path() -> None:
    defective = build_app(DefectSwitches({"duplicate_username_created"}))
    plain = build_app()
    try:
        assert defective.hot_paths.answer(post_request(entra_user("d@example.com"))) is None
        assert plain.hot_paths.answer(post_request(entra_user("d@example.com"), "text/plain")) is None
        with_query = post_request(entra_user("d@example.com"))
        with_query.query = {"attributes": "userName"}
        assert plain.hot_paths.answer(with_query) is None
    finally:
        defective.state.close()
        plain.state.close()
