"""Kintone's User API (/v1/users.json): what an administrator can do to users without SCIM.

Real Kintone and the emulator serve it alike, so one client drives both.
"""

from __future__ import annotations

import secrets

import httpx

from scim_harness.drivers.http import cybozu_authorization, expect, json_or_none, send


class KintoneUserApi:
    def __init__(self, client: httpx.Client, base_url: str, admin_login: str, admin_password: str) -> None:
        self._client = client
        self._url = base_url.rstrip("/") + "/v1/users.json"
        self._headers = {
            **cybozu_authorization(admin_login, admin_password),
            "Content-Type": "application/json",
        }

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
        response = send(
            self._client,
            "POST",
            self._url,
            "adding a user as administrator",
            json={"users": [user]},
            headers=self._headers,
        )
        expect(response, "adding a user as administrator", 200, 201)

    def exists(self, login_name: str) -> bool:
        response = send(
            self._client,
            "GET",
            self._url,
            "reading users as administrator",
            params={"codes[0]": login_name},  # the published array form (kintone-scim.md §5)
            headers=self._headers,
        )
        expect(response, "reading users as administrator", 200)
        return bool((json_or_none(response) or {}).get("users"))

    def delete(self, login_name: str) -> None:
        response = send(
            self._client,
            "DELETE",
            self._url,
            "deleting a user as administrator",
            json={"codes": [login_name]},
            headers=self._headers,
        )
        expect(response, "deleting a user as administrator", 200, 204)
