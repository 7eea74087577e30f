"""The emulator's own admin surface (/_emulator/*): what Kintone's Provisioning page does (no public API)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from scim_harness.drivers.http import cybozu_authorization, expect, send


class EmulatorAdminApi:
    def __init__(self, client: httpx.Client, base_url: str, admin_login: str, admin_password: str) -> None:
        self._client = client
        self._base = base_url.rstrip("/") + "/_emulator"
        self._headers = cybozu_authorization(admin_login, admin_password)

    def _call(self, method: str, path: str, action: str, *ok: int, json: Any = None) -> httpx.Response:
        response = send(self._client, method, self._base + path, action, json=json, headers=self._headers)
        return expect(response, action, *(ok or (200,)))

    def create_token(self, validity_days: int | None, notes: str) -> dict[str, Any]:
        return self._call(
            "POST",
            "/tokens",
            "creating an API token",
            200,
            201,
            json={"validity_days": validity_days, "notes": notes},
        ).json()

    def tokens(self) -> list[dict[str, Any]]:
        return self._call("GET", "/tokens", "listing API tokens").json()["tokens"]

    def set_token_enabled(self, token_id: str, enabled: bool) -> None:
        self._call(
            "PATCH", f"/tokens/{token_id}", "switching an API token", 200, 204, json={"enabled": enabled}
        )

    def delete_token(self, token_id: str) -> None:
        self._call("DELETE", f"/tokens/{token_id}", "deleting an API token", 200, 204, 404)

    def set_propagation(self, enabled: bool) -> None:
        self._call(
            "PUT", "/propagation", "switching Propagate Provisioning", 200, 204, json={"enabled": enabled}
        )

    def set_ip_allowlist(self, addresses: list[str]) -> None:
        self._call(
            "PUT", "/ip-allowlist", "setting the IP allow list", 200, 204, json={"addresses": addresses}
        )

    def set_clock_offset(self, seconds: float) -> None:
        self._call("PUT", "/clock", "moving the emulator's clock", 200, 204, json={"offset_seconds": seconds})

    def set_rules(self, rules: dict[str, bool]) -> None:
        self._call("PUT", "/rules", "setting the emulator's rule switches", 200, 204, json=rules)

    def rules(self) -> dict[str, bool]:
        return self._call("GET", "/rules", "reading the emulator's rule switches").json()

    def seconds_until_expired(self, token_id: str) -> float:
        """How far the emulator's clock must move for this token to be past its expiry."""
        token = next((t for t in self.tokens() if str(t["id"]) == str(token_id)), None)
        if token is None or not token.get("expires_at"):
            raise ValueError("the token has no expiry")
        expires_at = datetime.fromisoformat(str(token["expires_at"]).replace("Z", "+00:00"))
        if expires_at.tzinfo is None:
            expires_at = expires_at.replace(tzinfo=UTC)
        return (expires_at - datetime.now(UTC)).total_seconds() + 3600
