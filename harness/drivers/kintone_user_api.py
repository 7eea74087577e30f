"""Kintone's User API (/v1/users.json): what an administrator can do to users without SCIM.

Real Kintone and the emulator serve it alike, so the kintone and emulator drivers share this client (the
emulator's own admin surface is reached through scim_harness.emulator.admin_client). Published forms only
(kintone-scim.md §5): GET takes the array parameter as `codes[0]=...`, DELETE takes `{"codes": [...]}`.
"""

from __future__ import annotations

import secrets
from typing import Any

import httpx

from scim_harness.drivers.http import cybozu_authorization, expect, json_or_none, send


def codes_query(login_names: list[str]) -> list[tuple[str, str]]:
    """Kintone's published array form for a GET: `codes[0]=a&codes[1]=b` (never a bare repeated `codes=`)."""
    return [(f"codes[{index}]", name) for index, name in enumerate(login_names)]


class KintoneUserApi:
    def __init__(self, client: httpx.Client, base_url: str, admin_login: str, admin_password: str) -> None:
        self._client = client
        self._url = base_url.rstrip("/") + "/v1/users.json"
        self._headers = {
            **cybozu_authorization(admin_login, admin_password),
            "Content-Type": "application/json",
        }

    def _call(self, method: str, action: str, *ok: int, **kwargs: Any) -> httpx.Response:
        response = send(self._client, method, self._url, action, headers=self._headers, **kwargs)
        return expect(response, action, *ok)

    def add(self, login_name: str, display_name: str, email: str | None = None) -> None:
        user = {
            "code": login_name,
            "name": display_name,
            "valid": True,
            # Required by the API; the user signs in by SAML, so nobody ever needs this value.
            "password": secrets.token_urlsafe(24),
        }
        if email:
            user["email"] = email
        self._call("POST", "adding a user as administrator", 200, 201, json={"users": [user]})

    def exists(self, login_name: str) -> bool:
        response = self._call("GET", "reading users as administrator", 200, params=codes_query([login_name]))
        return bool((json_or_none(response) or {}).get("users"))

    def delete(self, login_name: str) -> None:
        self._call("DELETE", "deleting a user as administrator", 200, 204, json={"codes": [login_name]})
