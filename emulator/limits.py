"""Kintone's published REST limit: at most 100 requests in progress per domain, then HTTP 429 until fewer are
(kintone-scim.md §4). The User API copy always counts; whether SCIM requests count is unpublished, so it is
an assumption (Assumptions.connection_limit.applies, default on). The admin surface (/_emulator) never
counts: it is the emulator's own, not Kintone's. The generic profile has no such limit."""

from __future__ import annotations

import json
import secrets
from typing import Any

from scim_harness.common.scim_wire import ERROR_SCHEMA
from scim_harness.emulator.state import EmulatorState

ADMIN_PREFIX = "/_emulator"


class ConnectionLimit:
    """ASGI middleware counting the requests in progress (state.in_flight)."""

    def __init__(self, app: Any, state: EmulatorState) -> None:
        self.app = app
        self.state = state

    def _counts(self, path: str) -> bool:
        state = self.state
        if not state.kintone or path.startswith(ADMIN_PREFIX):
            return False
        scim = path == state.config.base_path or path.startswith(state.config.base_path + "/")
        return state.assumptions.connection_limit.applies or not scim

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not self._counts(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        state = self.state
        limit = state.assumptions.connection_limit
        if state.in_flight >= limit.limit:
            await self._too_many(scope, send)
            return
        state.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            state.in_flight -= 1

    async def _too_many(self, scope: dict[str, Any], send: Any) -> None:
        state = self.state
        limit = state.assumptions.connection_limit
        message = f"Too many requests in progress: at most {limit.limit} at once."
        if scope["path"].startswith(state.config.base_path):
            content_type = b"application/scim+json"
            body: dict[str, Any] = {"schemas": [ERROR_SCHEMA], "status": "429", "detail": message}
        else:
            content_type = b"application/json"
            code = state.assumptions.user_api_codes.get("too_many_requests", "too_many_requests")
            body = {"message": message, "id": secrets.token_hex(10), "code": code}
        raw = json.dumps(body).encode()
        headers = [(b"content-type", content_type), (b"content-length", str(len(raw)).encode())]
        if limit.retry_after_seconds is not None:
            headers.append((b"retry-after", str(limit.retry_after_seconds).encode()))
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": raw})
