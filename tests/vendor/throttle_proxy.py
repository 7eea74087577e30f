"""A reverse proxy on loopback that answers 429 + Retry-After to the first few creates, then forwards all.

It stands for a SCIM service that throttles (no target we have does), and notes when each throttled request
came back, so a test can check that the wait asked for was honoured.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx


@dataclass
class Throttle:
    upstream: str
    throttled_creates: int
    retry_after: int
    refused_at: dict[str, float] = field(default_factory=dict)
    """userName -> when its create was answered 429."""
    retried_at: dict[str, float] = field(default_factory=dict)
    """userName -> when its create came back."""
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(throttle: Throttle, client: httpx.Client) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            """No access log on the test output."""

        def _forward(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.command == "POST":
                name = json.loads(body).get("userName", "")
                with throttle.lock:
                    if name in throttle.refused_at:
                        throttle.retried_at.setdefault(name, time.monotonic())
                    elif len(throttle.refused_at) < throttle.throttled_creates:
                        throttle.refused_at[name] = time.monotonic()
                        self.send_response(429)
                        self.send_header("Retry-After", str(throttle.retry_after))
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
            headers = {
                k: v for k, v in self.headers.items() if k.lower() in ("authorization", "content-type")
            }
            answer = client.request(
                self.command, throttle.upstream + self.path, content=body, headers=headers
            )
            self.send_response(answer.status_code)
            for name in ("Content-Type", "Location", "Retry-After"):
                if name in answer.headers:
                    self.send_header(name, answer.headers[name])
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _forward

    return Handler


@contextmanager
def throttling_proxy(upstream_base: str, *, throttled_creates: int, retry_after: int) -> Iterator[Throttle]:
    """`upstream_base` is scheme://host:port; the path is kept. Yields the Throttle (with .url)."""
    throttle = Throttle(upstream_base.rstrip("/"), throttled_creates, retry_after)
    with httpx.Client(timeout=30) as client:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(throttle, client))
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        throttle.url = f"http://127.0.0.1:{server.server_port}"  # type: ignore[attr-defined]
        try:
            yield throttle
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)
