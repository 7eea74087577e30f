"""The source directory: Entra ID users and groups, app assignments and the scope, with Graph's names.

The tenant is what the provisioning engine reads: who exists, who is assigned (directly or through a group),
who is in scope, and what changed since a watermark (`simulator.source.ChangeLog`). Reading and writing
Graph-shaped tenant files is `simulator.tenant_file`'s job.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from scim_harness.simulator import tenant_file
from scim_harness.simulator.clock import Clock
from scim_harness.simulator.scoping import ScopingFilter
from scim_harness.simulator.source import (
    SCOPES,
    SOFT_DELETE_RETENTION,
    ChangeLog,
    Scope,
    SourceGroup,
    SourceUser,
    TenantError,
    UpnIndex,
    check_upn,
    is_false,
    synchronized,
)
from scim_harness.simulator.tenant_groups import TenantGroups
from scim_harness.simulator.timeline import TimelineEvent

__all__ = ["SOFT_DELETE_RETENTION", "Scope", "SourceGroup", "SourceUser", "Tenant", "TenantError"]


class Tenant(TenantGroups):
    """Users, groups, app assignments and the scoping filter of one enterprise application.

    Groups and assignment through them are `simulator.tenant_groups.TenantGroups`' job.
    """

    def __init__(
        self, clock: Clock, *, scope: Scope = "assigned", scoping_filter: ScopingFilter | None = None
    ) -> None:
        if scope not in SCOPES:
            raise TenantError(f"scope must be 'assigned' or 'all', not {scope!r}")
        self.clock = clock
        self._lock = threading.RLock()
        self.scope: Scope = scope
        self.scoping_filter = scoping_filter
        self.users: dict[str, SourceUser] = {}
        self.groups: dict[str, SourceGroup] = {}
        self.timeline: list[TimelineEvent] = []
        self._changes = ChangeLog()
        # How many assigned groups each user is a direct member of, so is_assigned is O(1).
        self._assigned_group_count: dict[str, int] = {}
        self._soft_deleted: dict[str, datetime] = {}
        self._upns = UpnIndex()
        self._groups_by_name: dict[str, str] = {}

    def _touch(self, object_id: str) -> None:
        self._changes.touch(object_id)

    def watermark(self) -> int:
        return self._changes.watermark()

    @property
    def last_changes_scanned(self) -> int:
        """How many log entries the last `changes_since` read: its cost, observable by tests and bench."""
        return self._changes.last_scanned

    @synchronized
    def changes_since(self, watermark: int) -> list[str]:
        """Ids of users and groups changed after `watermark`, each once, ordered by their latest change."""
        return self._changes.since(watermark)

    # -- lookups ------------------------------------------------------------------------------------------

    def user(self, user_id: str) -> SourceUser:
        if user_id not in self.users:
            raise TenantError(f"no user with id {user_id!r} in the tenant")
        return self.users[user_id]

    def find_user(self, key: str) -> SourceUser:
        """A user by object id or userPrincipalName (any case); a live user wins over a deleted one."""
        if key in self.users:
            return self.users[key]
        user_id = self._upns.find(key)
        if user_id is None:
            raise TenantError(f"no user with id or userPrincipalName {key!r} in the tenant")
        return self.users[user_id]

    # -- users --------------------------------------------------------------------------------------------

    @synchronized
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
            check_upn(upn)
        if not isinstance(user_id, str) or not user_id:
            raise TenantError(f"a user id must be a non-empty string, not {user_id!r}")
        if upn is not None:
            if soft_deleted_at is None:
                self._upns.claim(upn, user_id)
            else:
                self._upns.remember_deleted(upn, user_id)
        user = SourceUser(
            id=user_id, attributes=attributes, assigned=assigned, soft_deleted_at=soft_deleted_at
        )
        self.users[user_id] = user
        if soft_deleted_at is not None:
            self._soft_deleted[user_id] = soft_deleted_at
        self._touch(user_id)
        return user

    @synchronized
    def update_user(self, user_id: str, **graph_attributes: Any) -> None:
        """Set attributes; a value of None removes the attribute (Graph's null)."""
        user = self.user(user_id)
        changed = False
        for name, value in graph_attributes.items():
            if name == "userPrincipalName" and value != user.user_principal_name:
                check_upn(value)
                old = user.user_principal_name
                live = user.soft_deleted_at is None and not user.hard_deleted
                if live and (old is None or old.casefold() != value.casefold()):
                    self._upns.claim(value, user.id)  # raises before anything changes if the UPN is taken
                    self._upns.release(old, user.id)
            if value is None:
                if name in user.attributes:
                    del user.attributes[name]
                    changed = True
            elif user.attributes.get(name, _MISSING) != value:
                user.attributes[name] = value
                changed = True
        if changed:
            self._touch(user_id)

    def assign_user(self, user_id: str) -> None:
        self._assign(user_id, True)

    def unassign_user(self, user_id: str) -> None:
        self._assign(user_id, False)

    @synchronized
    def _assign(self, user_id: str, assigned: bool) -> None:
        user = self.user(user_id)
        if user.assigned != assigned:
            user.assigned = assigned
            self._touch(user_id)

    @synchronized
    def soft_delete(self, user_id: str) -> None:
        user = self.user(user_id)
        if user.hard_deleted:
            raise TenantError(f"user {user_id} is permanently deleted")
        if user.soft_deleted_at is not None:
            return
        user.soft_deleted_at = self.clock.now()
        self._soft_deleted[user_id] = user.soft_deleted_at
        self._upns.release(user.user_principal_name, user.id)
        self._touch(user_id)

    @synchronized
    def restore(self, user_id: str) -> None:
        user = self.user(user_id)
        if user.hard_deleted:
            raise TenantError(f"user {user_id} is permanently deleted and cannot be restored")
        if user.soft_deleted_at is None:
            return
        # Entra refuses a restore whose UPN was taken meanwhile; so does UpnIndex.claim.
        if user.user_principal_name is not None:
            self._upns.claim(user.user_principal_name, user_id)
        user.soft_deleted_at = None
        del self._soft_deleted[user_id]
        self._touch(user_id)

    @synchronized
    def hard_delete(self, user_id: str) -> None:
        """Purge the user now (recycle bin or not); the record stays, flagged, for the engine to see."""
        user = self.user(user_id)
        if user.hard_deleted:
            return
        self._upns.release(user.user_principal_name, user.id)
        user.hard_deleted = True
        self._soft_deleted.pop(user_id, None)
        self._touch(user_id)

    @synchronized
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

    @synchronized
    def set_scope(self, scope: Scope) -> None:
        """Sync only assigned users and groups, or all; everything counts as changed (a new initial cycle)."""
        if scope not in SCOPES:
            raise TenantError(f"scope must be 'assigned' or 'all', not {scope!r}")
        self.scope = scope
        for object_id in (*self.users, *self.groups):
            self._touch(object_id)

    @synchronized
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
        return self.scoping_filter is None or self.scoping_filter.matches(
            {**user.attributes, "objectId": user.id}
        )

    def is_soft_deleted(self, user_id: str) -> bool:
        """Entra's IsSoftDeleted: true for each of the four deprovisioning events."""
        user = self.user(user_id)
        return not self.in_scope(user_id) or is_false(user.attributes.get("accountEnabled", True))

    @synchronized
    def source_view(self, user_id: str) -> dict[str, Any]:
        """The attributes a mapping expression can reference for this user."""
        user = self.user(user_id)
        view = dict(user.attributes)
        view["objectId"] = user.id
        view["IsSoftDeleted"] = self.is_soft_deleted(user_id)
        return view

    # -- files (simulator.tenant_file) ----------------------------------------------------------------------

    @classmethod
    def from_graph_json(cls, data: Mapping[str, Any], clock: Clock) -> Tenant:
        """Build a tenant from Graph's JSON shape (`simulator.tenant_file`, docs/simulator-source.md)."""
        header = tenant_file.read_header(data)
        tenant = cls(clock, scope=header.scope, scoping_filter=header.scoping_filter)
        tenant_file.fill(tenant, header)
        return tenant

    @classmethod
    def load(cls, path: str | Path, clock: Clock) -> Tenant:
        return cls.from_graph_json(tenant_file.read(path), clock)

    @synchronized
    def to_graph_json(self) -> dict[str, Any]:
        """The full tenant file shape. Hard-deleted users are gone from Graph, so they are left out."""
        return tenant_file.to_graph_json(self)

    def save(self, path: str | Path) -> None:
        tenant_file.save(self, path)


_MISSING = object()
