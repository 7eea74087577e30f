"""The project's one SCIM client: HTTP the way Entra sends it, each answer classified the way Entra reads it.

The engine's calls carry Entra's exact bytes: `Authorization: Bearer <token>` on every call, bodies as compact
UTF-8 JSON in the key order the payload module built, `Content-Type: application/scim+json; charset=utf-8`
(I-CT1), and no header of a client library's own (§2, `EngineSettings.request_headers`). Every call has a
total deadline and a size limit on its answer, and ends as a `Response`, never an exception. The calls go
over our own lean HTTP/1.1 connection pool (`simulator.transport`, `simulator.http1`: httpx's stack cost more
CPU per request than the simulator's whole budget, issue 13); a caller's own httpx transport (a recorder, a
mock) is still used through httpx. `send()` is the low-level surface other callers use too (probes with
other tokens, raw bodies, extra headers), so the whole project speaks SCIM through this one class.
"""

from __future__ import annotations

import contextlib
import enum
import json
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal
from urllib.parse import quote_plus, urlencode

import httpx

from scim_harness.common.scim_wire import ENTRA_CONTENT_TYPE
from scim_harness.simulator.answers import (
    SERVICE_INCOMPATIBLE,
    Outcome,
    Response,
    classify,
    failure,
    parse_retry_after,
)
from scim_harness.simulator.http1 import (
    CallTimeout,
    RemoteProtocolError,
    TooLarge,
    TransportFailure,
    header_lines,
)
from scim_harness.simulator.http1 import ConnectError as _ConnectError
from scim_harness.simulator.safe_text import printable
from scim_harness.simulator.settings import EngineSettings
from scim_harness.simulator.tenant_url import TenantUrl, extra_query, parse_tenant_url
from scim_harness.simulator.transport import ConnectionPool, origin_of, request_target, tls_context

__all__ = [  # Response, Outcome and the rest live in simulator.answers; kept importable from here
    "JOB_TOKEN",
    "SCIM_CONTENT_TYPE",
    "SERVICE_INCOMPATIBLE",
    "Outcome",
    "Response",
    "ScimClient",
    "check_token",
    "encode_json",
    "parse_retry_after",
]

SCIM_CONTENT_TYPE = ENTRA_CONTENT_TYPE
# httpx's own headers, which Entra's .NET client does not send; they are removed from every request.
_LIBRARY_HEADERS = ("User-Agent", "Accept", "Accept-Encoding", "Connection")


class _Token(enum.Enum):
    JOB = "the job's secret token"


JOB_TOKEN = _Token.JOB
"""`send(token=JOB_TOKEN)`: the client's current secret token (the default)."""


def check_token(token: str) -> str:
    """A Secret Token fit for a header: printable ASCII, no spaces (what a bearer token is, RFC 6750 §2.1)."""
    if not isinstance(token, str) or not token or any(not 0x21 <= ord(c) <= 0x7E for c in token):
        raise ValueError("the Secret Token must be printable ASCII without spaces or line breaks")
    return token


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def encode_json(body: Any) -> bytes:
    """JSON as Entra writes it: compact separators, key order kept, UTF-8 (not \\u-escaped)."""
    return _ENCODER.encode(body).encode("utf-8")


@dataclass(frozen=True)
class SentRequest:
    """A call as it went out, for listeners: never its headers (the Authorization header stays inside)."""

    method: str
    path: str
    """Below the Tenant URL, e.g. `/Users` or `/Users/42`."""
    query: str
    """Pre-encoded, as sent (without the Tenant URL's own extra parameters)."""
    body: bytes | None


Listener = Callable[[SentRequest, Response], None]


class ScimClient:
    """Bearer-token SCIM calls to one Tenant URL over a bounded connection pool.

    `tenant_url`, `secret_token` and `settings` can change between calls (`configure`); each call reads them
    when it starts, so nothing keeps a stale copy.
    """

    def __init__(
        self,
        tenant_url: TenantUrl | str,
        secret_token: str,
        *,
        settings: EngineSettings | None = None,
        timeout: float | None = None,
        max_connections: int | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        base = settings or EngineSettings()
        if timeout is not None or max_connections is not None:
            base = replace(
                base,
                timeout_seconds=timeout if timeout is not None else base.timeout_seconds,
                max_connections=max_connections if max_connections is not None else base.max_connections,
            )
        self._settings = base
        self._url = parse_tenant_url(tenant_url) if isinstance(tenant_url, str) else tenant_url
        self._extra_query = extra_query(self._url)
        self._origin = origin_of(self._url.base)
        self._token = check_token(secret_token)
        self._fixed_transport = transport
        self._http: httpx.Client | None = None
        self._pool: ConnectionPool | None = None
        self._connect()
        self._lines: dict[tuple[object, ...], tuple[tuple[tuple[str, str], ...], str | None]] = {}
        self.requests_sent = 0
        self._count_lock = threading.Lock()
        self._listeners: list[Listener] = []

    def add_listener(self, listener: Listener) -> None:
        """Call `listener(request, response)` after every call, answered or not, from the calling thread.

        For observers that must see Entra's own bytes (the suite's checks on the wire, recorders); a listener
        must be quick and must not raise: what it raises is dropped so it can never change a call.
        """
        self._listeners.append(listener)

    # ---- configuration -----------------------------------------------------------------------------------

    @property
    def tenant_url(self) -> TenantUrl:
        return self._url

    @property
    def settings(self) -> EngineSettings:
        return self._settings

    def configure(
        self,
        *,
        tenant_url: TenantUrl | str | None = None,
        secret_token: str | None = None,
        settings: EngineSettings | None = None,
    ) -> None:
        """Use a new Tenant URL, token or settings from the next call on (not while calls are in flight)."""
        url = parse_tenant_url(tenant_url) if isinstance(tenant_url, str) else tenant_url
        if secret_token is not None:
            check_token(secret_token)
        if url is not None:
            self._url, self._extra_query, self._origin = url, extra_query(url), origin_of(url.base)
        if secret_token is not None:
            self._token = secret_token
        if settings is not None:
            rebuild = (settings.ca_file, settings.max_connections) != (
                self._settings.ca_file,
                self._settings.max_connections,
            )
            self._settings = settings
            if rebuild and self._fixed_transport is None:  # a caller's own transport stays as it is
                old = self._pool
                self._connect()
                if old is not None:
                    old.close()

    def _connect(self) -> None:
        """Our own pool (TLS trust, size, deadline), or httpx over the caller's own transport."""
        if self._fixed_transport is None:
            settings = self._settings
            self._pool = ConnectionPool(tls_context(settings.ca_file), settings.max_connections)
            return
        client = httpx.Client(transport=self._fixed_transport, follow_redirects=False, timeout=None)
        for name in _LIBRARY_HEADERS:
            del client.headers[name]
        self._http = client

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
        if self._http is not None:
            self._http.close()

    def __enter__(self) -> ScimClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- calls -------------------------------------------------------------------------------------------

    def url_for(self, path: str, query: str = "") -> str:
        """Tenant URL base + resource path + our query + the Tenant URL's own other query parameters."""
        parts = [q for q in (query, self._extra_query) if q]
        return self._url.base + path + ("?" + "&".join(parts) if parts else "")

    def send(
        self,
        method: str,
        path: str,
        *,
        query: str | Mapping[str, str] | None = None,
        body: Any = None,
        raw_body: bytes | None = None,
        headers: Mapping[str, str | None] | None = None,
        token: str | Literal[_Token.JOB] | None = JOB_TOKEN,
    ) -> Response:
        """One call: `path` under the Tenant URL, `query` pre-encoded (kept byte for byte) or a mapping.

        `body` is sent as Entra's JSON, `raw_body` as it is (both with Entra's Content-Type unless `headers`
        says otherwise); `headers` adds or replaces headers, a None value removes one; `token` is the job's
        token by default, another token, or None for no Authorization header at all.
        """
        if isinstance(query, Mapping):
            query = urlencode(query, quote_via=quote_plus)
        url = self.url_for(path, query or "")
        content = raw_body if raw_body is not None else (None if body is None else encode_json(body))
        bearer = self._token if token is JOB_TOKEN else token
        pairs, lines = self._headers(bearer, content is not None, headers)
        with self._count_lock:
            self.requests_sent += 1
        if self._pool is not None:
            response = self._call(method, path, url, content, lines)
        else:
            response = self._call_httpx(method, path, url, content, pairs)
        if self._listeners:
            sent = SentRequest(method, path, query or "", content)
            for listener in list(self._listeners):
                # An observer must never change a call's outcome.
                with contextlib.suppress(Exception):
                    listener(sent, response)
        return response

    def _headers(
        self, bearer: str | None, with_body: bool, headers: Mapping[str, str | None] | None
    ) -> tuple[tuple[tuple[str, str], ...], str | None]:
        """The request's headers in the order they are sent (Host and Content-Length are the transport's),
        and their checked lines for our own transport (None when a header cannot be sent as it is).

        The settings' extra headers, Authorization, Content-Type, then the caller's (replacing any of the same
        name); a None value removes one. The engine's calls reuse one computed result per token and settings.
        """
        key = (bearer, with_body, self._settings.request_headers) if headers is None else None
        if key is not None and (known := self._lines.get(key)) is not None:
            return known
        request_headers: dict[str, str | None] = dict(self._settings.request_headers)
        if bearer is not None:
            request_headers["Authorization"] = f"Bearer {bearer}"
        if with_body:
            request_headers["Content-Type"] = SCIM_CONTENT_TYPE
        for name, value in (headers or {}).items():
            request_headers = {k: v for k, v in request_headers.items() if k.lower() != name.lower()}
            request_headers[name] = value
        pairs = tuple((name, value) for name, value in request_headers.items() if value is not None)
        try:
            computed = pairs, header_lines(pairs)
        except TransportFailure:
            computed = pairs, None
        if key is not None:
            if len(self._lines) > 16:  # tokens and settings changed many times: start again
                self._lines.clear()
            self._lines[key] = computed
        return computed

    def _call(self, method: str, path: str, url: str, content: bytes | None, lines: str | None) -> Response:
        settings = self._settings
        assert self._pool is not None
        began = time.perf_counter()
        try:
            if lines is None:
                raise RemoteProtocolError("a request header cannot be sent as it is")
            answer = self._pool.exchange(
                method,
                self._origin,
                request_target(url, self._origin),
                lines,
                content,
                deadline=time.monotonic() + settings.timeout_seconds,
                limit=settings.max_response_bytes,
            )
        except CallTimeout:
            return _timed_out(method, path, settings.timeout_seconds, began)
        except TooLarge:
            return _too_large(method, path, settings.max_response_bytes, began)
        except (TransportFailure, httpx.InvalidURL) as exc:
            # The exception names the URL at most, never the Authorization header.
            return failure(method, path, Outcome.PROTOCOL_ERROR, _network_failure(exc, url), _ms(began))
        return classify(method, path, answer.status, answer.headers, answer.body, _ms(began))

    def _call_httpx(
        self, method: str, path: str, url: str, content: bytes | None, headers: tuple[tuple[str, str], ...]
    ) -> Response:
        """Through a caller's own httpx transport (recorders, mocks): httpx's per-operation timeouts only."""
        settings = self._settings
        began = time.perf_counter()
        try:
            return self._exchange_httpx(method, path, url, content, dict(headers), began)
        except httpx.TimeoutException:
            return _timed_out(method, path, settings.timeout_seconds, began)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            return failure(method, path, Outcome.PROTOCOL_ERROR, _network_failure(exc, url), _ms(began))

    def _exchange_httpx(
        self, method: str, path: str, url: str, content: bytes | None, headers: dict[str, str], began: float
    ) -> Response:
        assert self._http is not None
        limit = self._settings.max_response_bytes
        timeout = self._settings.timeout_seconds
        request = self._http.build_request(method, url, content=content, headers=headers, timeout=timeout)
        answer = self._http.send(request, stream=True)
        try:
            declared = answer.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                return _too_large(method, path, limit, began)
            chunks: list[bytes] = []
            size = 0
            for chunk in answer.iter_bytes():
                size += len(chunk)
                if size > limit:
                    return _too_large(method, path, limit, began)
                chunks.append(chunk)
        finally:
            answer.close()
        pairs = tuple((name.lower(), value) for name, value in answer.headers.items())
        return classify(method, path, answer.status_code, pairs, b"".join(chunks), _ms(began))

    # ---- the engine's verbs ----------------------------------------------------------------------------

    def get(self, path: str, query: str = "") -> Response:
        return self.send("GET", path, query=query)

    def post(self, path: str, body: dict[str, Any]) -> Response:
        return self.send("POST", path, body=body)

    def patch(self, path: str, body: dict[str, Any]) -> Response:
        return self.send("PATCH", path, body=body)

    def delete(self, path: str) -> Response:
        return self.send("DELETE", path)


def _ms(began: float) -> int:
    return int((time.perf_counter() - began) * 1000)


def _timed_out(method: str, path: str, seconds: float, began: float) -> Response:
    text = f"{method} {path} got no complete answer within {seconds:g} s"
    return failure(method, path, Outcome.TIMEOUT, text, _ms(began))


def _too_large(method: str, path: str, limit: int, began: float) -> Response:
    text = f"the answer to {method} {path} is larger than {limit:,} bytes (max_response_bytes); not read"
    return failure(method, path, Outcome.PROTOCOL_ERROR, text, _ms(began))


def _network_failure(exc: Exception, url: str) -> str:
    """What went wrong on the network, named the way an administrator can act on it."""
    try:
        where = httpx.URL(url).netloc.decode("ascii", errors="replace")
    except httpx.InvalidURL:
        where = "the SCIM endpoint"
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            reason = cause.verify_message or cause.reason or "the certificate was not accepted"
            # .NET's wording for an untrusted certificate, which is what Entra's logs show.
            return (
                f"Could not establish trust relationship for the SSL/TLS secure channel with {where}: "
                f"certificate verify failed: {printable(str(reason), 200)}"
            )
        if isinstance(cause, ssl.SSLError):
            return f"the TLS handshake with {where} failed: {printable(str(cause.reason or cause), 200)}"
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, httpx.ConnectError | _ConnectError):
        return f"could not connect to {where}: {printable(str(exc) or type(exc).__name__, 200)}"
    return f"the connection to {where} failed: {type(exc).__name__}: {printable(str(exc), 200)}"
