"""The source directory: Entra ID users and groups with Microsoft Graph attribute names.

The tenant is what the provisioning engine reads. It keeps an append-only change log so an incremental
cycle asks "what changed since my watermark?" and pays for the changes only, as Graph's delta query does.
"""

from __future__ import annotations

import bisect
import functools
import json
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from scim_harness.simulator.clock import Clock
from scim_harness.simulator.scoping import ScopingFilter
from scim_harness.simulator.timeline import TimelineEvent, parse_timeline

# Entra keeps a deleted user in the recycle bin for 30 days, then purges it for good.
SOFT_DELETE_RETENTION = timedelta(days=30)

Scope = Literal["assigned", "all"]

# Keys of a user object in the tenant file that are not Graph attributes of the user.
_USER_META_KEYS = frozenset({"id", "assigned", "deletedDateTime"})


def _synchronized[**P, R](method: Callable[P, R]) -> Callable[P, R]:
    """Serialise a Tenant method: the engine may read in its cycle thread while a test or timeline writes."""

    @functools.wraps(method)
    def locked(*args: P.args, **kwargs: P.kwargs) -> R:
        with args[0]._lock:  # type: ignore[attr-defined]
            return method(*args, **kwargs)

    return locked


class TenantError(ValueError):
    """A tenant operation or file that does not make sense (unknown user, duplicate UPN, bad file shape)."""


@dataclass
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


class Tenant:
    """Users, groups, app assignments and the scoping filter of one enterprise application."""

    def __init__(
        self, clock: Clock, *, scope: Scope = "assigned", scoping_filter: ScopingFilter | None = None
    ) -> None:
        if scope not in ("assigned", "all"):
            raise TenantError(f"scope must be 'assigned' or 'all', not {scope!r}")
        self.clock = clock
        self._lock = threading.RLock()
        self.scope: Scope = scope
        self.scoping_filter = scoping_filter
        self.users: dict[str, SourceUser] = {}
        self.groups: dict[str, SourceGroup] = {}
        self.timeline: list[TimelineEvent] = []
        self._seq = 0
        # Append-only (seq, object id) log plus each object's latest seq: changes_since walks only the tail.
        self._log_seqs: list[int] = []
        self._log_ids: list[str] = []
        self._last_seq: dict[str, int] = {}
        # How many assigned groups each user is a direct member of, so is_assigned is O(1).
        self._assigned_group_count: dict[str, int] = {}
        self._soft_deleted: dict[str, datetime] = {}
        self._live_by_upn: dict[str, str] = {}
        self._any_by_upn: dict[str, str] = {}
        self._groups_by_name: dict[str, str] = {}
        # How many log entries the last changes_since read: its cost, observable by tests and bench.
        self.last_changes_scanned = 0

    # -- change log ---------------------------------------------------------------------------------------

    def _touch(self, object_id: str) -> None:
        self._seq += 1
        self._log_seqs.append(self._seq)
        self._log_ids.append(object_id)
        self._last_seq[object_id] = self._seq

    def watermark(self) -> int:
        return self._seq

    @_synchronized
    def changes_since(self, watermark: int) -> list[str]:
        """Ids of users and groups changed after `watermark`, each once, ordered by their latest change."""
        end = len(self._log_ids)
        start = bisect.bisect_right(self._log_seqs, watermark, 0, end)
        self.last_changes_scanned = end - start
        last = self._last_seq
        return [
            object_id
            for seq, object_id in zip(self._log_seqs[start:end], self._log_ids[start:end], strict=True)
            if last[object_id] == seq
        ]

    # -- lookups ------------------------------------------------------------------------------------------

    def user(self, user_id: str) -> SourceUser:
        try:
            return self.users[user_id]
        except KeyError:
            raise TenantError(f"no user with id {user_id!r} in the tenant") from None

    def group(self, group_id: str) -> SourceGroup:
        try:
            return self.groups[group_id]
        except KeyError:
            raise TenantError(f"no group with id {group_id!r} in the tenant") from None

    def find_user(self, key: str) -> SourceUser:
        """A user by object id or userPrincipalName (any case); a live user wins over a deleted one."""
        if key in self.users:
            return self.users[key]
        folded = key.casefold()
        user_id = self._live_by_upn.get(folded) or self._any_by_upn.get(folded)
        if user_id is None:
            raise TenantError(f"no user with id or userPrincipalName {key!r} in the tenant")
        return self.users[user_id]

    def find_group(self, key: str) -> SourceGroup:
        """A group by object id or displayName."""
        if key in self.groups:
            return self.groups[key]
        group_id = self._groups_by_name.get(key.casefold())
        if group_id is None:
            raise TenantError(f"no group with id or displayName {key!r} in the tenant")
        return self.groups[group_id]

    # -- users --------------------------------------------------------------------------------------------

    @_synchronized
    def add_user(
        self,
        *,
        id: str | None = None,
        assigned: bool = False,
        soft_deleted_at: datetime | None = None,
        **graph_attributes: Any,
    ) -> SourceUser:
        """A new user; with `soft_deleted_at` it starts in the recycle bin (a Graph deleted-items export)."""
        user_id = id or str(uuid.uuid4())
        if user_id in self.users:
            raise TenantError(f"a user with id {user_id!r} already exists")
        attributes = {name: value for name, value in graph_attributes.items() if value is not None}
        # Graph creates users enabled unless told otherwise.
        attributes.setdefault("accountEnabled", True)
        upn = attributes.get("userPrincipalName")
        if upn is not None:
            if soft_deleted_at is None:
                self._claim_upn(upn, user_id)
            else:
                self._any_by_upn.setdefault(upn.casefold(), user_id)
        user = SourceUser(
            id=user_id, attributes=attributes, assigned=assigned, soft_deleted_at=soft_deleted_at
        )
        self.users[user_id] = user
        if soft_deleted_at is not None:
            self._soft_deleted[user_id] = soft_deleted_at
        self._touch(user_id)
        return user

    def _claim_upn(self, upn: str, user_id: str) -> None:
        folded = upn.casefold()
        holder = self._live_by_upn.get(folded)
        if holder is not None and holder != user_id:
            raise TenantError(f"userPrincipalName {upn!r} is already used by user {holder}")
        self._live_by_upn[folded] = user_id
        self._any_by_upn[folded] = user_id

    def _release_upn(self, user: SourceUser) -> None:
        upn = user.user_principal_name
        if upn is not None and self._live_by_upn.get(upn.casefold()) == user.id:
            del self._live_by_upn[upn.casefold()]

    @_synchronized
    def update_user(self, user_id: str, **graph_attributes: Any) -> None:
        """Set attributes; a value of None removes the attribute (Graph's null)."""
        user = self.user(user_id)
        changed = False
        for name, value in graph_attributes.items():
            if name == "userPrincipalName" and value != user.user_principal_name:
                if value is None:
                    raise TenantError("userPrincipalName cannot be removed")
                old = user.user_principal_name
                live = user.soft_deleted_at is None and not user.hard_deleted
                if live and (old is None or old.casefold() != value.casefold()):
                    self._claim_upn(value, user.id)  # raises before anything changes if the UPN is taken
                    if old is not None:
                        del self._live_by_upn[old.casefold()]
            if value is None:
                if name in user.attributes:
                    del user.attributes[name]
                    changed = True
            elif user.attributes.get(name, _MISSING) != value:
                user.attributes[name] = value
                changed = True
        if changed:
            self._touch(user_id)

    @_synchronized
    def assign_user(self, user_id: str) -> None:
        user = self.user(user_id)
        if not user.assigned:
            user.assigned = True
            self._touch(user_id)

    @_synchronized
    def unassign_user(self, user_id: str) -> None:
        user = self.user(user_id)
        if user.assigned:
            user.assigned = False
            self._touch(user_id)

    @_synchronized
    def soft_delete(self, user_id: str) -> None:
        user = self.user(user_id)
        if user.hard_deleted:
            raise TenantError(f"user {user_id} is permanently deleted")
        if user.soft_deleted_at is not None:
            return
        user.soft_deleted_at = self.clock.now()
        self._soft_deleted[user_id] = user.soft_deleted_at
        self._release_upn(user)
        self._touch(user_id)

    @_synchronized
    def restore(self, user_id: str) -> None:
        user = self.user(user_id)
        if user.hard_deleted:
            raise TenantError(f"user {user_id} is permanently deleted and cannot be restored")
        if user.soft_deleted_at is None:
            return
        # Entra refuses a restore whose UPN was taken meanwhile; so does _claim_upn.
        if user.user_principal_name is not None:
            self._claim_upn(user.user_principal_name, user_id)
        user.soft_deleted_at = None
        del self._soft_deleted[user_id]
        self._touch(user_id)

    @_synchronized
    def hard_delete(self, user_id: str) -> None:
        """Purge the user now (recycle bin or not); the record stays, flagged, for the engine to see."""
        user = self.user(user_id)
        if user.hard_deleted:
            return
        self._release_upn(user)
        user.hard_deleted = True
        self._soft_deleted.pop(user_id, None)
        self._touch(user_id)

    @_synchronized
    def purge_expired(self) -> list[str]:
        """Hard-delete users soft-deleted at least 30 days ago on the clock; their ids, oldest first."""
        cutoff = self.clock.now() - SOFT_DELETE_RETENTION
        expired = sorted(
            (deleted_at, user_id)
            for user_id, deleted_at in self._soft_deleted.items()
            if deleted_at <= cutoff
        )
        for _, user_id in expired:
            self.hard_delete(user_id)
        return [user_id for _, user_id in expired]

    def block_sign_in(self, user_id: str) -> None:
        self.update_user(user_id, accountEnabled=False)

    def unblock_sign_in(self, user_id: str) -> None:
        self.update_user(user_id, accountEnabled=True)

    # -- groups -------------------------------------------------------------------------------------------

    @_synchronized
    def add_group(
        self,
        display_name: str,
        members: Iterable[str] = (),
        *,
        id: str | None = None,
        assigned: bool = False,
        **graph_attributes: Any,
    ) -> SourceGroup:
        group_id = id or str(uuid.uuid4())
        if group_id in self.groups:
            raise TenantError(f"a group with id {group_id!r} already exists")
        member_ids = set(members)
        for member_id in member_ids:
            self.user(member_id)
        group = SourceGroup(
            id=group_id,
            display_name=display_name,
            members=set(),
            assigned=False,
            attributes=dict(graph_attributes),
        )
        self.groups[group_id] = group
        self._groups_by_name.setdefault(display_name.casefold(), group_id)
        self._touch(group_id)
        for member_id in member_ids:
            self.add_group_member(group_id, member_id)
        if assigned:
            self.assign_group(group_id)
        return group

    @_synchronized
    def assign_group(self, group_id: str) -> None:
        group = self.group(group_id)
        if group.assigned:
            return
        group.assigned = True
        self._touch(group_id)
        for member_id in group.members:
            self._change_group_assignment(member_id, +1)

    @_synchronized
    def unassign_group(self, group_id: str) -> None:
        group = self.group(group_id)
        if not group.assigned:
            return
        group.assigned = False
        self._touch(group_id)
        for member_id in group.members:
            self._change_group_assignment(member_id, -1)

    @_synchronized
    def add_group_member(self, group_id: str, user_id: str) -> None:
        group = self.group(group_id)
        self.user(user_id)
        if user_id in group.members:
            return
        group.members.add(user_id)
        self._touch(group_id)
        if group.assigned:
            self._change_group_assignment(user_id, +1)

    @_synchronized
    def remove_group_member(self, group_id: str, user_id: str) -> None:
        group = self.group(group_id)
        if user_id not in group.members:
            return
        group.members.discard(user_id)
        self._touch(group_id)
        if group.assigned:
            self._change_group_assignment(user_id, -1)

    def _change_group_assignment(self, user_id: str, delta: int) -> None:
        before = self.is_assigned(user_id)
        count = self._assigned_group_count.get(user_id, 0) + delta
        if count:
            self._assigned_group_count[user_id] = count
        else:
            self._assigned_group_count.pop(user_id, None)
        if self.is_assigned(user_id) != before:
            self._touch(user_id)

    @_synchronized
    def set_scoping_filter(self, scoping_filter: ScopingFilter | None) -> None:
        """Replace the scoping filter; every user counts as changed (Entra runs a new initial cycle)."""
        self.scoping_filter = scoping_filter
        for user_id in self.users:
            self._touch(user_id)

    # -- what the provisioning service sees ---------------------------------------------------------------

    def is_assigned(self, user_id: str) -> bool:
        """Assigned directly or as a direct member of an assigned group (nested groups are not expanded)."""
        return self.user(user_id).assigned or user_id in self._assigned_group_count

    def in_scope(self, user_id: str) -> bool:
        user = self.user(user_id)
        if user.hard_deleted or user.soft_deleted_at is not None:
            return False
        if self.scope == "assigned" and not (user.assigned or user_id in self._assigned_group_count):
            return False
        return self.scoping_filter is None or self.scoping_filter.matches(self._filter_view(user))

    def is_soft_deleted(self, user_id: str) -> bool:
        """Entra's IsSoftDeleted: true for each of the four deprovisioning events."""
        user = self.user(user_id)
        return not self.in_scope(user_id) or _is_false(user.attributes.get("accountEnabled", True))

    @_synchronized
    def source_view(self, user_id: str) -> dict[str, Any]:
        """The attributes a mapping expression can reference for this user."""
        user = self.user(user_id)
        view = dict(user.attributes)
        view["objectId"] = user.id
        view["IsSoftDeleted"] = self.is_soft_deleted(user_id)
        return view

    @_synchronized
    def group_source_view(self, group_id: str) -> dict[str, Any]:
        """The attributes a group mapping can reference; members are the member users' object ids."""
        group = self.group(group_id)
        view = dict(group.attributes)
        view["displayName"] = group.display_name
        view["objectId"] = group.id
        view["members"] = sorted(group.members)
        return view

    def group_in_scope(self, group_id: str) -> bool:
        group = self.group(group_id)
        return self.scope == "all" or group.assigned

    @staticmethod
    def _filter_view(user: SourceUser) -> Mapping[str, Any]:
        view = dict(user.attributes)
        view["objectId"] = user.id
        return view

    # -- files --------------------------------------------------------------------------------------------

    @classmethod
    def from_graph_json(cls, data: Mapping[str, Any], clock: Clock) -> Tenant:
        """Build a tenant from Graph's JSON shape.

        `{"value": [user, ...]}` (a Graph list-users answer) gives a tenant where every user is assigned.
        `{"users": [...], "groups": [...], "assignments": [...], "scope": ..., "scopingFilter": ...,
        "timeline": [...]}` is the full tenant file (docs/simulator-source.md).
        """
        if not isinstance(data, Mapping):
            raise TenantError("a tenant file must be a JSON object")
        if "value" in data and "users" not in data:
            users, groups, assign_all = data["value"], [], True
        else:
            users, groups, assign_all = data.get("users", []), data.get("groups", []), False
        if not isinstance(users, list) or not isinstance(groups, list):
            raise TenantError("'users', 'groups' and 'value' must be JSON lists")
        scoping = data.get("scopingFilter")
        tenant = cls(
            clock,
            scope=data.get("scope", "assigned"),
            scoping_filter=ScopingFilter.from_dict(scoping) if scoping else None,
        )
        assignments = data.get("assignments", [])
        if assignments == "all":
            assign_all, assignments = True, []
        for index, raw in enumerate(users):
            tenant._load_user(index, raw, assign_all)
        for index, raw in enumerate(groups):
            tenant._load_group(index, raw)
        if not isinstance(assignments, list):
            raise TenantError("'assignments' must be a list or \"all\"")
        for index, raw in enumerate(assignments):
            tenant._load_assignment(index, raw)
        tenant.timeline = parse_timeline(data.get("timeline", []))
        return tenant

    def _load_user(self, index: int, raw: Any, assign_all: bool) -> None:
        if not isinstance(raw, Mapping):
            raise TenantError(f"users[{index}] must be a JSON object")
        attributes = {
            key: value
            for key, value in raw.items()
            if key not in _USER_META_KEYS and not key.startswith("@odata")
        }
        if "userPrincipalName" not in attributes:
            raise TenantError(f"users[{index}] has no userPrincipalName")
        deleted = raw.get("deletedDateTime")
        try:
            self.add_user(
                id=raw.get("id"),
                assigned=assign_all or bool(raw.get("assigned")),
                soft_deleted_at=_parse_datetime(deleted, f"users[{index}]") if deleted else None,
                **attributes,
            )
        except TenantError as exc:
            raise TenantError(f"users[{index}]: {exc}") from None

    def _load_group(self, index: int, raw: Any) -> None:
        if not isinstance(raw, Mapping) or "displayName" not in raw:
            raise TenantError(f"groups[{index}] must be a JSON object with a displayName")
        members = []
        for member in raw.get("members", []):
            key = member.get("id") if isinstance(member, Mapping) else member
            try:
                members.append(self.find_user(str(key)).id)
            except TenantError as exc:
                raise TenantError(f"groups[{index}]: {exc}") from None
        extra = {k: v for k, v in raw.items() if k not in {"id", "displayName", "members", "assigned"}}
        self.add_group(
            raw["displayName"], members, id=raw.get("id"), assigned=bool(raw.get("assigned")), **extra
        )

    def _load_assignment(self, index: int, raw: Any) -> None:
        """An assignment is a user or group id/UPN/displayName, or Graph's appRoleAssignment shape."""
        key = raw.get("principalId") if isinstance(raw, Mapping) else raw
        kind = raw.get("principalType") if isinstance(raw, Mapping) else None
        if not isinstance(key, str):
            raise TenantError(f"assignments[{index}] must name a user or group")
        if kind != "Group":
            try:
                self.assign_user(self.find_user(key).id)
                return
            except TenantError:
                if kind == "User":
                    raise TenantError(f"assignments[{index}]: no user {key!r}") from None
        try:
            self.assign_group(self.find_group(key).id)
        except TenantError:
            raise TenantError(f"assignments[{index}]: no user or group {key!r}") from None

    @classmethod
    def load(cls, path: str | Path, clock: Clock) -> Tenant:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise TenantError(f"cannot read tenant file {path}: {exc.strerror}") from None
        except json.JSONDecodeError as exc:
            raise TenantError(f"tenant file {path} is not valid JSON: {exc}") from None
        return cls.from_graph_json(data, clock)

    @_synchronized
    def to_graph_json(self) -> dict[str, Any]:
        """The full tenant file shape. Hard-deleted users are gone from Graph, so they are left out."""
        users = []
        for user in self.users.values():
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
                "members": sorted(m for m in group.members if not self.users[m].hard_deleted),
                "assigned": group.assigned,
            }
            for group in self.groups.values()
        ]
        data: dict[str, Any] = {"scope": self.scope, "users": users, "groups": groups}
        if self.scoping_filter is not None:
            data["scopingFilter"] = self.scoping_filter.to_dict()
        if self.timeline:
            data["timeline"] = [event.to_dict() for event in self.timeline]
        return data

    def save(self, path: str | Path) -> None:
        Path(path).write_text(
            json.dumps(self.to_graph_json(), ensure_ascii=False, indent=2), encoding="utf-8"
        )


_MISSING = object()


def _is_false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.casefold() == "false")


def _parse_datetime(text: Any, where: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise TenantError(f"{where}: deletedDateTime {text!r} is not an ISO 8601 date-time") from None
    if parsed.tzinfo is None:
        raise TenantError(f"{where}: deletedDateTime {text!r} needs a time zone (e.g. Z)")
    return parsed
