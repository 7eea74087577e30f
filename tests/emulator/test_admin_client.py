"""The one client of the emulator's admin surfaces: complete, typed, and failing with one readable line that
holds no secret."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import httpx
import pytest

from scim_harness.common.errors import HarnessError
from scim_harness.emulator.admin_client import AdminClient, NewToken, ProfileInfo
from scim_harness.emulator.server import EmulatorServer
from tests.emulator.conftest import ADMIN_PASSWORD, SEED_TOKEN


class TestAdminClient:
    def test_tokens_create_list_lookup_disable_enable_expire_delete(self, admin: AdminClient) -> None:
        created = admin.create_token(30, "rotation")
        assert isinstance(created, NewToken) and created.token not in repr(created)
        assert created.info.expires_at and created.scim_endpoint.endswith("/scim/v2")
        assert created.info.id in {t.id for t in admin.list_tokens()}
        found = admin.find_token(created.token)
        assert (found.id, found.notes, found.enabled) == (created.info.id, "rotation", True)
        assert admin.disable_token(created.info.id).enabled is False
        assert admin.enable_token(created.info.id).enabled is True
        when = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
        assert admin.set_token_expiry(created.info.id, when).expires_at.startswith("2030-01-02T03:04:05")
        assert admin.set_token_expiry(created.info.id, None).expires_at is None
        admin.delete_token(created.info.id)
        assert created.info.id not in {t.id for t in admin.list_tokens()}

    def test_settings_round_trip(self, admin: AdminClient) -> None:
        assert admin.propagation(False) is False and admin.propagation() is False
        assert admin.ip_allowlist(["203.0.113.7"]) == ["203.0.113.7/32"] == admin.ip_allowlist()
        assert admin.clock(3600) == 3600.0 == admin.clock()
        assert admin.rules({"hide_inactive_users": True})["hide_inactive_users"] is True
        state = admin.defects({"slow_answers": True}, latency_seconds=0.5)
        assert state.enabled == ["slow_answers"] and state.parameters["latency_seconds"] == 0.5

    def test_profile(self, admin: AdminClient) -> None:
        assert admin.profile() == ProfileInfo("kintone", "/scim/v2", ["User"], False)

    def test_user_api(self, admin: AdminClient) -> None:
        admin.add_user("vera", "Vera", "pw", email="v@example.com")
        assert [u["code"] for u in admin.list_users(["VERA"])] == ["vera"]
        admin.delete_users(["vera"])
        assert admin.list_users() == []

    def test_reset_restores_the_start(self, admin: AdminClient) -> None:
        admin.create_token(None, "extra")
        admin.propagation(False)
        admin.reset()
        assert [t.notes for t in admin.list_tokens()] == ["seeded at start (--token)"]
        assert admin.propagation() is True


class TestAdminClientErrors:
    def test_a_refusal_is_one_line_with_the_emulators_reason(self, admin: AdminClient) -> None:
        with pytest.raises(HarnessError) as caught:
            admin.ip_allowlist(["not-an-ip"])
        message = str(caught.value)
        assert "\n" not in message and "HTTP 400" in message and "'not-an-ip' is not an IPv4" in message

    def test_a_wrong_password_is_refused_without_showing_it(self, emulator: EmulatorServer) -> None:
        client = AdminClient(emulator.base_url, emulator.admin_login, "wrong-password-123")
        with client, pytest.raises(HarnessError) as caught:
            client.list_tokens()
        message = str(caught.value)
        assert "HTTP 401" in message and "wrong-password-123" not in message
        assert base64.b64encode(b"Administrator:wrong-password-123").decode() not in message

    def test_an_unreachable_emulator_is_one_line(self) -> None:
        client = AdminClient("http://127.0.0.1:9", "Administrator", ADMIN_PASSWORD, timeout=2)
        with client, pytest.raises(HarnessError, match="cannot reach the emulator"):
            client.profile()

    def test_a_token_value_never_shows_in_an_error(self, admin: AdminClient) -> None:
        with pytest.raises(HarnessError) as caught:
            admin.find_token(SEED_TOKEN + "-not-stored")
        assert SEED_TOKEN not in str(caught.value)


def test_a_refused_token_change_changes_nothing(admin: AdminClient, admin_http: httpx.Client) -> None:
    token = admin.create_token(None, "kept")
    response = admin_http.patch(
        f"/_emulator/tokens/{token.info.id}", json={"enabled": False, "expires_at": 1}
    )
    assert response.status_code == 400
    assert admin.find_token(token.token).enabled is True


@pytest.mark.parametrize("offset", [b"1e300", b"Infinity", b"NaN", b'"soon"', b"true"])
def test_an_unusable_clock_offset_is_refused(
    admin: AdminClient, admin_http: httpx.Client, offset: bytes
) -> None:
    response = admin_http.put("/_emulator/clock", content=b'{"offset_seconds": ' + offset + b"}")
    assert response.status_code == 400
    assert admin.clock() == 0.0
