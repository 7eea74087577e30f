"""Kintone's users and the deleted-user tombstones, read with typed queries (UserQuery), never with SQL text
from outside the store.

The login-name uniqueness check is in code rather than a UNIQUE index only so the allow_duplicate_login_names
switch can break it; it runs in the write's own transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from typing import Any

from scim_harness.emulator.store.connection import Connection

SQL_INT_MAX = 2**63 - 1
PAGE_SIZE = 256
"""Rows read at once when a caller walks many users (scan)."""


def _fits(value: int) -> bool:
    return 0 <= value <= SQL_INT_MAX


class DuplicateLoginName(Exception):
    """Another user already has this login name (compared without letter case)."""


class VersionMismatch(Exception):
    """The stored user changed since the version the writer read."""


@dataclass(frozen=True)
class UserValues:
    """What Kintone keeps of a user: login name, external id, names, e-mail address and status."""

    user_name: str
    external_id: str | None = None
    display_name: str | None = None
    family_name: str | None = None
    given_name: str | None = None
    email: str | None = None
    active: bool = True


@dataclass(frozen=True)
class UserRecord:
    id: int
    user_name: str
    external_id: str | None
    display_name: str | None
    family_name: str | None
    given_name: str | None
    email: str | None
    active: bool
    created: str
    modified: str
    version: int
    origin: str
    """"scim" when provisioning created the user, "admin" when an administrator did."""
    scim_linked: bool
    """Provisioning created or changed this user, so an admin deletion leaves a tombstone."""

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> UserRecord:
        values = {name: row[name] for name in _RECORD_FIELDS}
        values["active"] = bool(values["active"])
        values["scim_linked"] = bool(values["scim_linked"])
        return cls(**values)

    def values(self) -> UserValues:
        return UserValues(**{name: getattr(self, name) for name in _VALUE_FIELDS})


_RECORD_FIELDS = tuple(f.name for f in fields(UserRecord))
_VALUE_FIELDS = tuple(f.name for f in fields(UserValues))


@dataclass(frozen=True)
class UserQuery:
    """Which users to read. Each field left at its default does not narrow the query; the set ones all hold.

    Login names are compared without letter case as SQLite's lower() does it (ASCII letters only), which is
    what the users_user_name_lower index serves.
    """

    user_id: int | None = None
    ids: Sequence[int] | None = None
    """Any of these ids; an empty sequence matches nothing."""
    login: str | None = None
    login_exact_case: bool = False
    """With login: the letter case must match too."""
    logins: Sequence[str] | None = None
    """Any of these login names (without case); an empty sequence matches nothing."""
    external_id: str | None = None
    only_active: bool = False
    hide_unlinked_admin_users: bool = False
    """Leave out users an administrator created that provisioning never touched."""

    def where(self) -> tuple[str, list[Any]]:
        conditions: list[str] = []
        params: list[Any] = []
        if self.user_id is not None:
            conditions.append("id = ?" if _fits(self.user_id) else "0")
            params.extend([self.user_id] if _fits(self.user_id) else [])
        if self.ids is not None:
            ids = [i for i in self.ids if _fits(i)]  # an id beyond SQLite's integers matches nothing
            conditions.append(f"id IN ({','.join('?' * len(ids))})" if ids else "0")
            params.extend(ids)
        if self.login is not None:
            conditions.append("lower(user_name) = lower(?)")
            params.append(self.login)
            if self.login_exact_case:
                conditions.append("user_name = ?")
                params.append(self.login)
        if self.logins is not None:
            placeholders = ",".join(["lower(?)"] * len(self.logins))
            conditions.append(f"lower(user_name) IN ({placeholders})" if self.logins else "0")
            params.extend(self.logins)
        if self.external_id is not None:
            conditions.append("external_id = ?")
            params.append(self.external_id)
        if self.only_active:
            conditions.append("active = 1")
        if self.hide_unlinked_admin_users:
            conditions.append("NOT (origin = 'admin' AND scim_linked = 0)")
        return (" WHERE " + " AND ".join(conditions) if conditions else ""), params


class UserTable:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    # -- reads ---------------------------------------------------------------

    def get(self, user_id: int) -> UserRecord | None:
        if not _fits(user_id):
            return None
        rows = self._db.rows("SELECT * FROM users WHERE id = ?", (user_id,))
        return UserRecord.from_row(rows[0]) if rows else None

    def find(self, query: UserQuery, *, offset: int = 0, limit: int | None = None) -> list[UserRecord]:
        """The matching users in id order, from offset, at most limit of them (an offset or limit past what
        SQLite counts is taken as its largest)."""
        where, params = query.where()
        sql = f"SELECT * FROM users{where} ORDER BY id"
        if limit is not None or offset:
            sql += " LIMIT ? OFFSET ?"
            params += [-1 if limit is None else min(limit, SQL_INT_MAX), min(max(offset, 0), SQL_INT_MAX)]
        return [UserRecord.from_row(row) for row in self._db.rows(sql, tuple(params))]

    def scan(self, query: UserQuery, *, page_size: int = PAGE_SIZE) -> Iterator[list[UserRecord]]:
        """The matching users in id order, a page at a time (the lock is held for one page only, so a caller
        may hand the event loop back between pages; a user written meanwhile is seen or not by id)."""
        where, params = query.where()
        joiner = " AND " if where else " WHERE "
        after = 0
        while True:
            sql = f"SELECT * FROM users{where}{joiner}id > ? ORDER BY id LIMIT ?"
            rows = self._db.rows(sql, (*params, after, page_size))
            if not rows:
                return
            page = [UserRecord.from_row(row) for row in rows]
            yield page
            after = page[-1].id

    def first(self, query: UserQuery) -> UserRecord | None:
        found = self.find(query, limit=1)
        return found[0] if found else None

    def count(self, query: UserQuery) -> int:
        where, params = query.where()
        return int(self._db.rows(f"SELECT COUNT(*) FROM users{where}", tuple(params))[0][0])

    def explain(self, query: UserQuery) -> list[str]:
        """SQLite's plan for `find(query)`: the bench and the tests check that the index serves lookups."""
        where, params = query.where()
        rows = self._db.rows(f"EXPLAIN QUERY PLAN SELECT * FROM users{where} ORDER BY id", tuple(params))
        return [row["detail"] for row in rows]

    # -- writes --------------------------------------------------------------

    @staticmethod
    def _check_login_free(conn: sqlite3.Connection, login: str, user_id: int | None) -> None:
        taken = conn.execute(
            "SELECT id FROM users WHERE lower(user_name) = lower(?) AND id IS NOT ?", (login, user_id)
        ).fetchone()
        if taken is not None:
            raise DuplicateLoginName(login)

    @staticmethod
    def _insert(conn: sqlite3.Connection, values: UserValues, origin: str, now: str) -> int:
        row = {name: getattr(values, name) for name in _VALUE_FIELDS}
        row["active"] = 1 if values.active else 0
        cursor = conn.execute(
            "INSERT INTO users (user_name, external_id, display_name, family_name, given_name, email, active,"
            " created, modified, version, origin, scim_linked)"
            " VALUES (:user_name, :external_id, :display_name, :family_name, :given_name, :email, :active,"
            " :now, :now, 1, :origin, :linked)",
            {**row, "now": now, "origin": origin, "linked": 1 if origin == "scim" else 0},
        )
        return int(cursor.lastrowid)  # type: ignore[arg-type]

    def insert(
        self, values: UserValues, *, origin: str, now: str, allow_duplicates: bool = False
    ) -> UserRecord:
        with self._db.transaction() as conn:
            if not allow_duplicates:
                self._check_login_free(conn, values.user_name, None)
            user_id = self._insert(conn, values, origin, now)
        return self.get(user_id)  # type: ignore[return-value]

    def insert_all(self, users: Sequence[UserValues], *, origin: str, now: str) -> list[UserRecord]:
        """All or nothing, as Kintone's bulk calls are; a taken or repeated login name writes none."""
        with self._db.transaction() as conn:
            ids = []
            for values in users:
                self._check_login_free(conn, values.user_name, None)
                ids.append(self._insert(conn, values, origin, now))
        return [self.get(user_id) for user_id in ids]  # type: ignore[misc]

    def bulk_load(self, users: Iterable[UserValues], *, now: str) -> None:
        """Many provisioned users at once, unchecked (benchmarks and load tests fill a database this way)."""
        rows = (
            (
                v.user_name,
                v.external_id,
                v.display_name,
                v.family_name,
                v.given_name,
                v.email,
                int(v.active),
                now,
                now,
            )
            for v in users
        )
        with self._db.transaction() as conn:
            conn.executemany(
                "INSERT INTO users (user_name, external_id, display_name, family_name, given_name, email,"
                " active, created, modified, version, origin, scim_linked)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 'scim', 1)",
                rows,
            )

    def update(
        self,
        user_id: int,
        values: UserValues,
        *,
        now: str,
        scim: bool,
        allow_duplicates: bool = False,
        expected_version: int | None = None,
    ) -> UserRecord | None:
        """The user's new state; None when there is no such user. VersionMismatch when it changed since
        expected_version; DuplicateLoginName when the new login name is another user's."""
        row = {name: getattr(values, name) for name in _VALUE_FIELDS}
        row["active"] = 1 if values.active else 0
        with self._db.transaction() as conn:
            stored = conn.execute("SELECT version FROM users WHERE id = ?", (user_id,)).fetchone()
            if stored is None:
                return None
            if expected_version is not None and stored["version"] != expected_version:
                raise VersionMismatch(user_id)
            if not allow_duplicates:
                self._check_login_free(conn, values.user_name, user_id)
            conn.execute(
                "UPDATE users SET user_name = :user_name, external_id = :external_id,"
                " display_name = :display_name, family_name = :family_name, given_name = :given_name,"
                " email = :email, active = :active, modified = :now, version = version + 1,"
                " scim_linked = MAX(scim_linked, :linked) WHERE id = :id",
                {**row, "now": now, "id": user_id, "linked": 1 if scim else 0},
            )
        return self.get(user_id)

    def delete(self, user_id: int, *, expected_version: int | None = None) -> bool:
        """False when there is no such user; VersionMismatch when it changed since expected_version."""
        with self._db.transaction() as conn:
            stored = conn.execute("SELECT version FROM users WHERE id = ?", (user_id,)).fetchone()
            if stored is None:
                return False
            if expected_version is not None and stored["version"] != expected_version:
                raise VersionMismatch(user_id)
            conn.execute("DELETE FROM users WHERE id = ?", (user_id,))
        return True

    def delete_as_admin(self, records: Sequence[UserRecord], tombstoned: Sequence[str], *, now: str) -> None:
        """An administrator's deletion of several users, leaving tombstones for the given login names: one
        transaction, so a failure deletes nobody."""
        with self._db.transaction() as conn:
            for record in records:
                conn.execute("DELETE FROM users WHERE id = ?", (record.id,))
            for login in tombstoned:
                conn.execute(
                    "INSERT OR REPLACE INTO tombstones (user_name_key, deleted_at) VALUES (lower(?), ?)",
                    (login, now),
                )


class TombstoneTable:
    """Login names of provisioned users an administrator deleted (compared without letter case)."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def contains(self, login: str) -> bool:
        return bool(self._db.rows("SELECT 1 FROM tombstones WHERE user_name_key = lower(?)", (login,)))

    def clear(self) -> None:
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM tombstones")
