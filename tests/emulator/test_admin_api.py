"""Kintone's User API (/v1/users.json) and the emulator-only admin surface: shapes, auth and errors."""

from __future__ import annotations

import base64

import httpx
import pytest

from scim_harness.emulator.server import EmulatorServer
from tests.emulator.conftest import TIMEOUT_S, create


def cybozu(login: str, password: str) -> dict[str, str]:
    return {"X-Cybozu-Authorization": base64.b64encode(f"{login}:{password}".encode()).decode()}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        cybozu("Administrator", "wrong"),
        cybozu("someone", "admin-password-for-tests"),
        {"X-Cybozu-Authorization": "%%%"},
    ],
    ids=["none", "bad-password", "bad-login", "not-base64"],
)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/users.json"),
        ("GET", "/_emulator/tokens"),
        ("PUT", "/_emulator/propagation"),
        ("POST", "/_emulator/reset"),
    ],
)
def test_admin_surface_needs_the_administrator(
    emulator: EmulatorServer, headers: dict[str, str], method: str, path: str
) -> None:
    response = httpx.request(
        method, f"{emulator.base_url}{path}", headers=headers, json={"enabled": False}, timeout=TIMEOUT_S
    )
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"message", "id", "code"}
    assert "admin-password-for-tests" not in response.text


def test_user_api_add_get_delete(admin_http: httpx.Client, scim: httpx.Client) -> None:
    response = admin_http.post(
        "/v1/users.json",
        json={
            "users": [
                {
                    "code": "vera",
                    "password": "p",
                    "name": "Vera",
                    "surName": "V",
                    "givenName": "Ve",
                    "email": "v@example.com",
                },
                {"code": "walt", "password": "p", "name": "Walt", "valid": False},
            ]
        },
    )
    assert response.status_code == 200 and response.json() == {}
    users = admin_http.get("/v1/users.json", params={"codes[0]": "vera", "codes[1]": "WALT"}).json()["users"]
    assert [u["code"] for u in users] == ["vera", "walt"]
    vera = users[0]
    assert (
        vera["name"] == "Vera"
        and vera["surName"] == "V"
        and vera["givenName"] == "Ve"
        and vera["valid"] is True
    )
    assert vera["email"] == "v@example.com" and vera["id"].isdigit() and "password" not in vera
    assert users[1]["valid"] is False
    created = create(scim, "xena")
    by_id = admin_http.get("/v1/users.json", params=[("ids[0]", created["id"])]).json()["users"]
    assert [u["code"] for u in by_id] == ["xena"]
    paged = admin_http.get("/v1/users.json", params={"size": 2, "offset": 1}).json()["users"]
    assert [u["code"] for u in paged] == ["walt", "xena"]
    assert admin_http.request("DELETE", "/v1/users.json", json={"codes": ["vera", "walt"]}).json() == {}
    assert [u["code"] for u in admin_http.get("/v1/users.json").json()["users"]] == ["xena"]


def test_user_api_refusals_change_nothing(admin_http: httpx.Client) -> None:
    admin_http.post("/v1/users.json", json={"users": [{"code": "yuri", "password": "p", "name": "Yuri"}]})
    bad_bodies = [
        {"users": [{"code": "zed", "password": "p"}]},
        {"users": [{"code": " ", "password": "p", "name": "Blank"}]},
        {"users": [{"code": "z" * 129, "password": "p", "name": "Long"}]},
        {
            "users": [
                {"code": "new1", "password": "p", "name": "N"},
                {"code": "YURI", "password": "p", "name": "Dup"},
            ]
        },
        {"users": []},
        {"users": [{"code": "typed", "password": "p", "name": "T", "surName": 5}]},
        {"users": ["not-an-object"]},
    ]
    for body in bad_bodies:
        response = admin_http.post("/v1/users.json", json=body)
        assert response.status_code == 400, body
        assert set(response.json()) == {"message", "id", "code"}
    response = admin_http.post(
        "/v1/users.json", content=b"{oops", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert (
        admin_http.request("DELETE", "/v1/users.json", json={"codes": ["yuri", "nobody"]}).status_code == 400
    )
    assert [u["code"] for u in admin_http.get("/v1/users.json").json()["users"]] == ["yuri"]


def test_emulator_settings_round_trip(admin_http: httpx.Client) -> None:
    assert admin_http.get("/_emulator/propagation").json() == {"enabled": True}
    assert admin_http.put("/_emulator/propagation", json={"enabled": False}).json() == {"enabled": False}
    assert admin_http.put("/_emulator/propagation", json={"enabled": "no"}).status_code == 400
    assert admin_http.put("/_emulator/clock", json={"offset_seconds": 60}).json() == {"offset_seconds": 60.0}
    assert admin_http.get("/_emulator/clock").json() == {"offset_seconds": 60.0}
    rules = admin_http.put("/_emulator/rules", json={"hide_inactive_users": True}).json()
    assert rules["hide_inactive_users"] is True and rules["allow_login_name_change"] is False
    assert admin_http.put("/_emulator/rules", json={"no_such_rule": True}).status_code == 400
    assert admin_http.put("/_emulator/rules", json={"hide_inactive_users": "yes"}).status_code == 400
    assert admin_http.post("/_emulator/reset").status_code == 204
    assert admin_http.get("/_emulator/propagation").json() == {"enabled": True}
    assert admin_http.get("/_emulator/rules").json()["hide_inactive_users"] is False
    assert admin_http.get("/_emulator/clock").json() == {"offset_seconds": 0.0}


def test_reset_wipes_users_tombstones_and_tokens_but_keeps_the_seed(
    admin_http: httpx.Client, scim: httpx.Client
) -> None:
    create(scim, "gone")
    admin_http.request("DELETE", "/v1/users.json", json={"codes": ["gone"]})
    admin_http.post("/_emulator/tokens", json={"validity_days": None, "notes": "extra"})
    admin_http.post("/_emulator/reset")
    assert admin_http.get("/v1/users.json").json() == {"users": []}
    assert [t["notes"] for t in admin_http.get("/_emulator/tokens").json()["tokens"]] == [
        "seeded at start (--token)"
    ]
    assert (
        scim.post(
            "/Users", json={"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "gone"}
        ).status_code
        == 201
    )


def test_unknown_admin_path_is_404_in_kintone_shape(admin_http: httpx.Client) -> None:
    response = admin_http.get("/_emulator/nothing")
    assert response.status_code == 404 and set(response.json()) == {"message", "id", "code"}
