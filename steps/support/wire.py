"""What Entra ID sent in this scenario and what the target answered, as the simulator's own client saw it.

Checks on the wire (a create answered 201, a DELETE answered 204, the seven mappings in a POST body) read it
here rather than through the capture proxy, so they hold with capture off too. It lives only in memory for
the scenario's assertions; the report's copy of the traffic is the capture proxy's, which is redacted.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

from scim_harness.simulator.answers import Response
from scim_harness.simulator.client import SentRequest

MAX_EXCHANGES = 10_000
"""A scenario sends a few dozen requests; the bound only keeps a runaway loop from eating memory."""


@dataclass(frozen=True)
class WireExchange:
    method: str
    path: str
    query: str
    request: Any
    """The request body parsed as JSON (None without a body; the raw text when it is not JSON)."""
    status: int | None
    """The answer's HTTP status, or None when no answer came (timeout, reset, refused)."""
    response: Any
    outcome: str
    headers: tuple[tuple[str, str], ...] = ()
    """The answer's headers, names in lower case (a Location, say)."""

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key == wanted), None)

    def __repr__(self) -> str:
        query = f"?{self.query}" if self.query else ""
        return f"{self.method} {self.path}{query} -> {self.status or self.outcome}"


class EntraWire:
    """Every request of the scenario's provisioning job, in the order they completed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._exchanges: list[WireExchange] = []

    def __repr__(self) -> str:
        return f"EntraWire({len(self._exchanges)} exchanges)"

    def record(self, sent: SentRequest, answer: Response) -> None:
        exchange = WireExchange(
            sent.method,
            sent.path,
            sent.query,
            _parse(sent.body),
            answer.status,
            answer.body,
            answer.outcome.value,
            answer.headers,
        )
        with self._lock:
            if len(self._exchanges) < MAX_EXCHANGES:
                self._exchanges.append(exchange)

    @property
    def exchanges(self) -> list[WireExchange]:
        with self._lock:
            return list(self._exchanges)

    def mark(self) -> int:
        """A position to read from later: `since(mark)` gives what was sent after it."""
        with self._lock:
            return len(self._exchanges)

    def since(self, mark: int) -> list[WireExchange]:
        with self._lock:
            return self._exchanges[mark:]

    def sent(self, method: str, path_prefix: str = "/") -> list[WireExchange]:
        """The exchanges of one method whose path starts with `path_prefix` (e.g. "POST", "/Users")."""
        return [e for e in self.exchanges if e.method == method and e.path.startswith(path_prefix)]


def _parse(body: bytes | None) -> Any:
    if body is None:
        return None
    text = body.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text
