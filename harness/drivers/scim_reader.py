"""Reads the state of users in a target through its SCIM endpoint, the way a check should see Kintone."""

from __future__ import annotations

import uuid

import httpx

from scim_harness.drivers.base import TargetUser
from scim_harness.drivers.http import SCIM_JSON, bearer, expect, json_or_none, send


class ScimReader:
    """SCIM calls a driver needs for checks and clean-up (never for the behaviour under test)."""

    def __init__(self, client: httpx.Client, scim_url: str, token: str) -> None:
        self._client = client
        self._users_url = scim_url.rstrip("/") + "/Users"
        self._headers = {**bearer(token), "Accept": SCIM_JSON}

    def find(self, login_name: str) -> list[TargetUser]:
        response = send(
            self._client,
            "GET",
            self._users_url,
            "looking up a user by login name",
            params={"filter": f'userName eq "{_quote(login_name)}"'},
            headers=self._headers,
        )
        if response.status_code == 404:
            return []
        expect(response, "looking up a user by login name", 200)
        body = json_or_none(response) or {}
        return [TargetUser.from_scim(r) for r in body.get("Resources") or []]

    def get(self, login_name: str) -> TargetUser | None:
        # The filter is case-insensitive on a conformant target; a check wants exactly this login name.
        exact = [u for u in self.find(login_name) if u.login_name.lower() == login_name.lower()]
        return exact[0] if exact else None

    def get_by_id(self, user_id: str) -> TargetUser | None:
        response = send(
            self._client, "GET", f"{self._users_url}/{user_id}", "reading a user", headers=self._headers
        )
        if response.status_code == 404:
            return None
        expect(response, "reading a user", 200)
        return TargetUser.from_scim(response.json())

    def create(self, login_name: str, display_name: str, email: str | None = None) -> TargetUser:
        body: dict = {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": login_name,
            "displayName": display_name,
            "active": True,
            "externalId": str(uuid.uuid4()),
        }
        if email:
            body["emails"] = [{"type": "work", "value": email, "primary": True}]
        response = send(
            self._client,
            "POST",
            self._users_url,
            "creating a user",
            json=body,
            headers={**self._headers, "Content-Type": SCIM_JSON},
        )
        expect(response, "creating a user", 201)
        return TargetUser.from_scim(response.json())

    def delete(self, login_name: str) -> None:
        for user in self.find(login_name):
            response = send(
                self._client,
                "DELETE",
                f"{self._users_url}/{user.id}",
                "deleting a user",
                headers=self._headers,
            )
            expect(response, "deleting a user", 204, 200, 404)


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
