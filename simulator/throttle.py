"""Calls the way Entra paces them: a 429 with Retry-After suspends all of the job's activity (Q-LOAD, §6)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any

from scim_harness.simulator.answers import Outcome, Response
from scim_harness.simulator.client import ScimClient
from scim_harness.simulator.clock import Clock


class ThrottledClient:
    """`ScimClient` calls shared by every worker of a job; one throttled answer pauses them all."""

    def __init__(self, client: ScimClient, clock: Clock) -> None:
        self.client = client
        self._clock = clock
        self._lock = threading.Lock()
        self._pause_until: datetime | None = None
        self._timeouts = 0  # calls in a row that timed out
        self._timeouts_lock = threading.Lock()
        self.last_timeout = ""  # our description of the last call that timed out

    @property
    def timeouts_in_a_row(self) -> int:
        """How many calls in a row, across every worker, timed out; any other outcome resets it."""
        return self._timeouts

    def request(self, method: str, path: str, *, query: str = "", body: Any = None) -> Response:
        """One call. Honouring Retry-After suspends all activity for the period, then retries the call."""
        attempts = 0
        while True:
            self._wait_if_suspended()
            response = self.client.send(method, path, query=query, body=body)
            settings = self.client.settings
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
            with self._timeouts_lock:
                if response.outcome is Outcome.TIMEOUT:
                    self._timeouts += 1
                    self.last_timeout = response.text
                else:
                    self._timeouts = 0
            return response

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
