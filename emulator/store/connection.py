"""The one SQLite connection, its schema and its transactions.

One connection guarded by a lock, and every write in a BEGIN IMMEDIATE transaction: a uniqueness check and the
write it guards are one step, so concurrent creates of one login make one user.

One process per database file: the emulator reads a user, lets scim2-models apply a PATCH, and writes the
result, and keeps its rule switches, clock and allow list in memory; two processes on one file lost 89 of 200
concurrent updates. So a file database is held with an exclusive lock (flock on `FILE.lock`, released by the
system when the process ends, even by kill -9), and a second opener gets DatabaseInUse naming the holder.

A value SQLite cannot bind (an integer beyond 64 bits, a string holding a lone UTF-16 surrogate) is
UnstorableValue, which the adapters answer with 400, never 500.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

MEMORY = ":memory:"


def _resource_table(table: str) -> str:
    """The generic profile's users and groups share one table shape: the SCIM document as JSON, the name and
    externalId beside it for uniqueness checks and filters, and a version for ETags."""
    return f"""
CREATE TABLE IF NOT EXISTS {table} (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    external_id TEXT,
    document TEXT NOT NULL,
    created TEXT NOT NULL,
    modified TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS {table}_name_lower ON {table} (lower(name));
CREATE INDEX IF NOT EXISTS {table}_external_id ON {table} (external_id);
"""


SCHEMA = (
    """
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
    + _resource_table("scim_users")
    + _resource_table("scim_groups")
    + """
CREATE TABLE IF NOT EXISTS scim_memberships (
    group_id TEXT NOT NULL,
    value TEXT NOT NULL,
    position INTEGER NOT NULL,
    member TEXT NOT NULL,
    PRIMARY KEY (group_id, value)
);
CREATE INDEX IF NOT EXISTS scim_memberships_value ON scim_memberships (value);
"""
)

TABLES = ("users", "tombstones", "tokens", "settings", "scim_users", "scim_groups", "scim_memberships")


class DatabaseInUse(RuntimeError):
    """Another process (or another emulator in this one) holds the database file."""


class UnstorableValue(ValueError):
    """A value SQLite cannot bind: an integer beyond 64 bits, or text that is not valid Unicode."""


def _hold(path: str) -> int:
    """The file descriptor of `path`.lock, locked exclusively; DatabaseInUse when someone else holds it."""
    lock_path = f"{path}.lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
        os.close(fd)
        raise DatabaseInUse(
            f"the database {path} is in use by another emulator (process {holder}); one process per "
            "database file, or updates would be lost: stop it or use another --db"
        ) from None
    except OSError:
        os.close(fd)
        raise
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)
    return fd


class Connection:
    def __init__(self, path: str) -> None:
        self.path = path
        self.lock = threading.RLock()
        self._held = _hold(path) if path != MEMORY else None
        try:
            self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._conn.row_factory = sqlite3.Row
            if path != MEMORY:
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.executescript(SCHEMA)
        except BaseException:
            self._release()
            raise

    def _release(self) -> None:
        if self._held is not None:
            os.close(self._held)  # closing the descriptor drops the lock
            self._held = None

    def close(self) -> None:
        with self.lock:
            self._conn.close()
            self._release()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except (OverflowError, UnicodeEncodeError) as exc:
                self._conn.execute("ROLLBACK")
                raise UnstorableValue(_unstorable(exc)) from exc
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def rows(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        with self.lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except (OverflowError, UnicodeEncodeError) as exc:
                raise UnstorableValue(_unstorable(exc)) from exc

    def dump(self) -> str:
        """The whole database as SQL text (tests check that no secret is stored in clear)."""
        with self.lock:
            return "\n".join(self._conn.iterdump())

    def wipe(self) -> None:
        with self.transaction() as conn:
            for table in TABLES:
                conn.execute(f"DELETE FROM {table}")


def _unstorable(exc: Exception) -> str:
    if isinstance(exc, OverflowError):
        return "A number is too large (at most 2^63 - 1)."
    return "A text holds a lone UTF-16 surrogate, which is not valid Unicode."
