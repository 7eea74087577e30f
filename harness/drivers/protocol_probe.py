"""Single SCIM requests shaped exactly as Entra ID sends them, for the protocol (@scim) scenarios.

Bodies come from the simulator's payloads and queries from the common wire helpers, so they are Entra's, not
ours, and they go out through the project's one SCIM client (`simulator.client.ScimClient`, made by
`scim_calls`) with Entra's bytes and headers, in one method (`_send`). A request that gets no answer within
the per-call timeout is `CallTimedOut`: the scenario fails there, naming the call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scim_harness.common.scim_wire import filter_query, is_scim_error
from scim_harness.drivers.scim_calls import DEFAULT_TIMEOUT_S, check_answered, new_scim_client
from scim_harness.simulator.client import JOB_TOKEN

DEFAULT_TOKEN = object()
"""`token=DEFAULT_TOKEN`: the probe's own token; `token=None`: no Authorization header at all."""


@dataclass(frozen=True, repr=False)
class Answer:
    """What the service answered one request (never the request's headers, so never a token)."""

    what: str
    status: int
    content_type: str
    body: Any
    headers: tuple[tuple[str, str], ...] = ()
    """The answer's headers, names in lower case."""

    @property
    def resources(self) -> list[dict[str, Any]]:
        return list((self.body or {}).get("Resources") or []) if isinstance(self.body, dict) else []

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key == wanted), None)

    def is_scim_error(self, status: int, scim_type: str | None = None) -> bool:
        """This HTTP status, and an RFC 7644 §3.12 error document saying it (scim_wire.is_scim_error)."""
        return self.status == status and is_scim_error(self.body, status, scim_type)

    def summary(self) -> str:
        detail = self.body.get("detail") if isinstance(self.body, dict) else None
        return f"{self.what}: HTTP {self.status} ({self.content_type or 'no content type'})" + (
            f", detail: {detail}" if detail else ""
        )

    def __repr__(self) -> str:
        # Short, because allure-pytest-bdd shows step arguments with repr() and a body can be long.
        return f"Answer({self.summary()})"


class ProtocolProbe:
    def __init__(
        self,
        scim_url: str,
        token: str,
        *,
        timeout: float | None = None,
        on_answer: Callable[[Answer], None] | None = None,
    ) -> None:
        self._timeout = timeout or DEFAULT_TIMEOUT_S
        self._client = new_scim_client(scim_url, token, self._timeout)
        self._on_answer = on_answer or (lambda _answer: None)

    def __repr__(self) -> str:
        return f"ProtocolProbe({self._client.tenant_url.base})"

    def _send(
        self,
        what: str,
        method: str,
        path: str,
        *,
        query: str = "",
        body: Any = None,
        raw: str | None = None,
        token: Any = DEFAULT_TOKEN,
    ) -> Answer:
        # Entra sends no reliable Accept header, so neither does the probe (scim_media_type.feature).
        response = self._client.send(
            method,
            path,
            query=query,
            body=body,
            raw_body=None if raw is None else raw.encode(),
            token=JOB_TOKEN if token is DEFAULT_TOKEN else token,
        )
        check_answered(response, what, self._timeout)
        answer = Answer(what, response.status or 0, response.content_type, response.body, response.headers)
        self._on_answer(answer)
        return answer

    # ---- users ------------------------------------------------------------------------------------------

    def find_by_login(self, login_name: str) -> Answer:
        return self._send(
            f"look-up of userName {login_name!r}", "GET", "/Users", query=filter_query("userName", login_name)
        )

    def find_by_external_id(self, external_id: str) -> Answer:
        query = filter_query("externalId", external_id)
        return self._send(f"look-up of externalId {external_id!r}", "GET", "/Users", query=query)

    def find_with_filter(self, raw_query: str) -> Answer:
        return self._send(f"look-up with {raw_query!r}", "GET", "/Users", query=raw_query)

    def list_users(self, start_index: int, count: int) -> Answer:
        """A page of every user (Account Discovery, RFC 7644 §3.4.2.4)."""
        query = f"startIndex={start_index}&count={count}"
        return self._send(f"page of users from {start_index} ({count} at most)", "GET", "/Users", query=query)

    def read(self, user_id: str, *, token: Any = DEFAULT_TOKEN) -> Answer:
        return self._send(f"read of user id {user_id!r}", "GET", f"/Users/{user_id}", token=token)

    def create(self, body: dict[str, Any], *, token: Any = DEFAULT_TOKEN) -> Answer:
        what = f"create of userName {body.get('userName')!r}"
        return self._send(what, "POST", "/Users", body=body, token=token)

    def create_raw(self, text: str) -> Answer:
        return self._send("create with a malformed document", "POST", "/Users", raw=text)

    def patch(self, user_id: str, body: dict[str, Any]) -> Answer:
        return self._send(f"update of user id {user_id!r}", "PATCH", f"/Users/{user_id}", body=body)

    # ---- groups -----------------------------------------------------------------------------------------

    def find_group(self, display_name: str) -> Answer:
        query = "excludedAttributes=members&" + filter_query("displayName", display_name)
        return self._send(f"look-up of group {display_name!r}", "GET", "/Groups", query=query)

    def list_groups(self) -> Answer:
        return self._send("list of groups", "GET", "/Groups", query="startIndex=1&count=1")

    def read_group(self, group_id: str, *, without_members: bool = False) -> Answer:
        query = "excludedAttributes=members" if without_members else ""
        what = f"read of group id {group_id!r}" + (" without members" if without_members else "")
        return self._send(what, "GET", f"/Groups/{group_id}", query=query)

    def patch_group(self, group_id: str, body: dict[str, Any]) -> Answer:
        return self._send(f"update of group id {group_id!r}", "PATCH", f"/Groups/{group_id}", body=body)

    # ---- discovery --------------------------------------------------------------------------------------

    def discover(self, endpoint: str) -> Answer:
        """`/ServiceProviderConfig`, `/ResourceTypes` or `/Schemas` (RFC 7644 §4)."""
        return self._send(f"read of {endpoint}", "GET", endpoint)

    def close(self) -> None:
        self._client.close()
