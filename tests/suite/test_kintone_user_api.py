"""The kintone driver's User API calls use Kintone's published forms (kintone-scim.md §5)."""

from __future__ import annotations

import json

import httpx

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
