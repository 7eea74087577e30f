"""The generic profile's resources: users and groups as JSON documents beside indexed columns, and group
memberships as rows (so adding a member twice is one membership, and deleting a user leaves no group holding
it).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from scim_harness.emulator.store.connection import Connection
from scim_harness.emulator.store.users import PAGE_SIZE, SQL_INT_MAX, VersionMismatch

Kind = Literal["user", "group"]
_TABLES: dict[Kind, str] = {"user": "scim_users", "group": "scim_groups"}


class DuplicateName(Exception):
    """Another resource of the kind already has this unique name (compared without letter case)."""


@dataclass(frozen=True)
class ResourceRecord:
    id: str
    name: str
    """userName of a user, displayName of a group."""
    external_id: str | None
    document: dict[str, Any]
    """The resource's attributes as JSON, without id, meta and (for a group) members."""
    created: str
    modified: str
    version: int
    members: tuple[dict[str, Any], ...] = ()
    """A group's members, in the order they were added."""


@dataclass(frozen=True)
class ResourceQuery:
    """Which resources to read; each field left at None does not narrow the query."""

    resource_id: str | None = None
    name: str | None = None
    """Compared without letter case (ASCII, as SQLite's lower())."""
    external_id: str | None = None

    def where(self) -> tuple[str, list[Any]]:
        conditions: list[str] = []
        params: list[Any] = []
        if self.resource_id is not None:
            conditions.append("id = ?")
            params.append(self.resource_id)
        if self.name is not None:
            conditions.append("lower(name) = lower(?)")
            params.append(self.name)
        if self.external_id is not None:
            conditions.append("external_id = ?")
            params.append(self.external_id)
        return (" WHERE " + " AND ".join(conditions) if conditions else ""), params


class ResourceTable:
    """Users or groups of the generic profile. Ids are random UUIDs; listings come in creation order."""

    def __init__(self, connection: Connection, kind: Kind, *, unique_names: bool) -> None:
        self._db = connection
        self.kind = kind
        self._table = _TABLES[kind]
        self._unique_names = unique_names

    def _record(self, conn: sqlite3.Connection | None, row: sqlite3.Row) -> ResourceRecord:
        members: tuple[dict[str, Any], ...] = ()
        if self.kind == "group":
            sql = "SELECT member FROM scim_memberships WHERE group_id = ? ORDER BY position"
            rows = conn.execute(sql, (row["id"],)).fetchall() if conn else self._db.rows(sql, (row["id"],))
            members = tuple(json.loads(member["member"]) for member in rows)
        return ResourceRecord(
            id=row["id"],
            name=row["name"],
            external_id=row["external_id"],
            document=json.loads(row["document"]),
            created=row["created"],
            modified=row["modified"],
            version=row["version"],
            members=members,
        )

    def get(self, resource_id: str) -> ResourceRecord | None:
        rows = self._db.rows(f"SELECT * FROM {self._table} WHERE id = ?", (resource_id,))
        return self._record(None, rows[0]) if rows else None

    def find(
        self, query: ResourceQuery, *, offset: int = 0, limit: int | None = None
    ) -> list[ResourceRecord]:
        """In creation order, from offset, at most limit (beyond SQLite's integers: its largest)."""
        where, params = query.where()
        sql = f"SELECT * FROM {self._table}{where} ORDER BY rowid LIMIT ? OFFSET ?"
        limit = -1 if limit is None else min(limit, SQL_INT_MAX)
        rows = self._db.rows(sql, (*params, limit, min(max(offset, 0), SQL_INT_MAX)))
        return [self._record(None, row) for row in rows]

    def scan(self, query: ResourceQuery, *, page_size: int = PAGE_SIZE) -> Iterator[list[ResourceRecord]]:
        """The matching resources in creation order, a page at a time (the lock is held per page)."""
        where, params = query.where()
        joiner = " AND " if where else " WHERE "
        after = 0
        while True:
            sql = (
                f"SELECT rowid AS scan_rowid, * FROM {self._table}{where}{joiner}rowid > ?"
                " ORDER BY rowid LIMIT ?"
            )
            rows = self._db.rows(sql, (*params, after, page_size))
            if not rows:
                return
            yield [self._record(None, row) for row in rows]
            after = rows[-1]["scan_rowid"]

    def count(self, query: ResourceQuery) -> int:
        where, params = query.where()
        return int(self._db.rows(f"SELECT COUNT(*) FROM {self._table}{where}", tuple(params))[0][0])

    def _check_name_free(self, conn: sqlite3.Connection, name: str, resource_id: str | None) -> None:
        if not self._unique_names:
            return
        sql = f"SELECT 1 FROM {self._table} WHERE lower(name) = lower(?) AND id IS NOT ?"
        if conn.execute(sql, (name, resource_id)).fetchone() is not None:
            raise DuplicateName(name)

    @staticmethod
    def _write_members(conn: sqlite3.Connection, group_id: str, members: Sequence[dict[str, Any]]) -> None:
        conn.execute("DELETE FROM scim_memberships WHERE group_id = ?", (group_id,))
        for position, member in enumerate(members):
            conn.execute(
                "INSERT OR IGNORE INTO scim_memberships (group_id, value, position, member)"
                " VALUES (?, ?, ?, ?)",
                (group_id, str(member.get("value")), position, json.dumps(member)),
            )

    def insert(
        self,
        name: str,
        external_id: str | None,
        document: dict[str, Any],
        *,
        now: str,
        members: Sequence[dict[str, Any]] = (),
        allow_duplicates: bool = False,
    ) -> ResourceRecord:
        resource_id = uuid.uuid4().hex
        with self._db.transaction() as conn:
            if not allow_duplicates:
                self._check_name_free(conn, name, None)
            conn.execute(
                f"INSERT INTO {self._table} (id, name, external_id, document, created, modified, version)"
                " VALUES (?, ?, ?, ?, ?, ?, 1)",
                (resource_id, name, external_id, json.dumps(document), now, now),
            )
            if self.kind == "group":
                self._write_members(conn, resource_id, members)
        return self.get(resource_id)  # type: ignore[return-value]

    def update(
        self,
        resource_id: str,
        name: str,
        external_id: str | None,
        document: dict[str, Any],
        *,
        now: str,
        members: Sequence[dict[str, Any]] | None = None,
        expected_version: int | None = None,
        allow_duplicates: bool = False,
    ) -> ResourceRecord | None:
        """The new state; None when there is no such resource. Members None leaves them as they are."""
        with self._db.transaction() as conn:
            stored = conn.execute(
                f"SELECT version FROM {self._table} WHERE id = ?", (resource_id,)
            ).fetchone()
            if stored is None:
                return None
            if expected_version is not None and stored["version"] != expected_version:
                raise VersionMismatch(resource_id)
            if not allow_duplicates:
                self._check_name_free(conn, name, resource_id)
            conn.execute(
                f"UPDATE {self._table} SET name = ?, external_id = ?, document = ?, modified = ?,"
                " version = version + 1 WHERE id = ?",
                (name, external_id, json.dumps(document), now, resource_id),
            )
            if self.kind == "group" and members is not None:
                self._write_members(conn, resource_id, members)
        return self.get(resource_id)

    def delete(self, resource_id: str, *, expected_version: int | None = None) -> bool:
        """False when there is no such resource. A deleted user leaves every group it was in."""
        with self._db.transaction() as conn:
            stored = conn.execute(
                f"SELECT version FROM {self._table} WHERE id = ?", (resource_id,)
            ).fetchone()
            if stored is None:
                return False
            if expected_version is not None and stored["version"] != expected_version:
                raise VersionMismatch(resource_id)
            conn.execute(f"DELETE FROM {self._table} WHERE id = ?", (resource_id,))
            column = "value" if self.kind == "user" else "group_id"
            conn.execute(f"DELETE FROM scim_memberships WHERE {column} = ?", (resource_id,))
        return True

    def has_member(self, group_id: str, value: str) -> bool:
        sql = "SELECT 1 FROM scim_memberships WHERE group_id = ? AND value = ?"
        return bool(self._db.rows(sql, (group_id, value)))
