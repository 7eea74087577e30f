"""Single SCIM requests shaped exactly as Entra ID sends them, for the protocol (@scim) scenarios.

Bodies and queries come from simulator.payloads so they are Entra's, not ours; every answer is kept for the
scenario's checks and its report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from scim_harness.common.scim_wire import filter_query
from scim_harness.drivers.http import bearer, json_or_none, new_client, send

ENTRA_CONTENT_TYPE = "application/scim+json; charset=utf-8"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"


@dataclass(frozen=True)
class Answer:
    what: str
    status: int
    content_type: str
    body: Any

    @property
    def resources(self) -> list[dict[str, Any]]:
        return list((self.body or {}).get("Resources") or []) if isinstance(self.body, dict) else []

    def is_scim_error(self, status: int, scim_type: str | None = None) -> bool:
        """RFC 7644 §3.12: the error schema, the status echoed as a string, the scimType where one applies."""
        body = self.body if isinstance(self.body, dict) else {}
        return (
            self.status == status
            and ERROR_SCHEMA in (body.get("schemas") or [])
            and str(body.get("status")) == str(status)
            and (scim_type is None or body.get("scimType") == scim_type)
        )

    def summary(self) -> str:
        detail = self.body.get("detail") if isinstance(self.body, dict) else None
        return f"{self.what}: HTTP {self.status} ({self.content_type or 'no content type'})" + (
            f", detail: {detail}" if detail else ""
        )


class ProtocolProbe:
    def __init__(self, scim_url: str, token: str, *, timeout: float | None = None) -> None:
        self._users = scim_url.rstrip("/") + "/Users"
        self._token = token
        self._client: httpx.Client = new_client(timeout)
        self.answers: list[Answer] = []

    def _headers(self, token: str | None = None, *, accept: bool = False) -> dict[str, str]:
        # Entra sends no reliable Accept header; only the checks that need one ask for it.
        headers = {"Content-Type": ENTRA_CONTENT_TYPE}
        if token is not None:
            headers.update(bearer(token))
        if accept:
            headers["Accept"] = "application/scim+json"
        return headers

    def _send(self, what: str, method: str, url: str, *, token: str | None, **kwargs: Any) -> Answer:
        response = send(self._client, method, url, what, headers=self._headers(token), **kwargs)
        answer = Answer(
            what, response.status_code, response.headers.get("content-type", ""), json_or_none(response)
        )
        self.answers.append(answer)
        return answer

    def find_by_login(self, login_name: str) -> Answer:
        return self._send(
            f"look-up of userName {login_name!r}",
            "GET",
            f"{self._users}?{filter_query('userName', login_name)}",
            token=self._token,
        )

    def find_group(self, display_name: str) -> Answer:
        groups = self._users.removesuffix("/Users") + "/Groups"
        return self._send(
            f"look-up of group {display_name!r}",
            "GET",
            f"{groups}?{filter_query('displayName', display_name)}",
            token=self._token,
        )

    def find_with_filter(self, raw_query: str) -> Answer:
        return self._send(
            f"look-up with {raw_query!r}", "GET", f"{self._users}?{raw_query}", token=self._token
        )

    def read(self, user_id: str, *, token: str | None = "default") -> Answer:
        return self._send(
            f"read of user id {user_id!r}",
            "GET",
            f"{self._users}/{user_id}",
            token=self._token if token == "default" else token,
        )

    def create(self, body: dict[str, Any], *, token: str | None = "default") -> Answer:
        return self._send(
            f"create of userName {body.get('userName')!r}",
            "POST",
            self._users,
            json=body,
            token=self._token if token == "default" else token,
        )

    def create_raw(self, text: str) -> Answer:
        return self._send(
            "create with a malformed document", "POST", self._users, content=text.encode(), token=self._token
        )

    def patch(self, user_id: str, body: dict[str, Any]) -> Answer:
        return self._send(
            f"update of user id {user_id!r}",
            "PATCH",
            f"{self._users}/{user_id}",
            json=body,
            token=self._token,
        )

    def close(self) -> None:
        self._client.close()
