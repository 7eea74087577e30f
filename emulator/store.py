"""SQLite persistence: users, deleted-user tombstones, API token hashes and the Provisioning page settings.

One connection guarded by a lock, and every write in a BEGIN IMMEDIATE transaction: the login-name uniqueness
check and the write are one step, even across processes, so concurrent creates of one login make one user.
The check is in code rather than a UNIQUE index only so the allow_duplicate_login_names switch can break it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_name TEXT NOT NULL,
    external_id TEXT,
    display_name TEXT,
    family_name TEXT,
    given_name TEXT,
    email TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    created TEXT NOT NULL,
    modified TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    origin TEXT NOT NULL,
    scim_linked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS users_user_name_lower ON users (lower(user_name));
CREATE INDEX IF NOT EXISTS users_external_id ON users (external_id);
CREATE TABLE IF NOT EXISTS tombstones (
    user_name_key TEXT PRIMARY KEY,
    deleted_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL,
    notes TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    enabled INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE IF NOT EXISTS settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

USER_FIELDS = ("user_name", "external_id", "display_name", "family_name", "given_name", "email", "active")


class DuplicateLoginName(Exception):
    """Another user already has this login name (compared without letter case)."""


@dataclass
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
        values = {f.name: row[f.name] for f in fields(cls)}
        values["active"] = bool(values["active"])
        values["scim_linked"] = bool(values["scim_linked"])
        return cls(**values)


@dataclass
class TokenRecord:
    id: str
    token_hash: str
    notes: str
    created_at: str
    expires_at: str | None
    enabled: bool


class Database:
    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        if path != ":memory:":
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    # -- users ---------------------------------------------------------------

    @staticmethod
    def _check_login_free(conn: sqlite3.Connection, login: Any, user_id: int | None) -> None:
        taken = conn.execute(
            "SELECT id FROM users WHERE lower(user_name) = lower(?) AND id IS NOT ?", (login, user_id)
        ).fetchone()
        if taken is not None:
            raise DuplicateLoginName(login)

    def insert_user(
        self, values: dict[str, Any], *, origin: str, now: str, allow_duplicates: bool = False
    ) -> UserRecord:
        row = {name: values.get(name) for name in USER_FIELDS}
        row["active"] = 1 if values.get("active", True) is not False else 0
        try:
            with self.transaction() as conn:
                if not allow_duplicates:
                    self._check_login_free(conn, row["user_name"], None)
                cursor = conn.execute(
                    "INSERT INTO users (user_name, external_id, display_name, family_name, given_name, email,"
                    " active, created, modified, version, origin, scim_linked)"
                    " VALUES (:user_name, :external_id, :display_name, :family_name, :given_name, :email,"
                    " :active, :now, :now, 1, :origin, :linked)",
                    {**row, "now": now, "origin": origin, "linked": 1 if origin == "scim" else 0},
                )
                user_id = cursor.lastrowid
        except sqlite3.IntegrityError as exc:
            raise DuplicateLoginName(values.get("user_name")) from exc
        return self.get_user(int(user_id))  # type: ignore[arg-type,return-value]

    def update_user(
        self, user_id: int, values: dict[str, Any], *, now: str, scim: bool, allow_duplicates: bool = False
    ) -> UserRecord | None:
        assignments = {name: values[name] for name in USER_FIELDS if name in values}
        if "active" in assignments:
            assignments["active"] = 1 if assignments["active"] else 0
        sets = ", ".join(f"{name} = :{name}" for name in assignments)
        sets = f"{sets}, " if sets else ""
        try:
            with self.transaction() as conn:
                if "user_name" in assignments and not allow_duplicates:
                    self._check_login_free(conn, assignments["user_name"], user_id)
                conn.execute(
                    f"UPDATE users SET {sets}modified = :now, version = version + 1,"
                    " scim_linked = MAX(scim_linked, :linked) WHERE id = :id",
                    {**assignments, "now": now, "id": user_id, "linked": 1 if scim else 0},
                )
        except sqlite3.IntegrityError as exc:
            raise DuplicateLoginName(values.get("user_name")) from exc
        return self.get_user(user_id)

    def get_user(self, user_id: int) -> UserRecord | None:
        rows = self._query("SELECT * FROM users WHERE id = ?", (user_id,))
        return UserRecord.from_row(rows[0]) if rows else None

    def find_by_login(self, login: str, *, case_sensitive: bool = False) -> UserRecord | None:
        sql = "SELECT * FROM users WHERE lower(user_name) = lower(?)"
        params: tuple[Any, ...] = (login,)
        if case_sensitive:
            sql += " AND user_name = ?"
            params = (login, login)
        rows = self._query(sql + " ORDER BY id", params)
        return UserRecord.from_row(rows[0]) if rows else None

    def select_users(self, where: str = "", params: tuple[Any, ...] = ()) -> list[UserRecord]:
        sql = "SELECT * FROM users" + (f" WHERE {where}" if where else "") + " ORDER BY id"
        return [UserRecord.from_row(row) for row in self._query(sql, params)]

    def page_users(
        self, where: str, params: tuple[Any, ...], offset: int, limit: int | None
    ) -> list[UserRecord]:
        sql = "SELECT * FROM users" + (f" WHERE {where}" if where else "") + " ORDER BY id LIMIT ? OFFSET ?"
        rows = self._query(sql, (*params, -1 if limit is None else limit, offset))
        return [UserRecord.from_row(row) for row in rows]

    def count_users(self, where: str = "", params: tuple[Any, ...] = ()) -> int:
        sql = "SELECT COUNT(*) FROM users" + (f" WHERE {where}" if where else "")
        return int(self._query(sql, params)[0][0])

    def delete_user(self, user_id: int) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM users WHERE id = ?", (user_id,))

    def explain(self, sql: str, params: tuple[Any, ...]) -> list[str]:
        return [row["detail"] for row in self._query(f"EXPLAIN QUERY PLAN {sql}", params)]

    # -- tombstones ----------------------------------------------------------

    def add_tombstone(self, login: str, *, now: str) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO tombstones (user_name_key, deleted_at) VALUES (lower(?), ?)",
                (login, now),
            )

    def is_tombstoned(self, login: str) -> bool:
        return bool(self._query("SELECT 1 FROM tombstones WHERE user_name_key = lower(?)", (login,)))

    def clear_tombstones(self) -> None:
        with self.transaction() as conn:
            conn.execute("DELETE FROM tombstones")

    # -- tokens --------------------------------------------------------------

    def insert_token(self, token: TokenRecord) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO tokens (id, token_hash, notes, created_at, expires_at, enabled)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    token.id,
                    token.token_hash,
                    token.notes,
                    token.created_at,
                    token.expires_at,
                    int(token.enabled),
                ),
            )

    def tokens(self) -> list[TokenRecord]:
        rows = self._query("SELECT * FROM tokens ORDER BY created_at, id")
        return [
            TokenRecord(
                id=row["id"],
                token_hash=row["token_hash"],
                notes=row["notes"],
                created_at=row["created_at"],
                expires_at=row["expires_at"],
                enabled=bool(row["enabled"]),
            )
            for row in rows
        ]

    def set_token_enabled(self, token_id: str, enabled: bool) -> bool:
        with self.transaction() as conn:
            cursor = conn.execute("UPDATE tokens SET enabled = ? WHERE id = ?", (int(enabled), token_id))
            return cursor.rowcount > 0

    def set_token_expiry(self, token_id: str, expires_at: str | None) -> bool:
        with self.transaction() as conn:
            cursor = conn.execute("UPDATE tokens SET expires_at = ? WHERE id = ?", (expires_at, token_id))
            return cursor.rowcount > 0

    def delete_token(self, token_id: str) -> bool:
        with self.transaction() as conn:
            return conn.execute("DELETE FROM tokens WHERE id = ?", (token_id,)).rowcount > 0

    # -- settings ------------------------------------------------------------

    def get_setting(self, key: str, default: Any) -> Any:
        rows = self._query("SELECT value FROM settings WHERE key = ?", (key,))
        return json.loads(rows[0]["value"]) if rows else default

    def set_setting(self, key: str, value: Any) -> None:
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, json.dumps(value))
            )

    def reset(self) -> None:
        with self.transaction() as conn:
            for table in ("users", "tombstones", "tokens", "settings"):
                conn.execute(f"DELETE FROM {table}")
