"""Calls the way Entra paces them: a 429 with Retry-After suspends all of the job's activity (Q-LOAD, §6)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

from scim_harness.simulator.client import Outcome, Response, ScimClient
from scim_harness.simulator.clock import Clock
from scim_harness.simulator.settings import EngineSettings


class ThrottledClient:
    """`ScimClient` calls shared by every worker of a job; one throttled answer pauses them all."""

    def __init__(self, client: ScimClient, clock: Clock, settings: EngineSettings) -> None:
        self.client = client
        self._clock = clock
        self._settings = settings
        self._lock = threading.Lock()
        self._pause_until: datetime | None = None

    def request(
        self, method: str, path: str, *, query: str = "", body: dict[str, Any] | None = None
    ) -> Response:
        """One call. Honouring Retry-After suspends all activity for the period, then retries the call."""
        settings = self._settings
        attempts = 0
        while True:
            self._wait_if_suspended()
            response = self._send(method, path, query, body)
            if (
                response.outcome is Outcome.THROTTLED
                and settings.retry_after_behaviour == "honour"
                and response.retry_after is not None
                and response.retry_after <= settings.max_retry_after_seconds
                and attempts < settings.retry_after_attempts
            ):
                attempts += 1
                self._suspend(response.retry_after)
                continue
            return response

    def _send(self, method: str, path: str, query: str, body: dict[str, Any] | None) -> Response:
        # Through the client's per-verb methods, looked up at call time, so a test may wrap one of them.
        if method == "GET":
            return self.client.get(path, query)
        if method == "POST":
            return self.client.post(path, body or {})
        if method == "PATCH":
            return self.client.patch(path, body or {})
        return self.client.delete(path)

    def _suspend(self, seconds: float) -> None:
        with self._lock:
            until = self._clock.now() + timedelta(seconds=seconds)
            if self._pause_until is None or until > self._pause_until:
                self._pause_until = until

    def _wait_if_suspended(self) -> None:
        if self._pause_until is None:
            return
        with self._lock:
            until = self._pause_until
            if until is None:
                return
            now = self._clock.now()
            if until > now:
                self._clock.sleep((until - now).total_seconds())
            self._pause_until = None
