"""The one SQLite connection, its schema and its transactions.

One connection guarded by a lock, and every write in a BEGIN IMMEDIATE transaction: a uniqueness check and the
write it guards are one step, even across processes, so concurrent creates of one login make one user.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

MEMORY = ":memory:"

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
CREATE TABLE IF NOT EXISTS scim_users (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    external_id TEXT,
    document TEXT NOT NULL,
    created TEXT NOT NULL,
    modified TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS scim_users_name_lower ON scim_users (lower(name));
CREATE INDEX IF NOT EXISTS scim_users_external_id ON scim_users (external_id);
CREATE TABLE IF NOT EXISTS scim_groups (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    external_id TEXT,
    document TEXT NOT NULL,
    created TEXT NOT NULL,
    modified TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS scim_groups_name_lower ON scim_groups (lower(name));
CREATE INDEX IF NOT EXISTS scim_groups_external_id ON scim_groups (external_id);
CREATE TABLE IF NOT EXISTS scim_memberships (
    group_id TEXT NOT NULL,
    value TEXT NOT NULL,
    position INTEGER NOT NULL,
    member TEXT NOT NULL,
    PRIMARY KEY (group_id, value)
);
CREATE INDEX IF NOT EXISTS scim_memberships_value ON scim_memberships (value);
"""

TABLES = ("users", "tombstones", "tokens", "settings", "scim_users", "scim_groups", "scim_memberships")


class Connection:
    def __init__(self, path: str) -> None:
        self.path = path
        self.lock = threading.RLock()
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        if path != MEMORY:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(SCHEMA)

    def close(self) -> None:
        with self.lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def rows(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        with self.lock:
            return self._conn.execute(sql, params).fetchall()

    def dump(self) -> str:
        """The whole database as SQL text (tests check that no secret is stored in clear)."""
        with self.lock:
            return "\n".join(self._conn.iterdump())

    def wipe(self) -> None:
        with self.transaction() as conn:
            for table in TABLES:
                conn.execute(f"DELETE FROM {table}")
