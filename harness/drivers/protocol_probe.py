"""Single SCIM requests shaped exactly as Entra ID sends them, for the protocol (@scim) scenarios.

Bodies come from the simulator's payloads and queries from the common wire helpers, so they are Entra's, not
ours. Thin on purpose: `_send` is the one place that talks HTTP, so that moving onto the project's one SCIM
client (the simulator's ScimClient, once it offers a low-level send) changes one method.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from scim_harness.common.scim_wire import ENTRA_CONTENT_TYPE, filter_query, is_scim_error
from scim_harness.drivers.http import bearer, json_or_none, new_client, send

DEFAULT_TOKEN = object()
"""`token=DEFAULT_TOKEN`: the probe's own token; `token=None`: no Authorization header at all."""


@dataclass(frozen=True, repr=False)
class Answer:
    """What the service answered one request (never the request's headers, so never a token)."""

    what: str
    status: int
    content_type: str
    body: Any

    @property
    def resources(self) -> list[dict[str, Any]]:
        return list((self.body or {}).get("Resources") or []) if isinstance(self.body, dict) else []

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
        self._users = scim_url.rstrip("/") + "/Users"
        self._groups = scim_url.rstrip("/") + "/Groups"
        self._token = token
        self._client: httpx.Client = new_client(timeout)
        self._on_answer = on_answer or (lambda _answer: None)

    def __repr__(self) -> str:
        return f"ProtocolProbe({self._users.removesuffix('/Users')})"

    def _send(self, what: str, method: str, url: str, *, token: Any = DEFAULT_TOKEN, **kwargs: Any) -> Answer:
        # Entra sends no reliable Accept header, so neither does the probe (scim_media_type.feature).
        headers = {"Content-Type": ENTRA_CONTENT_TYPE}
        token = self._token if token is DEFAULT_TOKEN else token
        if token is not None:
            headers.update(bearer(token))
        response = send(self._client, method, url, what, headers=headers, **kwargs)
        answer = Answer(
            what, response.status_code, response.headers.get("content-type", ""), json_or_none(response)
        )
        self._on_answer(answer)
        return answer

    def find_by_login(self, login_name: str) -> Answer:
        query = filter_query("userName", login_name)
        return self._send(f"look-up of userName {login_name!r}", "GET", f"{self._users}?{query}")

    def find_group(self, display_name: str) -> Answer:
        query = filter_query("displayName", display_name)
        return self._send(f"look-up of group {display_name!r}", "GET", f"{self._groups}?{query}")

    def find_with_filter(self, raw_query: str) -> Answer:
        return self._send(f"look-up with {raw_query!r}", "GET", f"{self._users}?{raw_query}")

    def read(self, user_id: str, *, token: Any = DEFAULT_TOKEN) -> Answer:
        return self._send(f"read of user id {user_id!r}", "GET", f"{self._users}/{user_id}", token=token)

    def create(self, body: dict[str, Any], *, token: Any = DEFAULT_TOKEN) -> Answer:
        what = f"create of userName {body.get('userName')!r}"
        return self._send(what, "POST", self._users, json=body, token=token)

    def create_raw(self, text: str) -> Answer:
        return self._send("create with a malformed document", "POST", self._users, content=text.encode())

    def patch(self, user_id: str, body: dict[str, Any]) -> Answer:
        return self._send(f"update of user id {user_id!r}", "PATCH", f"{self._users}/{user_id}", json=body)

    def close(self) -> None:
        self._client.close()
