"""What a load run replays: the plan, each process's slice of the tenant, and the changes of each cycle.

Pure data and arithmetic, no Locust: the master sends the plan to its workers as a message, and each worker
rebuilds the same tenant from the plan's seed (the simulator's generator gives the same tenant for the same
seed) and keeps only its slice. Slices are disjoint and cover the tenant, so every user is provisioned by
exactly one process; the users changed in a cycle are drawn over the whole tenant from the seed and the
cycle number, so each process changes exactly its share of them without talking to the others.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from typing import Any

from scim_harness.common.errors import HarnessError
from scim_harness.common.scim_wire import DIALECT_NAMES

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
DEFAULT_CONCURRENCY = 8
"""Parallel connections, as the simulator's `EngineSettings.max_connections` default ([U] Q-CONC)."""
MAX_USERS = 1_000_000


@dataclass(frozen=True)
class LoadPlan:
    """Everything a process needs to replay its part, except the Secret Token (never sent between them)."""

    target: str
    users: int
    seed: int = 1
    locale: str = "en_US"
    dialect: str = "legacy"
    cycles: int = 1
    """Incremental cycles after the initial one."""
    changes_per_cycle: float = 0.1
    """Share of the tenant's users changed before each incremental cycle (0..1)."""
    rate: float | None = None
    """Requests per second over all processes; None = as fast as `concurrency` connections go."""
    concurrency: int = DEFAULT_CONCURRENCY
    timeout: float = 60.0
    """Per-request timeout, Entra's 60 s (Q-60S)."""

    def __post_init__(self) -> None:
        if not 0 <= self.users <= MAX_USERS:
            raise HarnessError(f"--users must be between 0 and {MAX_USERS}")
        if self.dialect not in DIALECT_NAMES:
            raise HarnessError(f"unknown dialect {self.dialect!r}: choose one of {', '.join(DIALECT_NAMES)}")
        if not 0 <= self.changes_per_cycle <= 1:
            raise HarnessError("--changes-per-cycle must be a share between 0 and 1 (e.g. 0.1 or 10%)")
        if self.cycles < 0 or self.concurrency < 1:
            raise HarnessError("--cycles must be 0 or more and --concurrency 1 or more")
        if self.rate is not None and self.rate <= 0:
            raise HarnessError("--rate must be a positive number of requests per second")

    def to_message(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_message(cls, data: dict[str, Any]) -> LoadPlan:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def changed_positions(self, cycle: int) -> list[int]:
        """Tenant positions (0-based) changed before incremental cycle `cycle` (1..), the same everywhere."""
        count = round(self.users * self.changes_per_cycle)
        return sorted(random.Random(f"{self.seed}:{cycle}").sample(range(self.users), count))


def parse_share(text: str) -> float:
    """`0.1`, `10%` -> 0.1."""
    raw = text.strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise HarnessError(f"--changes-per-cycle: not a share: {text!r} (use e.g. 0.1 or 10%)") from None
    return value


@dataclass(frozen=True)
class Slice:
    """Slice `index` of `count`: the tenant positions p with p % count == index."""

    index: int = 0
    count: int = 1

    def __post_init__(self) -> None:
        if not 0 <= self.index < self.count:
            raise HarnessError(f"slice {self.index} of {self.count} does not exist")

    def owns(self, position: int) -> bool:
        return position % self.count == self.index

    def positions(self, users: int) -> range:
        return range(self.index, users, self.count)
