"""The tenant's groups: creation, renames, members and app assignment through a group, with Graph's names.

A mixin of `simulator.tenant.Tenant`, kept apart so that each module has one job: the tenant module keeps
users, scope and files; this one keeps groups and how they assign their direct members (nested groups are not
expanded, as in Entra: docs/simulator-source.md).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable
from typing import Any

from scim_harness.simulator.source import Scope, SourceGroup, SourceUser, TenantError, synchronized


class TenantGroups:
    """Groups of one tenant; the host class (`Tenant`) supplies users, the lock and the change log."""

    _lock: threading.RLock
    scope: Scope
    groups: dict[str, SourceGroup]
    _groups_by_name: dict[str, str]
    _assigned_group_count: dict[str, int]

    def _touch(self, object_id: str) -> None:  # pragma: no cover - Tenant's own
        raise NotImplementedError

    def user(self, user_id: str) -> SourceUser:  # pragma: no cover - Tenant's own
        raise NotImplementedError

    def is_assigned(self, user_id: str) -> bool:  # pragma: no cover - Tenant's own
        raise NotImplementedError

    def group(self, group_id: str) -> SourceGroup:
        if group_id not in self.groups:
            raise TenantError(f"no group with id {group_id!r} in the tenant")
        return self.groups[group_id]

    def find_group(self, key: str) -> SourceGroup:
        """A group by object id or displayName."""
        if key in self.groups:
            return self.groups[key]
        group_id = self._groups_by_name.get(key.casefold())
        if group_id is None:
            raise TenantError(f"no group with id or displayName {key!r} in the tenant")
        return self.groups[group_id]

    @synchronized
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
        if not isinstance(display_name, str) or not display_name.strip():
            raise TenantError(f"a group's displayName must be a non-empty string, not {display_name!r}")
        if not isinstance(group_id, str):
            raise TenantError(f"a group id must be a string, not {group_id!r}")
        if group_id in self.groups:
            raise TenantError(f"a group with id {group_id!r} already exists")
        member_ids = set(members)
        for member_id in member_ids:
            self.user(member_id)
        group = SourceGroup(id=group_id, display_name=display_name, attributes=dict(graph_attributes))
        self.groups[group_id] = group
        self._groups_by_name.setdefault(display_name.casefold(), group_id)
        self._touch(group_id)
        for member_id in member_ids:
            self.add_group_member(group_id, member_id)
        if assigned:
            self.assign_group(group_id)
        return group

    @synchronized
    def rename_group(self, group_id: str, display_name: str) -> None:
        """A new displayName (Entra sends it as a PATCH of displayName, §7)."""
        group = self.group(group_id)
        if not isinstance(display_name, str) or not display_name.strip():
            raise TenantError(f"a group's displayName must be a non-empty string, not {display_name!r}")
        if display_name == group.display_name:
            return
        if self._groups_by_name.get(group.display_name.casefold()) == group_id:
            del self._groups_by_name[group.display_name.casefold()]
        group.display_name = display_name
        self._groups_by_name.setdefault(display_name.casefold(), group_id)
        self._touch(group_id)

    def assign_group(self, group_id: str) -> None:
        self._assign_group(group_id, True)

    def unassign_group(self, group_id: str) -> None:
        self._assign_group(group_id, False)

    @synchronized
    def _assign_group(self, group_id: str, assigned: bool) -> None:
        group = self.group(group_id)
        if group.assigned == assigned:
            return
        group.assigned = assigned
        self._touch(group_id)
        for member_id in group.members:  # its direct members are assigned through it (or no longer)
            self._change_group_assignment(member_id, +1 if assigned else -1)

    @synchronized
    def add_group_member(self, group_id: str, user_id: str) -> None:
        group = self.group(group_id)
        self.user(user_id)
        if user_id in group.members:
            return
        group.members.add(user_id)
        self._touch(group_id)
        if group.assigned:
            self._change_group_assignment(user_id, +1)

    @synchronized
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

    @synchronized
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
