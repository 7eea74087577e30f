"""Mapping target paths and the difference Entra PATCHes (§4): what the target holds at a path, what differs.

A mapping target is `name.givenName`, `emails[type eq "work"].value` or `urn:...:User:department`. Entra reads
the target's current state (`GET /Users/{id}`), compares it with what the mappings produce, and PATCHes only
what differs; null source values are never sent and never removed (D-KNOWN, D-ATTR).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from scim_harness.common.scim_wire import ENTERPRISE_SCHEMA

MANAGER_PATH = f"{ENTERPRISE_SCHEMA}:manager"
"""The reference attribute Entra resolves after the users of a cycle (§3, D-HOW), and PATCHes on its own."""
REFERENCE_PATHS = frozenset({MANAGER_PATH, "manager"})

_PATH = re.compile(
    r'^(?P<attr>[A-Za-z$][\w$-]*)(?:\[type eq "(?P<type>[^"]*)"\])?(?:\.(?P<sub>[A-Za-z$][\w$-]*))?$'
)


@dataclass(frozen=True)
class ScimPath:
    """A mapping target: `name.givenName`, `emails[type eq "work"].value`, `urn:...:User:department`."""

    attr: str
    type_filter: str | None = None
    sub: str | None = None
    urn: str | None = None

    @property
    def has_value_filter(self) -> bool:
        return self.type_filter is not None


@functools.lru_cache(maxsize=1024)
def parse_path(path: str) -> ScimPath:
    """The parts of a mapping target; a mapping set has a few, so each is parsed once (cached)."""
    urn = None
    rest = path
    if path.startswith("urn:"):
        urn, _, rest = path.rpartition(":")
    match = _PATH.match(rest)
    if not match:
        raise ValueError(f"unsupported SCIM attribute path {path!r}")
    return ScimPath(attr=match["attr"], type_filter=match["type"], sub=match["sub"], urn=urn)


def is_reference(path: str) -> bool:
    return path in REFERENCE_PATHS


def as_bool(value: Any) -> bool | None:
    """`active` arrives as a Switch() string "True"/"False" (or a boolean from a custom expression)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def current_value(resource: Mapping[str, Any], path: str) -> Any:
    """What the target holds at a mapping path (None when absent), read from a GET answer."""
    parsed = parse_path(path)
    container: Any = resource.get(parsed.urn) if parsed.urn else resource
    if not isinstance(container, Mapping):
        return None
    value = container.get(parsed.attr)
    if parsed.type_filter is not None:
        if not isinstance(value, list):
            return None
        element = next(
            (e for e in value if isinstance(e, Mapping) and e.get("type") == parsed.type_filter), None
        )
        return None if element is None else element.get(parsed.sub or "value")
    if parsed.sub is not None:
        return value.get(parsed.sub) if isinstance(value, Mapping) else None
    if isinstance(value, Mapping) and "value" in value:
        return value["value"]  # a complex single value such as manager
    return value


@dataclass(frozen=True)
class Change:
    """One attribute that differs between what the mappings produce and what the target holds."""

    op: Literal["Add", "Replace"]
    path: str
    old: Any
    new: Any


def diff_user(
    desired: Mapping[str, Any], current: Mapping[str, Any], *, add_when_missing: bool
) -> list[Change]:
    """The attributes to PATCH, in mapping order; nothing when nothing differs (§4).

    Add when the target lacks the attribute and Replace when it differs is the inferred rule (UNCONFIRMED);
    with `add_when_missing=False` every change is a Replace. Null source values are never sent (nor removed).
    """
    changes: list[Change] = []
    for path, new in desired.items():
        if new is None:
            continue
        old = current_value(current, path)
        if old is None:
            changes.append(Change("Add" if add_when_missing else "Replace", path, None, new))
        elif not _same(path, old, new):
            changes.append(Change("Replace", path, old, new))
    return changes


def _same(path: str, old: Any, new: Any) -> bool:
    if path == "active":
        return as_bool(old) == as_bool(new)
    if isinstance(old, bool) or isinstance(new, bool):
        return str(old).lower() == str(new).lower()
    return str(old) == str(new)
