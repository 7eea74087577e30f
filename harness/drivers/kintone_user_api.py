"""Kintone's User API (/v1/users.json): what an administrator can do to users without SCIM.

Real Kintone and the emulator serve it alike, so the kintone and emulator drivers share this client (the
emulator's own admin surface is reached through scim_harness.emulator.admin_client). It is also the suite's
independent witness: the checks read users here, not through the SCIM endpoint under test. Published forms
only (kintone-scim.md §5): GET takes the array parameter as `codes[0]=...`, POST `{"users": [...]}`, DELETE
`{"codes": [...]}`, each with `X-Cybozu-Authorization` and no header of a client library.
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
        # Content-Type only with a body ("Only required when sending a request body", Kintone REST API
        # overview): httpx's `json=` sets `application/json` on POST and DELETE; a GET carries none.
        self._headers = cybozu_authorization(admin_login, admin_password)

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

    def find(self, login_name: str) -> list[dict[str, Any]]:
        """The users Kintone holds under this login name (`GET /v1/users.json?codes[0]=...`)."""
        response = self._call("GET", "reading users as administrator", 200, params=codes_query([login_name]))
        users = (json_or_none(response) or {}).get("users")
        return [u for u in users if isinstance(u, dict)] if isinstance(users, list) else []

    def exists(self, login_name: str) -> bool:
        return bool(self.find(login_name))

    def delete(self, login_name: str) -> None:
        self._call("DELETE", "deleting a user as administrator", 200, 204, json={"codes": [login_name]})
