"""Tenant files in Graph's JSON shape: read (bounded, validated, one clear line per fault) and written back.

`{"value": [user, ...]}` (a Graph list-users answer) gives a tenant where every user is assigned.
`{"users": [...], "groups": [...], "assignments": [...], "scope": ..., "scopingFilter": ...,
"timeline": [...]}` is the full tenant file (docs/simulator-source.md). The file comes from whoever runs
`simulate`, so nothing in it is trusted: sizes are bounded, and every value a later step relies on is checked
here, with the path of the faulty value in the message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scim_harness.simulator.files import MB, InputFileError, read_json
from scim_harness.simulator.scoping import ScopingFilter, ScopingFilterError
from scim_harness.simulator.source import SCOPES, Scope, TenantError
from scim_harness.simulator.timeline import TimelineError, TimelineEvent, parse_timeline

if TYPE_CHECKING:
    from scim_harness.simulator.tenant import Tenant

MAX_FILE_BYTES = 64 * MB
"""A tenant file larger than this is refused: about 150,000 users, more than `simulate` is meant to hold."""
MAX_OBJECTS = 250_000
"""Users plus groups in one tenant file."""

# Keys of a user object in the tenant file that are not Graph attributes of the user.
_USER_META_KEYS = frozenset({"id", "assigned", "deletedDateTime"})
# Graph user attributes that are strings; a mapping or a filter reads them as text.
_STRING_ATTRIBUTES = frozenset(
    {
        "userPrincipalName",
        "displayName",
        "givenName",
        "surname",
        "mail",
        "mailNickname",
        "jobTitle",
        "department",
        "employeeId",
        "manager",
        "preferredLanguage",
        "usageLocation",
    }
)


@dataclass
class TenantHeader:
    """The parts of a tenant file, checked for shape; the objects are added by `fill`."""

    scope: Scope = "assigned"
    scoping_filter: ScopingFilter | None = None
    users: list[Any] = field(default_factory=list)
    groups: list[Any] = field(default_factory=list)
    assignments: list[Any] = field(default_factory=list)
    assign_all: bool = False
    timeline: list[TimelineEvent] = field(default_factory=list)


def read(path: str | Path) -> Any:
    """The parsed JSON of a tenant file, bounded in size; TenantError on any fault."""
    try:
        return read_json(path, "tenant file", MAX_FILE_BYTES)
    except InputFileError as exc:
        raise TenantError(str(exc)) from None


def read_header(data: Any) -> TenantHeader:
    if not isinstance(data, Mapping):
        raise TenantError("a tenant file must be a JSON object")
    header = TenantHeader()
    if "value" in data and "users" not in data:
        users, groups, header.assign_all = data["value"], [], True
    else:
        users, groups = data.get("users", []), data.get("groups", [])
    if not isinstance(users, list) or not isinstance(groups, list):
        raise TenantError("'users', 'groups' and 'value' must be JSON lists")
    if len(users) + len(groups) > MAX_OBJECTS:
        raise TenantError(f"a tenant file holds at most {MAX_OBJECTS:,} users and groups")
    header.users, header.groups = users, groups
    scope = data.get("scope", "assigned")
    if scope not in SCOPES:
        raise TenantError(f"scope must be 'assigned' or 'all', not {scope!r}")
    header.scope = scope
    scoping = data.get("scopingFilter")
    if scoping:
        try:
            header.scoping_filter = ScopingFilter.from_dict(scoping)
        except ScopingFilterError as exc:
            raise TenantError(f"scopingFilter: {exc}") from None
    assignments = data.get("assignments", [])
    if assignments == "all":
        header.assign_all, assignments = True, []
    if not isinstance(assignments, list):
        raise TenantError("'assignments' must be a list or \"all\"")
    header.assignments = assignments
    try:
        header.timeline = parse_timeline(data.get("timeline", []))
    except TimelineError as exc:
        raise TenantError(str(exc)) from None
    return header


def fill(tenant: Tenant, header: TenantHeader) -> None:
    """Add the header's users, groups and assignments to an empty tenant, in that order."""
    for index, raw in enumerate(header.users):
        _load_user(tenant, index, raw, header.assign_all)
    for index, raw in enumerate(header.groups):
        _load_group(tenant, index, raw)
    for index, raw in enumerate(header.assignments):
        _load_assignment(tenant, index, raw)
    tenant.timeline = header.timeline


def _load_user(tenant: Tenant, index: int, raw: Any, assign_all: bool) -> None:
    where = f"users[{index}]"
    if not isinstance(raw, Mapping):
        raise TenantError(f"{where} must be a JSON object")
    attributes = {
        key: value
        for key, value in raw.items()
        if key not in _USER_META_KEYS and not str(key).startswith("@odata")
    }
    if "userPrincipalName" not in attributes:
        raise TenantError(f"{where} has no userPrincipalName")
    for name, value in attributes.items():
        if name in _STRING_ATTRIBUTES and value is not None and not isinstance(value, str):
            raise TenantError(f"{where}.{name} must be a string, not {_short(value)}")
    enabled = attributes.get("accountEnabled")
    if enabled is not None and not isinstance(enabled, bool | str):
        raise TenantError(f"{where}.accountEnabled must be true or false, not {_short(enabled)}")
    user_id = raw.get("id")
    if user_id is not None and (not isinstance(user_id, str) or not user_id):
        raise TenantError(f"{where}.id must be a non-empty string, not {_short(user_id)}")
    deleted = raw.get("deletedDateTime")
    try:
        tenant.add_user(
            id=user_id,
            assigned=assign_all or raw.get("assigned") is True,
            soft_deleted_at=_parse_datetime(deleted, where) if deleted else None,
            **attributes,
        )
    except TenantError as exc:
        raise TenantError(f"{where}: {exc}") from None


def _load_group(tenant: Tenant, index: int, raw: Any) -> None:
    where = f"groups[{index}]"
    if not isinstance(raw, Mapping) or not isinstance(raw.get("displayName"), str):
        raise TenantError(f"{where} must be a JSON object with a displayName string")
    raw_members = raw.get("members", [])
    if not isinstance(raw_members, list):
        raise TenantError(f"{where}.members must be a list")
    members = []
    for member in raw_members:
        key = member.get("id") if isinstance(member, Mapping) else member
        if not isinstance(key, str):
            raise TenantError(f"{where}: a member must be a user id or UPN, not {_short(member)}")
        try:
            members.append(tenant.find_user(key).id)
        except TenantError as exc:
            raise TenantError(f"{where}: {exc}") from None
    extra = {k: v for k, v in raw.items() if k not in {"id", "displayName", "members", "assigned"}}
    try:
        tenant.add_group(
            raw["displayName"], members, id=raw.get("id"), assigned=raw.get("assigned") is True, **extra
        )
    except TenantError as exc:
        raise TenantError(f"{where}: {exc}") from None


def _load_assignment(tenant: Tenant, index: int, raw: Any) -> None:
    """An assignment is a user or group id/UPN/displayName, or Graph's appRoleAssignment shape."""
    key = raw.get("principalId") if isinstance(raw, Mapping) else raw
    kind = raw.get("principalType") if isinstance(raw, Mapping) else None
    if not isinstance(key, str):
        raise TenantError(f"assignments[{index}] must name a user or group")
    if kind != "Group":
        try:
            tenant.assign_user(tenant.find_user(key).id)
            return
        except TenantError:
            if kind == "User":
                raise TenantError(f"assignments[{index}]: no user {key!r}") from None
    try:
        tenant.assign_group(tenant.find_group(key).id)
    except TenantError:
        raise TenantError(f"assignments[{index}]: no user or group {key!r}") from None


def to_graph_json(tenant: Tenant) -> dict[str, Any]:
    """The full tenant file shape. Hard-deleted users are gone from Graph, so they are left out."""
    users = []
    for user in tenant.users.values():
        if user.hard_deleted:
            continue
        record: dict[str, Any] = {"id": user.id, **user.attributes, "assigned": user.assigned}
        if user.soft_deleted_at is not None:
            record["deletedDateTime"] = user.soft_deleted_at.isoformat().replace("+00:00", "Z")
        users.append(record)
    groups = [
        {
            "id": group.id,
            "displayName": group.display_name,
            **group.attributes,
            "members": sorted(m for m in group.members if not tenant.users[m].hard_deleted),
            "assigned": group.assigned,
        }
        for group in tenant.groups.values()
    ]
    data: dict[str, Any] = {"scope": tenant.scope, "users": users, "groups": groups}
    if tenant.scoping_filter is not None:
        data["scopingFilter"] = tenant.scoping_filter.to_dict()
    if tenant.timeline:
        data["timeline"] = [event.to_dict() for event in tenant.timeline]
    return data


def save(tenant: Tenant, path: str | Path) -> None:
    Path(path).write_text(json.dumps(tenant.to_graph_json(), ensure_ascii=False, indent=2), encoding="utf-8")


def _parse_datetime(text: Any, where: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise TenantError(f"{where}: deletedDateTime {_short(text)} is not an ISO 8601 date-time") from None
    if parsed.tzinfo is None:
        raise TenantError(f"{where}: deletedDateTime {_short(text)} needs a time zone (e.g. Z)")
    return parsed


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
