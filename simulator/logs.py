"""Provisioning logs in the shape of Entra's (Graph provisioningObjectSummary), §6 "Provisioning log"."""

from __future__ import annotations

import json
import random
import threading
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from rich.table import Table
from rich.text import Text

from scim_harness.common.redact import Redactor
from scim_harness.simulator.safe_text import printable

Action = Literal["Create", "Update", "Delete", "Disable", "StagedDelete", "Other"]
Status = Literal["Success", "Failure", "Skipped", "Warning"]
StepType = Literal["import", "scoping", "matching", "processing", "referenceResolution", "export"]

INITIATED_BY = {"displayName": "Azure AD Provisioning Service"}
_RANDOM = random.Random()  # seeded from the OS's randomness


def new_id() -> str:
    """A random UUID (version 4) as text: an entry's `id` and `changeId`.

    Unique, not secret, so a seeded generator rather than `uuid.uuid4()`: its `os.urandom` releases the GIL,
    a hand-off between the cycle's threads twice per entry (issue 13's profiles).
    """
    value = _RANDOM.getrandbits(128)
    value = (value & ~(0xC000 << 48) | 0x8000 << 48) & ~(0xF000 << 64) | 4 << 76
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


@dataclass(slots=True)
class ProvisioningStep:
    name: str
    provisioningStepType: StepType
    status: Status
    description: str
    details: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class ModifiedProperty:
    displayName: str
    oldValue: str | None
    newValue: str | None


@dataclass(slots=True)
class StatusInfo:
    errorCode: str | None = None
    reason: str | None = None
    additionalDetails: str | None = None
    recommendedAction: str | None = None


@dataclass(slots=True)
class LogEntry:
    """One provisioning event for one object in one cycle (or on-demand run)."""

    cycleId: str
    jobId: str
    activityDateTime: datetime
    action: Action
    status: Status
    sourceIdentity: dict[str, Any]
    targetIdentity: dict[str, Any]
    provisioningSteps: list[ProvisioningStep] = field(default_factory=list)
    modifiedProperties: list[ModifiedProperty] = field(default_factory=list)
    statusInfo: StatusInfo = field(default_factory=StatusInfo)
    durationInMilliseconds: int = 0
    changeId: str = field(default_factory=new_id)
    id: str = field(default_factory=new_id)

    @property
    def source_id(self) -> str | None:
        return self.sourceIdentity.get("id")

    @property
    def error_code(self) -> str | None:
        return self.statusInfo.errorCode

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["activityDateTime"] = self.activityDateTime.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        data["initiatedBy"] = dict(INITIATED_BY)
        data["provisioningStatusInfo"] = {
            "status": self.status.lower(),
            "errorInformation": asdict(self.statusInfo),
        }
        return data


class ProvisioningLogs:
    """Every entry of one job, appended from worker threads; secrets are masked on the way in and out."""

    def __init__(self, secrets: list[str] | None = None, *, max_entries: int | None = None) -> None:
        self._entries: list[LogEntry] = []
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self.redactor = Redactor(secrets or [])
        """The one redaction the job's texts go through (raw, base64 and percent-encoded forms)."""

    def add(self, entry: LogEntry) -> LogEntry:
        with self._lock:
            self._entries.append(entry)
            if self.max_entries is not None and len(self._entries) > 2 * self.max_entries:
                del self._entries[: -self.max_entries]
        return entry

    @property
    def entries(self) -> list[LogEntry]:
        with self._lock:
            if self.max_entries is not None:
                return self._entries[-self.max_entries :]
            return list(self._entries)

    def for_user(self, source_id: str) -> list[LogEntry]:
        return [e for e in self.entries if e.source_id == source_id]

    def for_cycle(self, cycle_id: str) -> list[LogEntry]:
        return [e for e in self.entries if e.cycleId == cycle_id]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def to_json(self, entries: list[LogEntry] | None = None) -> str:
        text = json.dumps(
            [e.to_dict() for e in (self.entries if entries is None else entries)],
            indent=2,
            ensure_ascii=False,
        )
        return self._mask(text)

    def write(self, path: str | Path) -> None:
        Path(path).write_text(self.to_json() + "\n", encoding="utf-8")

    def as_table(self, entries: list[LogEntry] | None = None, *, limit: int | None = None) -> Table:
        rows = self.entries if entries is None else entries
        if limit is not None:
            rows = rows[-limit:]
        table = Table(title="Provisioning logs")
        for column in ("date (UTC)", "cycle", "identity", "action", "status", "error code", "modified"):
            table.add_column(column)
        for e in rows:
            who = e.sourceIdentity.get("displayName") or e.source_id or ""
            modified = ", ".join(p.displayName for p in e.modifiedProperties)
            cells = (
                e.activityDateTime.strftime("%Y-%m-%d %H:%M:%S"),
                e.cycleId[:8],
                str(who),
                e.action,
                e.status,
                e.statusInfo.errorCode or "",
                modified,
            )
            # Text, not markup, and made safe: names come from a tenant file, codes from a target's answers.
            table.add_row(*(Text(printable(self._mask(cell), 200)) for cell in cells))
        return table

    def _mask(self, text: str) -> str:
        return self.redactor.text(text)


def as_log_value(value: Any) -> str | None:
    """Entra logs values as strings (`active` newValue "True", I-LOG)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) else json.dumps(value)
