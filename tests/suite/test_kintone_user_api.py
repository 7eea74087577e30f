"""The kintone driver's User API calls use Kintone's published forms (kintone-scim.md §5), and no request of a
driver carries a client library's headers."""

from __future__ import annotations

import json

import httpx

from scim_harness.drivers.base import TargetUser
from scim_harness.drivers.http import new_client
from scim_harness.drivers.kintone_user_api import KintoneUserApi, codes_query


def _api(seen: list[httpx.Request], answer: dict) -> KintoneUserApi:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=answer)

    client = httpx.Client(transport=httpx.MockTransport(handle))
    return KintoneUserApi(client, "https://example.cybozu.com", "Administrator", "pw")


def test_a_get_names_the_users_in_the_array_form() -> None:
    seen: list[httpx.Request] = []
    assert _api(seen, {"users": [{"code": "a@x.test"}]}).exists("a@x.test") is True

    [request] = seen
    assert request.method == "GET" and request.url.path == "/v1/users.json"
    assert request.url.params.multi_items() == [("codes[0]", "a@x.test")]
    assert "codes=" not in str(request.url).replace("codes%5B0%5D=", "")


def test_several_codes_are_numbered_from_zero() -> None:
    assert codes_query(["a", "b"]) == [("codes[0]", "a"), ("codes[1]", "b")]


def test_a_delete_sends_the_codes_as_a_json_array() -> None:
    seen: list[httpx.Request] = []
    _api(seen, {}).delete("a@x.test")

    [request] = seen
    assert request.method == "DELETE" and json.loads(request.content) == {"codes": ["a@x.test"]}
    assert "X-Cybozu-Authorization" in request.headers


def test_a_get_carries_no_content_type_and_a_write_carries_json() -> None:
    # "Content-Type ... Only required when sending a request body" (Kintone REST API overview).
    seen: list[httpx.Request] = []
    api = _api(seen, {"users": []})
    api.exists("a@x.test")
    api.add("a@x.test", "A")
    api.delete("a@x.test")

    get, post, delete = seen
    assert "content-type" not in get.headers
    assert post.headers["content-type"] == delete.headers["content-type"] == "application/json"


def test_the_witness_reads_one_user_in_the_published_form() -> None:
    seen: list[httpx.Request] = []
    kintone_user = {"id": "7", "code": "A@x.test", "name": "A", "surName": "", "valid": False, "email": ""}
    [user] = _api(seen, {"users": [kintone_user]}).find("a@x.test")

    [request] = seen
    assert str(request.url) == "https://example.cybozu.com/v1/users.json?codes%5B0%5D=a%40x.test"
    found = TargetUser.from_kintone(user)
    assert (found.id, found.login_name, found.display_name, found.active) == ("7", "A@x.test", "A", False)
    assert found.family_name is None and found.email is None  # Kintone's "" is an item it does not hold


def test_driver_requests_carry_no_client_library_headers() -> None:
    # httpx would send `User-Agent: python-httpx/...`, `Accept: */*`, `Accept-Encoding: gzip, ...` and
    # `Connection: keep-alive` of its own; Entra's client sends none, and neither do the suite's drivers and
    # probe (they all take their client from new_client).
    with new_client(5) as client:
        request = client.build_request("GET", "https://example.cybozu.com/v1/users.json")
    assert {name.lower() for name in request.headers} == {"host"}
