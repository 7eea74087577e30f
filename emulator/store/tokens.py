"""API token hashes and the Provisioning page's settings (JSON values by key).

Both are read on every SCIM request (the token check, Propagate Provisioning) and written rarely, so their
reads are kept in memory until the next write through these tables or Database.reset (`TableMemo`): the
emulator is the only writer of its file (one process per database file, store.connection).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from scim_harness.emulator.store.connection import Connection

T = TypeVar("T")


@dataclass(frozen=True)
class TokenRecord:
    id: str
    token_hash: str
    notes: str
    created_at: str
    expires_at: str | None
    enabled: bool


class TableMemo:
    """Values read from one table, by key, until `forget` (called after every write to the table). A read
    that raced a write is not kept: each write moves the generation on."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generation = 0
        self._values: dict[Any, Any] = {}

    def get(self, key: Any, load: Callable[[], T]) -> T:
        with self._lock:
            if key in self._values:
                return self._values[key]  # type: ignore[no-any-return]
            generation = self._generation
        value = load()
        with self._lock:
            if generation == self._generation:
                self._values[key] = value
        return value

    def forget(self) -> None:
        with self._lock:
            self._generation += 1
            self._values = {}


@contextmanager
def _writing(db: Connection, memo: TableMemo) -> Iterator[sqlite3.Connection]:
    """A write transaction; the memo forgets once it is over, committed or not."""
    try:
        with db.transaction() as conn:
            yield conn
    finally:
        memo.forget()


class TokenTable:
    def __init__(self, connection: Connection) -> None:
        self._db = connection
        self.memo = TableMemo()

    def insert(self, token: TokenRecord) -> None:
        with _writing(self._db, self.memo) as conn:
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

    def all(self) -> list[TokenRecord]:
        return list(self.memo.get("all", self._all))

    def _all(self) -> list[TokenRecord]:
        rows = self._db.rows("SELECT * FROM tokens ORDER BY created_at, id")
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

    def get(self, token_id: str) -> TokenRecord | None:
        return next((token for token in self.all() if token.id == token_id), None)

    def count(self) -> int:
        return int(self._db.rows("SELECT COUNT(*) FROM tokens")[0][0])

    def update(
        self,
        token_id: str,
        *,
        enabled: bool | None = None,
        expires_at: str | None = None,
        change_expiry: bool = False,
    ) -> bool:
        """Set enabled and/or the expiry (when change_expiry; None = never) in one write; False when there
        is no such token, so a refused change leaves the token as it was."""
        with _writing(self._db, self.memo) as conn:
            if conn.execute("SELECT 1 FROM tokens WHERE id = ?", (token_id,)).fetchone() is None:
                return False
            if enabled is not None:
                conn.execute("UPDATE tokens SET enabled = ? WHERE id = ?", (int(enabled), token_id))
            if change_expiry:
                conn.execute("UPDATE tokens SET expires_at = ? WHERE id = ?", (expires_at, token_id))
        return True

    def delete(self, token_id: str) -> bool:
        with _writing(self._db, self.memo) as conn:
            return conn.execute("DELETE FROM tokens WHERE id = ?", (token_id,)).rowcount > 0


class SettingsTable:
    def __init__(self, connection: Connection) -> None:
        self._db = connection
        self.memo = TableMemo()

    def get(self, key: str, default: Any) -> Any:
        text = self.memo.get(key, lambda: self._text(key))
        # Parsed on each read: a caller may change the value it gets.
        return json.loads(text) if text is not None else default

    def _text(self, key: str) -> str | None:
        rows = self._db.rows("SELECT value FROM settings WHERE key = ?", (key,))
        return str(rows[0]["value"]) if rows else None

    def set(self, key: str, value: Any) -> None:
        with _writing(self._db, self.memo) as conn:
            conn.execute(
                "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, json.dumps(value))
            )
