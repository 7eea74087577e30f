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

from scim_harness.emulator.config import EmulatorConfig
from scim_harness.emulator.rules import RuleSwitches
from scim_harness.emulator.scim_app import ScimApplication
from scim_harness.emulator.scim_gate import PEER_HEADER
from scim_harness.emulator.state import EmulatorState
from scim_harness.emulator.store import UserValues
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


@pytest.fixture
def app() -> Iterator[ScimApplication]:
    state = EmulatorState(EmulatorConfig(seed_token=SEED_TOKEN, admin_password="unused"))
    TokenService(state).seed()
    for index, user in enumerate(USERS):
        values = UserValues(**{key: value for key, value in user.items() if key != "origin"})
        record = state.db.users.insert(values, origin=user.get("origin", "scim"), now=NOW)
        if index % 2:  # some users modified later, with microseconds in lastModified
            state.db.users.update(record.id, values, now=LATER, scim=False)
    yield ScimApplication(state)
    state.close()


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
