"""The objects of the source directory and their change log: what a Tenant holds, with Graph's names.

`SourceUser` and `SourceGroup` carry Microsoft Graph attribute names; `ChangeLog` is the append-only record of
which object changed when, so an incremental cycle asks "what changed since my watermark?" and pays for the
changes only, as Graph's delta query does.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

# Entra keeps a deleted user in the recycle bin for 30 days, then purges it for good.
SOFT_DELETE_RETENTION = timedelta(days=30)

Scope = Literal["assigned", "all"]
SCOPES: tuple[str, ...] = ("assigned", "all")


class TenantError(ValueError):
    """A tenant operation or file that does not make sense (unknown user, duplicate UPN, bad file shape)."""


@dataclass(slots=True)
class SourceUser:
    id: str
    attributes: dict[str, Any]
    assigned: bool = False
    soft_deleted_at: datetime | None = None
    hard_deleted: bool = False

    @property
    def user_principal_name(self) -> str | None:
        return self.attributes.get("userPrincipalName")


@dataclass
class SourceGroup:
    id: str
    display_name: str
    members: set[str] = field(default_factory=set)
    assigned: bool = False
    attributes: dict[str, Any] = field(default_factory=dict)


def synchronized[**P, R](method: Callable[P, R]) -> Callable[P, R]:
    """Serialise a method on `self._lock`: the engine may read in its cycle thread while a test writes."""

    @functools.wraps(method)
    def locked(*args: P.args, **kwargs: P.kwargs) -> R:
        with args[0]._lock:  # type: ignore[attr-defined]
            return method(*args, **kwargs)

    return locked


def check_upn(value: Any) -> str:
    """A userPrincipalName must be a non-empty string (it cannot be removed either)."""
    if not isinstance(value, str) or not value.strip():
        raise TenantError(f"userPrincipalName must be a non-empty string, not {value!r}"[:200])
    return value


def is_false(value: Any) -> bool:
    """Graph's false, as a JSON boolean or the string "false" in any case."""
    return value is False or (isinstance(value, str) and value.casefold() == "false")


class ChangeLog:
    """Append-only (seq, object id) log plus each object's latest seq; not thread-safe by itself."""

    def __init__(self) -> None:
        self._seq = 0
        self._seqs: list[int] = []
        self._ids: list[str] = []
        self._last: dict[str, int] = {}
        self.last_scanned = 0
        """How many entries the last `since` read: its cost, observable by tests and bench."""

    def touch(self, object_id: str) -> None:
        self._seq += 1
        self._seqs.append(self._seq)
        self._ids.append(object_id)
        self._last[object_id] = self._seq
        if len(self._ids) > 2 * len(self._last) + 1024:
            self._compact()

    def _compact(self) -> None:
        """Drop the entries a later change of the same object superseded: the log stays under twice the
        objects (plus a little), however long the simulation runs; order and watermarks are kept."""
        last = self._last
        kept = [
            (seq, object_id)
            for seq, object_id in zip(self._seqs, self._ids, strict=True)
            if last[object_id] == seq
        ]
        self._seqs = [seq for seq, _ in kept]
        self._ids = [object_id for _, object_id in kept]

    def watermark(self) -> int:
        return self._seq

    def since(self, watermark: int) -> list[str]:
        """Ids changed after `watermark`, each once, ordered by their latest change; walks only the tail."""
        end = len(self._ids)
        start = bisect.bisect_right(self._seqs, watermark, 0, end)
        self.last_scanned = end - start
        last = self._last
        return [
            object_id
            for seq, object_id in zip(self._seqs[start:end], self._ids[start:end], strict=True)
            if last[object_id] == seq
        ]


def _folded(upn: str) -> str:
    """The UPN in any case; the very string when it already is (a million users need no second copy)."""
    folded = upn.casefold()
    return upn if folded == upn else folded


class UpnIndex:
    """userPrincipalName (any case) -> user id: live users own their UPN; a deleted user's stays findable."""

    def __init__(self) -> None:
        self._live: dict[str, str] = {}
        self._any: dict[str, str] = {}

    def find(self, upn: str) -> str | None:
        folded = upn.casefold()
        return self._live.get(folded) or self._any.get(folded)

    def claim(self, upn: str, user_id: str) -> None:
        """Give `upn` to a live user; TenantError (and no change) when another live user holds it."""
        folded = _folded(upn)
        holder = self._live.get(folded)
        if holder is not None and holder != user_id:
            raise TenantError(f"userPrincipalName {upn!r} is already used by user {holder}")
        self._live[folded] = user_id
        self._any[folded] = user_id

    def remember_deleted(self, upn: str, user_id: str) -> None:
        """A user that starts in the recycle bin: findable by UPN unless a live user has it."""
        self._any.setdefault(_folded(upn), user_id)

    def release(self, upn: str | None, user_id: str) -> None:
        """The user left the live directory (deleted): its UPN is free for another live user."""
        if upn is not None and self._live.get(upn.casefold()) == user_id:
            del self._live[upn.casefold()]
