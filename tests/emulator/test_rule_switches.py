"""Each test-only switch breaks its one rule, so a conformance scenario for that rule would go red."""

from __future__ import annotations

import httpx

from scim_harness.emulator.admin_client import AdminClient
from scim_harness.emulator.server import EmulatorServer
from tests.emulator.conftest import SEED_TOKEN, TIMEOUT_S, create, new_user, patch


def test_all_switches_default_off(admin: AdminClient) -> None:
    assert not any(admin.rules().values())


def test_allow_login_name_change(scim: httpx.Client, admin: AdminClient) -> None:
    user = create(scim, "a1")
    admin.rules({"allow_login_name_change": True})
    scim.patch(f"/Users/{user['id']}", json=patch({"op": "Replace", "path": "userName", "value": "a2"}))
    assert scim.get(f"/Users/{user['id']}").json()["userName"] == "a2"


def test_recreate_deleted_users(scim: httpx.Client, admin: AdminClient) -> None:
    create(scim, "b1")
    admin.delete_users(["b1"])
    admin.rules({"recreate_deleted_users": True})
    assert scim.post("/Users", json=new_user("b1")).status_code == 201


def test_keep_block_after_propagation_toggle(scim: httpx.Client, admin: AdminClient) -> None:
    create(scim, "c1")
    admin.delete_users(["c1"])
    admin.rules({"keep_block_after_propagation_toggle": True})
    admin.propagation(False)
    admin.propagation(True)
    assert scim.post("/Users", json=new_user("c1")).status_code == 409


def test_apply_writes_when_propagation_off(scim: httpx.Client, admin: AdminClient) -> None:
    admin.propagation(False)
    admin.rules({"apply_writes_when_propagation_off": True})
    assert scim.post("/Users", json=new_user("d1")).status_code == 201


def test_hide_inactive_users(scim: httpx.Client, admin: AdminClient) -> None:
    create(scim, "e1", active=False)
    admin.rules({"hide_inactive_users": True})
    assert scim.get("/Users", params={"filter": 'userName eq "e1"'}).json()["totalResults"] == 0


def test_hide_admin_created_users(scim: httpx.Client, admin: AdminClient) -> None:
    admin.add_user("f1", "F", "pw")
    admin.rules({"hide_admin_created_users": True})
    assert scim.get("/Users", params={"filter": 'userName eq "f1"'}).json()["totalResults"] == 0


def test_allow_duplicate_login_names(scim: httpx.Client, admin: AdminClient) -> None:
    create(scim, "dup")
    admin.rules({"allow_duplicate_login_names": True})
    assert scim.post("/Users", json=new_user("DUP")).status_code == 201
    assert scim.get("/Users", params={"filter": 'userName eq "dup"'}).json()["totalResults"] == 2


def test_case_sensitive_filter(scim: httpx.Client, admin: AdminClient) -> None:
    create(scim, "G1")
    admin.rules({"case_sensitive_filter": True})
    assert scim.get("/Users", params={"filter": 'userName eq "g1"'}).json()["totalResults"] == 0
    assert scim.get("/Users", params={"filter": 'userName eq "G1"'}).json()["totalResults"] == 1


def test_not_found_on_empty_filter(scim: httpx.Client, admin: AdminClient) -> None:
    admin.rules({"not_found_on_empty_filter": True})
    assert scim.get("/Users", params={"filter": 'userName eq "nobody"'}).status_code == 404


def test_token_switches(emulator: EmulatorServer, admin: AdminClient) -> None:
    url = f"{emulator.scim_url}/Users"
    token = admin.create_token(30, "t")
    admin.disable_token(token.info.id)
    admin.rules({"accept_disabled_tokens": True})
    assert (
        httpx.get(url, headers={"Authorization": f"Bearer {token.token}"}, timeout=TIMEOUT_S).status_code
        == 200
    )
    expiring = admin.create_token(30, "e")
    admin.clock(31 * 86400)
    admin.rules({"accept_expired_tokens": True})
    assert (
        httpx.get(url, headers={"Authorization": f"Bearer {expiring.token}"}, timeout=TIMEOUT_S).status_code
        == 200
    )
    admin.rules({"accept_invalid_tokens": True})
    assert httpx.get(url, timeout=TIMEOUT_S).status_code == 200


def test_ignore_ip_allowlist(scim: httpx.Client, admin: AdminClient) -> None:
    admin.ip_allowlist(["203.0.113.0/24"])
    admin.rules({"ignore_ip_allowlist": True})
    assert scim.get("/Users").status_code == 200


def test_ignore_field_limits(scim: httpx.Client, admin: AdminClient) -> None:
    admin.rules({"ignore_field_limits": True})
    assert scim.post("/Users", json=new_user("h" * 200)).status_code == 201


def test_reject_ignored_attributes(scim: httpx.Client, admin: AdminClient) -> None:
    admin.rules({"reject_ignored_attributes": True})
    assert scim.post("/Users", json=new_user("i1", title="CTO")).status_code == 400


def test_reject_string_booleans(scim: httpx.Client, admin: AdminClient) -> None:
    user = create(scim, "j1")
    admin.rules({"reject_string_booleans": True})
    response = scim.patch(
        f"/Users/{user['id']}", json=patch({"op": "Replace", "path": "active", "value": "False"})
    )
    assert response.status_code == 400
    assert scim.get(f"/Users/{user['id']}").json()["active"] is True


def test_no_target_on_unmatched_filter_path(scim: httpx.Client, admin: AdminClient) -> None:
    user = create(scim, "k1")
    admin.rules({"no_target_on_unmatched_filter_path": True})
    body = patch({"op": "Add", "path": 'emails[type eq "work"].value', "value": "k@example.com"})
    response = scim.patch(f"/Users/{user['id']}", json=body)
    assert response.status_code == 400 and response.json()["scimType"] == "noTarget"


def test_plain_json_responses(scim: httpx.Client, admin: AdminClient) -> None:
    admin.rules({"plain_json_responses": True})
    assert scim.get("/Users").headers["content-type"] == "application/json"


def test_rules_can_be_set_at_startup() -> None:
    from scim_harness.emulator.config import EmulatorConfig
    from scim_harness.emulator.rules import RuleSwitches

    config = EmulatorConfig(seed_token=SEED_TOKEN, rules=RuleSwitches(not_found_on_empty_filter=True))
    with EmulatorServer(config) as server:
        response = httpx.get(
            f"{server.scim_url}/Users",
            params={"filter": 'userName eq "x"'},
            headers={"Authorization": f"Bearer {SEED_TOKEN}"},
            timeout=TIMEOUT_S,
        )
    assert response.status_code == 404
