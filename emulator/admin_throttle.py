"""Failed administrator logins, counted per address, so a password cannot be guessed at full speed (1,000
wrong passwords used to go through at 579 a second, with no slowdown).

The policy is `Assumptions.admin_login_throttle` (LoginThrottle): past `max_failures` failed logins within
`window_seconds` from one address, every request from it to the administrator's surfaces (the User API copy
and /_emulator) is answered 429 in Kintone's error shape, with `Retry-After`, without looking at its
credentials, until its oldest counted failure leaves the window. A successful login forgets the address's
failures. The address is the socket's peer (X-Forwarded-For only from a trusted proxy), so one client
cannot lock another out by naming it. Memory is bounded: at most `max_addresses` addresses are remembered.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque

from scim_harness.emulator.assumptions import LoginThrottle


class AdminThrottle:
    def __init__(self, policy: LoginThrottle) -> None:
        self.policy = policy
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, address: str, now: float) -> deque[float] | None:
        failures = self._failures.get(address)
        if failures is None:
            return None
        while failures and failures[0] <= now - self.policy.window_seconds:
            failures.popleft()
        if not failures:
            del self._failures[address]
            return None
        return failures

    def retry_after(self, address: str) -> float | None:
        """Seconds until the address may try again; None when it may now."""
        now = time.monotonic()
        failures = self._recent(address, now)
        if failures is None or len(failures) < self.policy.max_failures:
            return None
        return failures[-self.policy.max_failures] + self.policy.window_seconds - now

    def failed(self, address: str) -> None:
        now = time.monotonic()
        failures = self._recent(address, now)
        if failures is None:
            failures = self._failures[address] = deque(maxlen=max(1, self.policy.max_failures))
        failures.append(now)
        self._failures.move_to_end(address)
        while len(self._failures) > self.policy.max_addresses:
            self._failures.popitem(last=False)

    def succeeded(self, address: str) -> None:
        self._failures.pop(address, None)

    def clear(self) -> None:
        self._failures.clear()
