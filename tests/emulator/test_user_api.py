"""Kintone's User API copy takes the published forms only (kintone-scim.md §5) and refuses the rest in
Kintone's error shape, so a client that works against the emulator works against Kintone."""

from __future__ import annotations

import httpx
import pytest

from tests.emulator.conftest import create


@pytest.fixture
def two_users(admin_http: httpx.Client) -> None:
    users = [{"code": "ann", "password": "p", "name": "Ann"}, {"code": "bob", "password": "p", "name": "Bob"}]
    assert admin_http.post("/v1/users.json", json={"users": users}).status_code == 200


def codes_of(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [user["code"] for user in response.json()["users"]]


def assert_kintone_error(response: httpx.Response, status: int = 400) -> None:
    assert response.status_code == status, response.text
    assert set(response.json()) == {"message", "id", "code"}


@pytest.mark.usefixtures("two_users")
@pytest.mark.parametrize(
    "params",
    [
        [("codes[0]", "bob"), ("codes[1]", "ANN")],
        [("codes[]", "bob"), ("codes[]", "ann")],
    ],
    ids=["indexed", "brackets"],
)
def test_codes_in_both_published_array_forms(admin_http: httpx.Client, params: list[tuple[str, str]]) -> None:
    # Sorted by id, whatever order they were asked in.
    assert codes_of(admin_http.get("/v1/users.json", params=params)) == ["ann", "bob"]


def test_ids_in_both_published_array_forms(admin_http: httpx.Client, scim: httpx.Client) -> None:
    user = create(scim, "carl")
    for key in ("ids[0]", "ids[]"):
        assert codes_of(admin_http.get("/v1/users.json", params=[(key, user["id"])])) == ["carl"]


@pytest.mark.usefixtures("two_users")
@pytest.mark.parametrize(
    "params",
    [
        {"codes": "ann"},
        {"ids": "1"},
        {"codes[0]": "ann", "ids[0]": "1"},
        {"ids[0]": "one"},
        {"size": "0"},
        {"size": "101"},
        {"size": "ten"},
        {"offset": "-1"},
        {"offset": "99999999999999999999999"},
        {f"codes[{n}]": f"u{n}" for n in range(101)},
    ],
    ids=[
        "bare-codes",
        "bare-ids",
        "ids-and-codes",
        "id-not-a-number",
        "size-0",
        "size-101",
        "size-text",
        "offset-negative",
        "offset-huge",
        "101-codes",
    ],
)
def test_what_the_published_api_does_not_take_is_refused(admin_http: httpx.Client, params: dict) -> None:
    assert_kintone_error(admin_http.get("/v1/users.json", params=params))


@pytest.mark.usefixtures("two_users")
def test_size_and_offset_page_in_id_order(admin_http: httpx.Client) -> None:
    assert codes_of(admin_http.get("/v1/users.json", params={"size": "1"})) == ["ann"]
    assert codes_of(admin_http.get("/v1/users.json", params={"size": "1", "offset": "1"})) == ["bob"]
    assert codes_of(admin_http.get("/v1/users.json", params={"offset": "2"})) == []


def test_field_limit_messages_name_the_limit(admin_http: httpx.Client) -> None:
    long_name = {"code": "dan", "password": "p", "name": "n" * 129}
    response = admin_http.post("/v1/users.json", json={"users": [long_name]})
    assert_kintone_error(response)
    assert response.json()["message"] == "name must be at most 128 characters."
    long_password = {"code": "dan", "password": "p" * 65, "name": "Dan"}
    assert admin_http.post("/v1/users.json", json={"users": [long_password]}).json()["message"] == (
        "password must be at most 64 characters."
    )
