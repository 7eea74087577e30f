"""API tokens (validity, notes, shown once, hashed, several, disable, delete) and the IP allow list."""

from __future__ import annotations

import httpx
import pytest

from scim_harness.emulator.admin_client import AdminClient
from scim_harness.emulator.server import EmulatorServer
from tests.emulator.conftest import SEED_TOKEN, TIMEOUT_S, assert_scim_error


def get_users(emulator: EmulatorServer, authorization: str | None) -> httpx.Response:
    headers = {"Authorization": authorization} if authorization is not None else {}
    return httpx.get(f"{emulator.scim_url}/Users", headers=headers, timeout=TIMEOUT_S)


def test_created_token_works_is_shown_once_and_only_its_hash_is_stored(
    emulator: EmulatorServer, admin_http: httpx.Client
) -> None:
    response = admin_http.post("/_emulator/tokens", json={"validity_days": 30, "notes": "Entra production"})
    assert response.status_code == 201
    created = response.json()
    assert set(created) == {"id", "token", "scim_endpoint", "expires_at", "notes", "enabled"}
    assert created["scim_endpoint"] == emulator.scim_url
    assert created["notes"] == "Entra production" and created["enabled"] is True and created["expires_at"]
    assert get_users(emulator, f"Bearer {created['token']}").status_code == 200
    listed = admin_http.get("/_emulator/tokens").json()["tokens"]
    assert len(listed) == 2 and created["id"] in {t["id"] for t in listed}
    assert created["token"] not in admin_http.get("/_emulator/tokens").text
    assert all(set(t) == {"id", "notes", "expires_at", "enabled", "created_at"} for t in listed)
    assert emulator.state is not None
    dump = emulator.state.db.dump()  # the whole database, as text
    assert created["token"] not in dump and SEED_TOKEN not in dump


def test_several_tokens_at_once_and_rotation(emulator: EmulatorServer, admin: AdminClient) -> None:
    old = admin.create_token(None, "old")
    new = admin.create_token(365, "new")
    assert get_users(emulator, f"Bearer {old.token}").status_code == 200
    assert get_users(emulator, f"Bearer {new.token}").status_code == 200
    admin.disable_token(old.info.id)
    assert_scim_error(get_users(emulator, f"Bearer {old.token}"), 401)
    assert get_users(emulator, f"Bearer {new.token}").status_code == 200
    admin.enable_token(old.info.id)
    assert get_users(emulator, f"Bearer {old.token}").status_code == 200
    admin.delete_token(old.info.id)
    assert_scim_error(get_users(emulator, f"Bearer {old.token}"), 401)
    assert old.info.id not in {t.id for t in admin.list_tokens()}


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer not-a-token", f"Basic {SEED_TOKEN}", SEED_TOKEN],
    ids=["no-header", "empty", "no-value", "unknown", "wrong-scheme", "no-scheme"],
)
def test_missing_or_unknown_token_is_401_with_a_scim_error(
    emulator: EmulatorServer, authorization: str | None
) -> None:
    body = assert_scim_error(get_users(emulator, authorization), 401)
    assert SEED_TOKEN not in body["detail"]


def test_expired_token_is_401_once_the_clock_passes_its_validity(
    emulator: EmulatorServer, admin: AdminClient
) -> None:
    token = admin.create_token(30, "expires")
    admin.clock(29 * 86400)
    assert get_users(emulator, f"Bearer {token.token}").status_code == 200
    admin.clock(30 * 86400 + 1)
    assert_scim_error(get_users(emulator, f"Bearer {token.token}"), 401)
    # The seed token has no expiry.
    assert get_users(emulator, f"Bearer {SEED_TOKEN}").status_code == 200


def test_token_expiry_can_be_set_directly(emulator: EmulatorServer, admin: AdminClient) -> None:
    token = admin.create_token(None, "x")
    admin.set_token_expiry(token.info.id, "2000-01-01T00:00:00Z")
    assert_scim_error(get_users(emulator, f"Bearer {token.token}"), 401)


def test_token_lookup_by_value_finds_the_seed(admin: AdminClient) -> None:
    found = admin.find_token(SEED_TOKEN)
    assert found.enabled is True and found.expires_at is None and found.notes.startswith("seeded")


def test_token_creation_refuses_what_the_dialog_would_not_take(admin_http: httpx.Client) -> None:
    for body in (
        {"validity_days": 7, "notes": ""},
        {"validity_days": "30"},
        {"validity_days": None, "notes": "n" * 201},
    ):
        response = admin_http.post("/_emulator/tokens", json=body)
        assert response.status_code == 400
        assert set(response.json()) == {"message", "id", "code"}
    assert len(admin_http.get("/_emulator/tokens").json()["tokens"]) == 1


def test_ip_allow_list(scim: httpx.Client, admin: AdminClient) -> None:
    assert admin.ip_allowlist() == []
    admin.ip_allowlist(["203.0.113.0/24", "198.51.100.7"])
    body = assert_scim_error(scim.get("/Users"), 403)
    assert body["detail"] == "An invalid certificate was entered"
    assert_scim_error(scim.post("/Users", json={"userName": "blocked"}), 403)
    admin.ip_allowlist(["127.0.0.0/8"])
    assert scim.get("/Users").json()["totalResults"] == 0
    admin.ip_allowlist([])
    assert scim.get("/Users").status_code == 200


def test_ip_allow_list_refuses_bad_entries(admin_http: httpx.Client) -> None:
    for addresses in (["not-an-ip"], ["2001:db8::/32"], "10.0.0.1", ["10.0.0.1"] * 1001):
        response = admin_http.put("/_emulator/ip-allowlist", json={"addresses": addresses})
        assert response.status_code == 400, addresses
    assert admin_http.get("/_emulator/ip-allowlist").json() == {"addresses": []}


def test_peer_header_cannot_be_forged(scim: httpx.Client, admin: AdminClient) -> None:
    admin.ip_allowlist(["203.0.113.0/24"])
    assert_scim_error(scim.get("/Users", headers={"X-Emulator-Peer": "203.0.113.5"}), 403)
