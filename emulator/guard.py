"""The request guard: ASGI middleware in front of every route (SCIM, the User API copy, /_emulator), for what
no route should have to think of. Each check answers in the shape of the surface the request went to
(error_bodies), and a refused request reaches no route, so it changes nothing.

- The head. Header values must be ASCII: RFC 9110 §5.5 lets a recipient treat obs-text (bytes 0x80-0xFF) as
  opaque, but the libraries decode headers as UTF-8 and fell over on a 0xFF (500); no SCIM client needs them.
  One Host, in RFC 3986's authority form (RFC 9112 §3.2: otherwise 400), because it becomes the base of every
  `Location` and `meta.location`. The request target in ASCII (RFC 9112 §3.2; the query is decoded as UTF-8).
- The body, bounded before it is read: a `Content-Length` over `Assumptions.max_body_bytes` is answered 413
  at once, and a body without one (chunked) is read only up to that limit. (The admin API used to read a
  300 MB body into memory before refusing it.)
- A client that hangs up before its body is whole gets nothing run for it: no route sees a cut-off body, so
  a create whose client went away mid-body commits nothing. The route then reads the body from here.
- An exception no route turned into an answer is a bug: it is logged, and the client still gets a whole
  answer (500, in the surface's shape) rather than a dropped connection.

What h11 refuses itself (a malformed request line, headers over 16 KiB) uvicorn answers with its own
400 text/plain before any of this runs (docs/hardening.md).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from scim_harness.emulator.error_bodies import send_error
from scim_harness.emulator.state import EmulatorState

log = logging.getLogger("scim_harness.emulator")

# RFC 3986 §3.2.2-3.2.3: an IP literal or a reg-name (unreserved, pct-encoded, sub-delims), then a port.
_HOST = re.compile(rb"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]*)(?::[0-9]{0,5})?")


class _TooLarge(Exception):
    pass


class RequestGuard:
    def __init__(self, app: Any, state: EmulatorState) -> None:
        self.app = app
        self.state = state

    def _head_problem(self, scope: dict[str, Any]) -> tuple[int, str] | None:
        hosts = 0
        for name, value in scope["headers"]:
            if not value.isascii():
                return 400, f"The {name.decode('ascii', 'replace')} header holds bytes outside ASCII."
            if name == b"host":
                hosts += 1
                if hosts > 1 or not _HOST.fullmatch(value):
                    return 400, "The request needs one valid Host header."
            elif name == b"content-length" and (
                len(value) > 18 or int(value or 0) > self.state.assumptions.max_body_bytes
            ):
                return 413, self._too_large_text()
        if not (scope.get("raw_path") or b"").isascii() or not scope.get("query_string", b"").isascii():
            return 400, "The request target holds bytes outside ASCII."
        return None

    def _too_large_text(self) -> str:
        return f"The request body exceeds {self.state.assumptions.max_body_bytes} bytes."

    async def _body(self, receive: Any) -> bytes | None:
        """The whole body, or None when the client hung up first; _TooLarge past the limit."""
        limit = self.state.assumptions.max_body_bytes
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return chunks[0] if len(chunks) == 1 else b"".join(chunks)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        problem = self._head_problem(scope)
        if problem is not None:
            await send_error(send, self.state, path, *problem)
            return
        try:
            body = await self._body(receive)
        except _TooLarge:
            await send_error(send, self.state, path, 413, self._too_large_text())
            return
        if body is None:
            return  # the client went away mid-body: nobody to answer, nothing to run

        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if replayed:
                return await receive()  # after the body: waits for the client to hang up
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        started = False

        async def tracking_send(message: dict[str, Any]) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await self.app(scope, replay, tracking_send)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), path)
            if started:
                raise
            await send_error(send, self.state, path, 500, "Internal server error.", code_key="internal")
