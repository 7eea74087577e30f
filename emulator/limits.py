"""Kintone's published REST limit: at most 100 requests in progress per domain, then HTTP 429 until fewer are
(kintone-scim.md §4). The User API copy always counts; whether SCIM requests count is unpublished, so it is
an assumption (Assumptions.connection_limit.applies, default on). The admin surface (/_emulator) never
counts: it is the emulator's own, not Kintone's. The generic profile has no such limit."""

from __future__ import annotations

from typing import Any

from scim_harness.emulator.error_bodies import send_error
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
        limit = self.state.assumptions.connection_limit
        message = f"Too many requests in progress: at most {limit.limit} at once."
        headers = []
        if limit.retry_after_seconds is not None:
            headers.append((b"retry-after", str(limit.retry_after_seconds).encode()))
        await send_error(
            send, self.state, scope["path"], 429, message, code_key="too_many_requests", headers=headers
        )
