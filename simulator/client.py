"""The SCIM client: HTTP the way Entra sends it, each answer classified the way Entra reads it (§2, §6)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from http import HTTPStatus
from typing import Any

import httpx

from scim_harness.simulator.tenant_url import TenantUrl, extra_query

SCIM_CONTENT_TYPE = "application/scim+json; charset=utf-8"
# Entra's code for an answer it cannot use: a 2xx that is not JSON, a list query that is not a ListResponse...
SERVICE_INCOMPATIBLE = "SystemForCrossDomainIdentityManagementServiceIncompatible"


class Outcome(StrEnum):
    OK = "ok"
    CREDENTIALS = "credentials"  # 401 / 403
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    THROTTLED = "throttled"  # 429
    BAD_REQUEST = "bad_request"
    CLIENT_ERROR = "client_error"  # other 4xx
    SERVER_ERROR = "server_error"  # 5xx
    TIMEOUT = "timeout"
    PROTOCOL_ERROR = "protocol_error"  # connection refused, reset, bad HTTP
    UNPARSEABLE = "unparseable"  # 2xx whose body is not JSON


# The error code Entra records for each outcome (D-LOGERR table, §6).
_ERROR_CODES = {
    Outcome.CREDENTIALS: "SystemForCrossDomainIdentityManagementCredentialValidationFailure",
    Outcome.NOT_FOUND: "InvalidAnchor",
    Outcome.CONFLICT: "EntryConflict",
    Outcome.THROTTLED: "TooManyRequests",
    Outcome.BAD_REQUEST: "SystemForCrossDomainIdentityManagementBadRequest",
    Outcome.SERVER_ERROR: "InternalServerError",
    Outcome.TIMEOUT: "Timeout",
    Outcome.PROTOCOL_ERROR: "WebExceptionProtocolError",
    Outcome.UNPARSEABLE: SERVICE_INCOMPATIBLE,
}
_CLIENT_ERROR_CODES = {405: "MethodNotAllowed", 422: "UnprocessableEntity", 501: "NotImplemented"}


@dataclass(frozen=True)
class Response:
    """One answer (or failure to answer), with what Entra would make of it. Never holds request headers."""

    method: str
    path: str
    outcome: Outcome
    status: int | None = None
    body: Any = None
    text: str = ""
    retry_after: float | None = None
    elapsed_ms: int = 0

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK

    @property
    def error_code(self) -> str | None:
        if self.outcome is Outcome.CLIENT_ERROR and self.status in _CLIENT_ERROR_CODES:
            return _CLIENT_ERROR_CODES[self.status]
        return _ERROR_CODES.get(self.outcome, SERVICE_INCOMPATIBLE)

    @property
    def status_phrase(self) -> str:
        """`Conflict`, `NotFound`...: how Entra's log text names the HTTP status."""
        if self.status is None:
            return self.outcome.value
        try:
            return "".join(word.capitalize() for word in HTTPStatus(self.status).phrase.split())
        except ValueError:
            return str(self.status)


class ScimClient:
    """Bearer-token SCIM calls over a bounded connection pool, each with a timeout.

    No Accept header is sent beyond httpx's `*/*`, as Entra requires none (§2, I-CT2). Bodies carry the
    `application/scim+json; charset=utf-8` type observed on Entra's POSTs (I-CT1).
    """

    def __init__(
        self,
        tenant_url: TenantUrl,
        secret_token: str,
        *,
        timeout: float = 60.0,
        max_connections: int = 8,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._url = tenant_url
        self._extra_query = extra_query(tenant_url)
        self._http = httpx.Client(
            headers={"Authorization": f"Bearer {secret_token}"},
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
            transport=transport,
            follow_redirects=False,
        )
        self.requests_sent = 0
        self._count_lock = threading.Lock()

    def close(self) -> None:
        self._http.close()

    def url_for(self, path: str, query: str = "") -> str:
        """Tenant URL base + resource path + our query + the Tenant URL's own other query parameters."""
        parts = [q for q in (query, self._extra_query) if q]
        return self._url.base + path + ("?" + "&".join(parts) if parts else "")

    def get(self, path: str, query: str = "") -> Response:
        return self._send("GET", path, query)

    def post(self, path: str, body: dict[str, Any]) -> Response:
        return self._send("POST", path, "", body)

    def patch(self, path: str, body: dict[str, Any]) -> Response:
        return self._send("PATCH", path, "", body)

    def delete(self, path: str) -> Response:
        return self._send("DELETE", path)

    def _send(self, method: str, path: str, query: str = "", body: dict[str, Any] | None = None) -> Response:
        # The query is already encoded as Entra encodes it; httpx keeps a pre-encoded query string untouched.
        url = self.url_for(path, query)
        content = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        headers = {"Content-Type": SCIM_CONTENT_TYPE} if content is not None else None
        with self._count_lock:
            self.requests_sent += 1
        began = time.perf_counter()
        try:
            answer = self._http.request(method, url, content=content, headers=headers)
        except httpx.TimeoutException:
            return Response(method, path, Outcome.TIMEOUT, text="The request timed out")
        except httpx.HTTPError as exc:
            # The exception text names the URL at most, never the Authorization header.
            return Response(method, path, Outcome.PROTOCOL_ERROR, text=type(exc).__name__ + ": " + str(exc))
        return classify(method, path, answer, int((time.perf_counter() - began) * 1000))


def classify(method: str, path: str, answer: httpx.Response, elapsed_ms: int = 0) -> Response:
    status = answer.status_code
    text = answer.text
    body: Any = None
    if text.strip():
        try:
            body = json.loads(text)
        except ValueError:
            body = None
    if 200 <= status < 300:
        outcome = Outcome.OK
        if text.strip() and body is None:
            outcome = Outcome.UNPARSEABLE
    elif status in (401, 403):
        outcome = Outcome.CREDENTIALS
    elif status == 404:
        outcome = Outcome.NOT_FOUND
    elif status == 409:
        outcome = Outcome.CONFLICT
    elif status == 429:
        outcome = Outcome.THROTTLED
    elif status == 400:
        outcome = Outcome.BAD_REQUEST
    elif status >= 500:
        outcome = Outcome.SERVER_ERROR
    else:
        outcome = Outcome.CLIENT_ERROR
    retry_after = parse_retry_after(answer.headers.get("Retry-After")) if status == 429 else None
    return Response(method, path, outcome, status, body, text[:2000], retry_after, elapsed_ms)


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
        return max(0.0, (when - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None
