"""One captured request/response pair, already redacted, and its conversion from a mitmproxy flow."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from mitmproxy import http

from scim_harness.common.redact import Redactor

# Bodies beyond this are cut: SCIM payloads are small, and a runaway body must not fill memory or the report.
MAX_BODY_CHARS = 256 * 1024


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


def _ms(start: float | None, end: float | None) -> float:
    return round(max(0.0, (end - start) * 1000), 3) if start and end else 0.0


def _url(request: http.Request) -> str:
    # Built here rather than with request.url, which leaves an IPv6 host without its brackets.
    host = f"[{request.host}]" if ":" in request.host else request.host
    default_port = 443 if request.scheme == "https" else 80
    authority = host if request.port == default_port else f"{host}:{request.port}"
    return f"{request.scheme}://{authority}{request.path}"


def exchange_from_flow(flow: http.HTTPFlow, redactor: Redactor) -> Exchange:
    """A redacted Exchange from a finished flow; the live flow is left as is (it is still being served)."""
    request, response = flow.request, flow.response
    request_end = request.timestamp_end or request.timestamp_start
    error = redactor.text(flow.error.msg) if flow.error else None
    if response is not None:
        status, reason = response.status_code, response.reason
        response_headers = redactor.headers(response.headers.items(multi=True))
        response_body = redactor.body(_body_text(response))
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
        url=redactor.text(_url(request)),
        request_headers=redactor.headers(request.headers.items(multi=True)),
        request_body=redactor.body(_body_text(request)),
        status=status,
        response_headers=response_headers,
        response_body=response_body,
        error=error,
        reason=reason,
        http_version=request.http_version,
        send_ms=_ms(request.timestamp_start, request_end),
        wait_ms=wait,
        receive_ms=receive,
    )


class ExchangeStore:
    """Append-only list of exchanges shared between mitmproxy's thread and the test threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[Exchange] = []

    def append(self, exchange: Exchange) -> None:
        with self._lock:
            self._items.append(exchange)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def since(self, mark: int) -> list[Exchange]:
        with self._lock:
            return self._items[mark:]

    def all(self) -> list[Exchange]:
        return self.since(0)
