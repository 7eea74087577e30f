"""A SCIM target's answer as Entra reads it: one classified `Response` per call (§6 error table).

The client (`simulator.client`) turns every call into a `Response`, whether the target answered or not; the
engine reads only `Response.outcome` and `Response.error_code`, so Entra's reading of an answer is here and
nowhere else. A Response never holds a request header, so it never holds the token.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from http import HTTPStatus
from typing import Any

from scim_harness.simulator.safe_text import printable

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
    TIMEOUT = "timeout"  # no complete answer within the deadline
    PROTOCOL_ERROR = "protocol_error"  # refused, reset, TLS refused, not HTTP, redirect, answer too large
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
    """One answer (or failure to answer), with what Entra would make of it.

    `text` is the body as the target sent it (bounded by the size limit; for a failure to answer, our
    description of the failure); `headers` are the answer's headers, names in lower case.
    """

    method: str
    path: str
    outcome: Outcome
    status: int | None = None
    body: Any = None
    text: str = ""
    retry_after: float | None = None
    elapsed_ms: int = 0
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK

    @property
    def answered(self) -> bool:
        """The target sent a whole HTTP answer (whatever its status)."""
        return self.status is not None and self.outcome not in (Outcome.TIMEOUT, Outcome.PROTOCOL_ERROR)

    @property
    def error_code(self) -> str | None:
        if self.outcome is Outcome.OK:
            return None
        if self.outcome is Outcome.CLIENT_ERROR and self.status in _CLIENT_ERROR_CODES:
            return _CLIENT_ERROR_CODES[self.status]
        return _ERROR_CODES.get(self.outcome, SERVICE_INCOMPATIBLE)

    @property
    def status_phrase(self) -> str:
        """`Conflict`, `NotFound`...: how Entra's log text names the HTTP status."""
        if self.status is None:
            return "Timeout" if self.outcome is Outcome.TIMEOUT else "ProtocolError"
        try:
            return "".join(word.capitalize() for word in HTTPStatus(self.status).phrase.split())
        except ValueError:
            return str(self.status)

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key == wanted), None)

    @property
    def content_type(self) -> str:
        return self.header("content-type") or ""

    @property
    def elapsed(self) -> float:
        """Seconds from sending the request to the end of the answer (or of the failure)."""
        return self.elapsed_ms / 1000

    @property
    def call(self) -> str:
        """`GET /Users`: the call, named in messages."""
        return f"{self.method} {self.path}"

    def target_text(self, limit: int = 300) -> str:
        """What the target said, made safe: the SCIM Error `detail` (RFC 7644 §3.12), else the body's text."""
        detail = self.body.get("detail") if isinstance(self.body, dict) else None
        if isinstance(detail, str) and detail.strip():
            return printable(detail.strip(), limit)
        return printable(self.text.strip(), limit)


def classify(
    method: str,
    path: str,
    status: int,
    headers: tuple[tuple[str, str], ...],
    content: bytes,
    elapsed_ms: int = 0,
) -> Response:
    """Entra's reading of a whole answer: its outcome, its parsed body and its Retry-After."""
    named = dict(headers)
    text = _decode(content, named.get("content-type", ""))
    body: Any = None
    if text.strip():
        try:
            body = json.loads(text)
        except (ValueError, RecursionError):
            body = None
    if 200 <= status < 300:
        outcome = Outcome.UNPARSEABLE if text.strip() and body is None else Outcome.OK
    elif 300 <= status < 400:
        # Not followed (our choice, UNCONFIRMED for Entra): a SCIM endpoint answers where it is asked.
        outcome = Outcome.PROTOCOL_ERROR
        location = named.get("location", "")
        text = f"HTTP {status} redirect to {printable(location, 200)!r} was not followed"
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
    retry_after = parse_retry_after(named.get("retry-after")) if status == 429 else None
    return Response(method, path, outcome, status, body, text, retry_after, elapsed_ms, headers)


def failure(method: str, path: str, outcome: Outcome, text: str, elapsed_ms: int = 0) -> Response:
    """A call the target did not answer in full: timed out, refused, reset, too large."""
    return Response(method, path, outcome, None, None, text, None, elapsed_ms)


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3); None when absent or bad.

    One reading for Entra's engine and for the `load` command's Locust users (harness/load/locust_user.py).
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if when.tzinfo is None:  # "-0000": RFC 5322's unknown zone is no time to wait for
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _decode(content: bytes, content_type: str) -> str:
    charset = "utf-8"
    if not content:
        return ""
    for part in content_type.split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"')
    try:
        return content.decode(charset, errors="replace")
    except LookupError:
        return content.decode("utf-8", errors="replace")
