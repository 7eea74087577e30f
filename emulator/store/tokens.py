"""API token hashes and the Provisioning page's settings (JSON values by key)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from scim_harness.emulator.store.connection import Connection


@dataclass(frozen=True)
class TokenRecord:
    id: str
    token_hash: str
    notes: str
    created_at: str
    expires_at: str | None
    enabled: bool


class TokenTable:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def insert(self, token: TokenRecord) -> None:
        with self._db.transaction() as conn:
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
        with self._db.transaction() as conn:
            if conn.execute("SELECT 1 FROM tokens WHERE id = ?", (token_id,)).fetchone() is None:
                return False
            if enabled is not None:
                conn.execute("UPDATE tokens SET enabled = ? WHERE id = ?", (int(enabled), token_id))
            if change_expiry:
                conn.execute("UPDATE tokens SET expires_at = ? WHERE id = ?", (expires_at, token_id))
        return True

    def delete(self, token_id: str) -> bool:
        with self._db.transaction() as conn:
            return conn.execute("DELETE FROM tokens WHERE id = ?", (token_id,)).rowcount > 0


class SettingsTable:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def get(self, key: str, default: Any) -> Any:
        rows = self._db.rows("SELECT value FROM settings WHERE key = ?", (key,))
        return json.loads(rows[0]["value"]) if rows else default

    def set(self, key: str, value: Any) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, json.dumps(value))
            )
