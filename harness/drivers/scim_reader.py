"""Reads the state of users in a target through its SCIM endpoint, the way a check should see Kintone.

It talks SCIM through the project's one SCIM client (`simulator.client.ScimClient`, made by `scim_calls`), in
one method (`_send`): every call has a total deadline, and one that gets no answer in time is `CallTimedOut`,
a failure naming the call.
"""

from __future__ import annotations

from typing import Any

from scim_harness.common.errors import HarnessError
from scim_harness.common.scim_wire import SCIM_MEDIA_TYPE, list_resources, quote_filter_value
from scim_harness.drivers.base import TargetUser
from scim_harness.drivers.scim_calls import (
    DEFAULT_TIMEOUT_S,
    check_answered,
    describe_failure,
    new_scim_client,
)
from scim_harness.simulator.answers import Response


class ScimReader:
    """SCIM calls a driver needs for checks and clean-up (never for the behaviour under test)."""

    def __init__(
        self, scim_url: str, token: str, *, timeout: float | None = None, ca_file: str | None = None
    ) -> None:
        self._timeout = timeout or DEFAULT_TIMEOUT_S
        self._client = new_scim_client(scim_url, token, self._timeout, ca_file=ca_file)

    def __repr__(self) -> str:
        return f"ScimReader({self._client.tenant_url.base})"

    def _send(self, method: str, path: str, what: str, **kwargs: Any) -> Response:
        response = self._client.send(method, path, headers={"Accept": SCIM_MEDIA_TYPE}, **kwargs)
        return check_answered(response, what, self._timeout)

    def find(self, login_name: str) -> list[TargetUser]:
        """Every user the target's userName filter matches (case-insensitively on a conformant target)."""
        what = "looking up a user by login name"
        query = {"filter": f'userName eq "{quote_filter_value(login_name)}"'}
        response = self._send("GET", "/Users", what, query=query)
        if response.status == 404:
            return []
        if response.status != 200:
            raise HarnessError(describe_failure(what, response))
        # A count without resources reads as empty placeholders in list_resources: a check needs real users.
        return [TargetUser.from_scim(r) for r in list_resources(response.body) or [] if r]

    def get(self, login_name: str) -> TargetUser | None:
        # The filter is case-insensitive on a conformant target; a check wants exactly this login name.
        exact = [u for u in self.find(login_name) if u.login_name.lower() == login_name.lower()]
        return exact[0] if exact else None

    def delete(self, login_name: str) -> None:
        for user in self.find(login_name):
            response = self._send("DELETE", f"/Users/{user.id}", "deleting a user")
            if response.status not in (204, 200, 404):
                raise HarnessError(describe_failure("deleting a user", response))

    def close(self) -> None:
        self._client.close()
