"""What the parts of one provisioning job share: the source, the target, the links, the escrows, the run.

`JobContext` is the one place the job's configuration lives while it runs: the mappings here, the Tenant URL,
token and settings in the client. Every part reads them when it needs them, so a change the job makes through
`ProvisioningJob.configure` reaches the next request; nothing keeps a copy.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from scim_harness.common.scim_wire import Dialect
from scim_harness.simulator.client import ScimClient
from scim_harness.simulator.clock import Clock
from scim_harness.simulator.escrow import Escrow, EscrowStore
from scim_harness.simulator.logs import LogEntry, ProvisioningLogs
from scim_harness.simulator.mappings import MappingSet
from scim_harness.simulator.quarantine import Quarantine
from scim_harness.simulator.settings import EngineSettings
from scim_harness.simulator.tenant import Tenant
from scim_harness.simulator.throttle import ThrottledClient


@dataclass
class GroupLink:
    target_id: str
    members: set[str] = field(default_factory=set)  # target ids Entra added; reads exclude members (§7)


@dataclass
class PendingReference:
    """A user's manager to resolve after the users of the run (D-HOW step 5), on its own PATCH (§3)."""

    user_id: str
    target_id: str
    path: str
    source_value: str
    current: object  # the manager value the target holds now (None after a create)
    entry: LogEntry


Tally = Counter[tuple[str, str, bool]]
"""How many entries a run recorded per (action, status, reference failure)."""


@dataclass
class Run:
    """One cycle or on-demand run.

    A run counts its entries rather than keeping them (the job's logs keep them, bounded), so a cycle of a
    million users holds no million entries; an entry a pending reference may still change (the manager,
    resolved after the users) is kept until `settle()`.
    """

    cycle_id: str
    kind: Literal["initial", "incremental", "on_demand"]
    dialect: Dialect
    rematch: bool = False
    force_deletes: bool = False
    abort: threading.Event = field(default_factory=threading.Event)
    quarantine: Quarantine | None = None
    unreachable: str | None = None  # the target stopped answering in time: the cycle ended (no quarantine)
    references: list[PendingReference] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    total: int = 0  # objects this run will look at (progress)
    done: int = 0  # objects looked at so far
    _tally: Tally = field(default_factory=Counter)
    _unsettled: dict[int, LogEntry] = field(default_factory=dict)  # id -> entry a reference may change
    _recorded: list[LogEntry] = field(default_factory=list)  # the unsettled ones recorded so far

    @property
    def on_demand(self) -> bool:
        return self.kind == "on_demand"

    def quarantine_and_abort(self, quarantine: Quarantine) -> None:
        """A quarantine trigger met mid-cycle; on demand neither quarantines nor aborts (D-POD)."""
        if self.on_demand:
            return
        self.quarantine = quarantine
        self.abort.set()

    def end_unreachable(self, reason: str) -> None:
        """The target stopped answering: the objects not reached wait for the next cycle (not on demand)."""
        if self.on_demand or self.abort.is_set():
            return
        self.unreachable = reason
        self.abort.set()

    def refer(self, reference: PendingReference) -> None:
        """A reference to resolve after the users; its user's entry stays open until `settle()`."""
        with self.lock:
            self.references.append(reference)
            self._unsettled[id(reference.entry)] = reference.entry

    def record(self, entry: LogEntry) -> None:
        with self.lock:
            if id(entry) in self._unsettled:
                self._recorded.append(entry)
            else:
                self._tally[_key(entry)] += 1

    def settle(self) -> Tally:
        """The tally of every entry recorded, once the references are resolved (or given up)."""
        with self.lock:
            for entry in self._recorded:
                self._tally[_key(entry)] += 1
            self._recorded.clear()
            self._unsettled.clear()
            return Counter(self._tally)


def _key(entry: LogEntry) -> tuple[str, str, bool]:
    return entry.action, entry.status, entry.statusInfo.additionalDetails == "reference"


@dataclass
class JobContext:
    """State that outlives a cycle. Links and escrows are written from the worker threads of a cycle."""

    tenant: Tenant
    mappings: MappingSet
    clock: Clock
    job_id: str
    client: ScimClient
    calls: ThrottledClient
    logs: ProvisioningLogs
    escrows: EscrowStore
    links: dict[str, str] = field(default_factory=dict)  # source user id -> target id
    group_links: dict[str, GroupLink] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)  # guards the escrow store

    @property
    def settings(self) -> EngineSettings:
        return self.client.settings

    @property
    def dialect(self) -> Dialect:
        """The dialect the Tenant URL's flag selects (on-demand runs use the legacy one regardless)."""
        return self.client.tenant_url.dialect

    def record(self, run: Run, entry: LogEntry) -> None:
        run.record(entry)
        self.logs.add(entry)

    def escrow_failure(self, object_id: str, kind: str, error_code: str, *, reference: bool) -> Escrow:
        settings = self.settings
        with self.lock:
            return self.escrows.fail(
                object_id,
                kind,
                error_code,
                self.clock.now(),
                reference=reference,
                schedule=settings.escrow_schedule,
                give_up_after=settings.escrow_give_up_after,
            )

    def escrow_success(self, object_id: str) -> None:
        with self.lock:
            self.escrows.succeed(object_id)

    def target_id(self, source_id: str) -> str | None:
        group = self.group_links.get(source_id)
        return self.links.get(source_id) or (group.target_id if group else None)
