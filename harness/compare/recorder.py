"""An httpx transport that records what a simulated Entra job sends and what the target answers.

It sits under the simulator's own HTTP client (`ProvisioningJob(..., transport=...)`), so the recorded
requests are Entra's bytes, not ours. After every write to a resource it reads that resource back through the
same connection pool (outside the job's own count) and keeps the answer as "the resource's state after the
step". Only what a report may show is kept: no request headers at all, selected answer headers, and every
text through the one `Redactor`.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from scim_harness.common.errors import HarnessError
from scim_harness.common.redact import Redactor
from scim_harness.simulator.clock import Clock

# Answer headers worth showing; the comparison normalises the ones that must differ (Location, ETag).
KEPT_HEADERS = ("content-type", "location", "etag", "retry-after", "www-authenticate")
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_BODY_CHARS = 20_000
DEFAULT_MAX_EXCHANGES = 200_000


class Absent:
    """The state of a resource that a read after the step did not find (404), e.g. after a DELETE."""

    def __repr__(self) -> str:
        return "ABSENT"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Absent)

    def __hash__(self) -> int:
        return 0


ABSENT = Absent()


@dataclass
class Exchange:
    """One request of the job and its answer, as a report may show it."""

    seq: int
    at: timedelta
    """Virtual time since the start of the run (both targets run on clocks that start at the same instant)."""
    method: str
    path: str
    """Path below the SCIM base, with the query exactly as sent (`/Users?filter=userName+eq+%22...%22`)."""
    request_body: Any = None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    response_body: Any = None
    error: str | None = None
    """Transport failure (refused, reset, timeout) instead of an answer."""
    state_after: Any = None
    """After a write: the resource read back (a dict), ABSENT on 404, or None when it could not be read."""
    resource_id: str | None = None
    """The target id the request is about (from the path, or from the answer of a create)."""


class RecordingTransport(httpx.BaseTransport):
    """Wraps a real transport; thread-safe; bounded to `max_exchanges` (HarnessError beyond)."""

    def __init__(
        self,
        base_url: str,
        clock: Clock,
        start: datetime,
        redactor: Redactor,
        *,
        inner: httpx.BaseTransport | None = None,
        read_back: bool = True,
        extra_query: str = "",
        max_exchanges: int = DEFAULT_MAX_EXCHANGES,
        timeout: float = 60.0,
    ) -> None:
        self._base_path = urlsplit(base_url).path.rstrip("/")
        self._clock = clock
        self._start = start
        self._redactor = redactor
        self._inner = inner or httpx.HTTPTransport()
        self._read_back = read_back
        self._extra_query = extra_query
        self._max = max_exchanges
        self._timeout = timeout
        self._lock = threading.Lock()
        self.exchanges: list[Exchange] = []

    def close(self) -> None:
        self._inner.close()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        at = self._clock.now() - self._start
        path = self._relative(request.url)
        request_body = self._parse(request.content.decode("utf-8", errors="replace"))
        try:
            response = self._inner.handle_request(request)
            response.read()
        except httpx.TransportError as exc:
            self._add(
                Exchange(
                    0, at, request.method, path, request_body, error=type(exc).__name__ + ": " + str(exc)
                )
            )
            raise
        exchange = Exchange(
            0,
            at,
            request.method,
            path,
            request_body,
            status=response.status_code,
            headers={
                name: self._redactor.text(response.headers[name])
                for name in KEPT_HEADERS
                if name in response.headers
            },
            response_body=self._parse(response.text),
        )
        exchange.resource_id = _resource_id(
            request.method, path, exchange.response_body, response.status_code
        )
        if self._read_back and request.method in WRITE_METHODS and exchange.resource_id is not None:
            exchange.state_after = self._read(request, path, exchange.resource_id)
        self._add(exchange)
        return response

    def _add(self, exchange: Exchange) -> None:
        with self._lock:
            if len(self.exchanges) >= self._max:
                raise HarnessError(
                    f"the sequence has more than {self._max} exchanges: compare fewer users or a shorter run"
                )
            exchange.seq = len(self.exchanges) + 1
            self.exchanges.append(exchange)

    def _read(self, request: httpx.Request, path: str, resource_id: str) -> Any:
        """GET the resource the step wrote, with the job's own credentials, outside the job's count."""
        collection = path.split("?", 1)[0].strip("/").split("/", 1)[0]
        # The Tenant URL's own query parameters (a hosted function's `code=`...) go on every call, as Entra's.
        query = "?" + self._extra_query if self._extra_query else ""
        netloc = request.url.netloc.decode("ascii")
        resource = quote(resource_id, safe="")
        url = f"{request.url.scheme}://{netloc}{self._base_path}/{collection}/{resource}{query}"
        headers = {"Authorization": request.headers.get("Authorization", "")}
        extensions = {"timeout": httpx.Timeout(self._timeout).as_dict()}
        read = httpx.Request("GET", url, headers=headers, extensions=extensions)
        try:
            answer = self._inner.handle_request(read)
            answer.read()
        except httpx.TransportError:
            return None
        if answer.status_code == 404:
            return ABSENT
        body = self._parse(answer.text)
        return body if isinstance(body, dict) and answer.status_code == 200 else None

    def _relative(self, url: httpx.URL) -> str:
        path = url.path
        if path.startswith(self._base_path):
            path = path[len(self._base_path) :] or "/"
        query = url.query.decode("ascii", errors="replace")
        return self._redactor.text(path + ("?" + query if query else ""))

    def _parse(self, text: str) -> Any:
        if not text.strip():
            return None
        text = self._redactor.text(text[:MAX_BODY_CHARS])
        try:
            return self._redactor.json(json.loads(text))
        except ValueError:
            return text


def _resource_id(method: str, path: str, body: Any, status: int) -> str | None:
    """`/Users/{id}` from the path; for a create, the `id` of the answer."""
    bare = path.split("?", 1)[0].strip("/").split("/")
    if len(bare) == 2 and bare[0] in ("Users", "Groups") and bare[1]:
        return bare[1]
    if method == "POST" and len(bare) == 1 and 200 <= status < 300 and isinstance(body, dict):
        created = body.get("id")
        return created if isinstance(created, str) and created else None
    return None
