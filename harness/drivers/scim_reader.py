"""Reads the state of users in a target through its SCIM endpoint, the way a check should see Kintone.

Thin on purpose: `_send` is the one place that talks HTTP, so that moving onto the project's one SCIM client
(the simulator's ScimClient, once it offers a low-level send) changes one method.
"""

from __future__ import annotations

from typing import Any

import httpx

from scim_harness.common.scim_wire import SCIM_MEDIA_TYPE, list_resources, quote_filter_value
from scim_harness.drivers.base import TargetUser
from scim_harness.drivers.http import bearer, expect, json_or_none, send


class ScimReader:
    """SCIM calls a driver needs for checks and clean-up (never for the behaviour under test)."""

    def __init__(self, client: httpx.Client, scim_url: str, token: str) -> None:
        self._client = client
        self._users_url = scim_url.rstrip("/") + "/Users"
        self._headers = {**bearer(token), "Accept": SCIM_MEDIA_TYPE}

    def _send(self, method: str, url: str, action: str, **kwargs: Any) -> httpx.Response:
        return send(self._client, method, url, action, headers=self._headers, **kwargs)

    def find(self, login_name: str) -> list[TargetUser]:
        """Every user the target's userName filter matches (case-insensitively on a conformant target)."""
        action = "looking up a user by login name"
        response = self._send(
            "GET",
            self._users_url,
            action,
            params={"filter": f'userName eq "{quote_filter_value(login_name)}"'},
        )
        if response.status_code == 404:
            return []
        expect(response, action, 200)
        # A count without resources reads as empty placeholders in list_resources: a check needs real users.
        return [TargetUser.from_scim(r) for r in list_resources(json_or_none(response)) or [] if r]

    def get(self, login_name: str) -> TargetUser | None:
        # The filter is case-insensitive on a conformant target; a check wants exactly this login name.
        exact = [u for u in self.find(login_name) if u.login_name.lower() == login_name.lower()]
        return exact[0] if exact else None

    def delete(self, login_name: str) -> None:
        for user in self.find(login_name):
            response = self._send("DELETE", f"{self._users_url}/{user.id}", "deleting a user")
            expect(response, "deleting a user", 204, 200, 404)
