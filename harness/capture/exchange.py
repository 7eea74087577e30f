"""One captured request/response pair, already redacted, and its conversion from a mitmproxy flow."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from mitmproxy import http

from scim_harness.capture.flows import MAX_BODY_CHARS


@dataclass(frozen=True, slots=True)
class Exchange:
    """What the client sent and what the target answered. Every text field is already redacted."""

    started: datetime
    duration_ms: float
    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str
    status: int | None
    response_headers: dict[str, str]
    response_body: str
    error: str | None
    reason: str = ""
    http_version: str = "HTTP/1.1"
    send_ms: float = 0.0
    wait_ms: float = 0.0
    receive_ms: float = 0.0
    page: str | None = None
    """The HAR page (one per scenario) the request was sent in, if one was open."""

    def request_json(self) -> object | None:
        return _parse_json(self.request_body)

    def response_json(self) -> object | None:
        return _parse_json(self.response_body)


def _parse_json(text: str) -> object | None:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def _body_text(message: http.Message | None) -> str:
    if message is None or not message.raw_content:
        return ""
    text = message.get_text(strict=False) or ""
    if len(text) > MAX_BODY_CHARS:
        return f"{text[:MAX_BODY_CHARS]}\n[... {len(text) - MAX_BODY_CHARS} more characters not captured]"
    return text


def _headers(pairs: object) -> dict[str, str]:
    """Repeated headers joined with ", " as HTTP allows."""
    joined: dict[str, str] = {}
    for name, value in pairs:  # type: ignore[attr-defined]
        joined[name] = f"{joined[name]}, {value}" if name in joined else value
    return joined


def _ms(start: float | None, end: float | None) -> float:
    return round(max(0.0, (end - start) * 1000), 3) if start and end else 0.0


def _url(request: http.Request) -> str:
    # Built here rather than with request.url, which leaves an IPv6 host without its brackets.
    host = f"[{request.host}]" if ":" in request.host else request.host
    default_port = 443 if request.scheme == "https" else 80
    authority = host if request.port == default_port else f"{host}:{request.port}"
    return f"{request.scheme}://{authority}{request.path}"


def exchange_from_flow(flow: http.HTTPFlow, *, page: str | None = None) -> Exchange:
    """An Exchange from a finished flow that is already redacted (`flows.redacted_flow`)."""
    request, response = flow.request, flow.response
    request_end = request.timestamp_end or request.timestamp_start
    error = flow.error.msg if flow.error else None
    if response is not None:
        status, reason = response.status_code, response.reason
        response_headers = _headers(response.headers.items(multi=True))
        response_body = _body_text(response)
        end = response.timestamp_end or response.timestamp_start or time.time()
        wait = _ms(request_end, response.timestamp_start)
        receive = _ms(response.timestamp_start, response.timestamp_end)
    else:
        # No answer from the target (refused, reset, timed out): the client gets mitmproxy's 502: record it.
        status, reason = 502, "Bad Gateway"
        response_headers = {}
        response_body = error or ""
        end = flow.error.timestamp if flow.error else time.time()
        wait, receive = _ms(request_end, end), 0.0
    return Exchange(
        started=datetime.fromtimestamp(request.timestamp_start, tz=UTC),
        duration_ms=_ms(request.timestamp_start, end),
        method=request.method,
        url=_url(request),
        request_headers=_headers(request.headers.items(multi=True)),
        request_body=_body_text(request),
        status=status,
        response_headers=response_headers,
        response_body=response_body,
        error=error,
        reason=reason,
        http_version=request.http_version,
        send_ms=_ms(request.timestamp_start, request_end),
        wait_ms=wait,
        receive_ms=receive,
        page=page,
    )


@dataclass(frozen=True, slots=True)
class Page:
    """One HAR page: the requests of one scenario, so devtools tells which scenario sent which request."""

    id: str
    title: str
    started: datetime


class ExchangeStore:
    """Append-only record of the capture, shared between mitmproxy's thread and the test threads: the
    redacted exchanges, the redacted flows they were made from (for the HAR export) and the pages."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[Exchange] = []
        self._flows: list[http.HTTPFlow] = []
        self._pages: list[Page] = []
        self._by_page: dict[str, list[Exchange]] = {}
        self._current: str | None = None

    def append(self, exchange: Exchange, flow: http.HTTPFlow | None = None) -> None:
        with self._lock:
            self._items.append(exchange)
            if exchange.page is not None:
                self._by_page.setdefault(exchange.page, []).append(exchange)
            if flow is not None:
                self._flows.append(flow)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def since(self, mark: int) -> list[Exchange]:
        with self._lock:
            return self._items[mark:]

    def all(self) -> list[Exchange]:
        return self.since(0)

    def flows(self) -> list[http.HTTPFlow]:
        with self._lock:
            return list(self._flows)

    # -- pages --

    def open_page(self, page_id: str, title: str) -> None:
        with self._lock:
            if page_id not in {page.id for page in self._pages}:
                self._pages.append(Page(page_id, title, datetime.now(UTC)))
            self._current = page_id

    def close_page(self) -> None:
        with self._lock:
            self._current = None

    @property
    def current_page(self) -> str | None:
        return self._current

    def pages(self) -> list[Page]:
        with self._lock:
            return list(self._pages)

    def on_page(self, page_id: str) -> list[Exchange]:
        with self._lock:
            return list(self._by_page.get(page_id, ()))
