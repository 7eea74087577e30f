"""SQLite persistence: the only part of the emulator that holds SQL.

Everything else reads and writes through typed methods and queries (UserQuery, ResourceQuery):
`db.users` (Kintone's users), `db.tombstones`, `db.tokens`, `db.settings`, and the generic profile's
`db.scim_users` and `db.groups` (with their memberships).
"""

from __future__ import annotations

from scim_harness.emulator.store.connection import MEMORY, Connection, DatabaseInUse, UnstorableValue
from scim_harness.emulator.store.resources import DuplicateName, ResourceQuery, ResourceRecord, ResourceTable
from scim_harness.emulator.store.tokens import SettingsTable, TokenRecord, TokenTable
from scim_harness.emulator.store.users import (
    DuplicateLoginName,
    TombstoneTable,
    UserQuery,
    UserRecord,
    UserTable,
    UserValues,
    VersionMismatch,
)

__all__ = [
    "MEMORY",
    "Database",
    "DatabaseInUse",
    "DuplicateLoginName",
    "DuplicateName",
    "ResourceQuery",
    "ResourceRecord",
    "TokenRecord",
    "UnstorableValue",
    "UserQuery",
    "UserRecord",
    "UserValues",
    "VersionMismatch",
]


class Database:
    def __init__(self, path: str) -> None:
        self.path = path
        self.connection = Connection(path)
        self.users = UserTable(self.connection)
        self.tombstones = TombstoneTable(self.connection)
        self.tokens = TokenTable(self.connection)
        self.settings = SettingsTable(self.connection)
        self.scim_users = ResourceTable(self.connection, "user", unique_names=True)
        self.groups = ResourceTable(self.connection, "group", unique_names=False)

    def close(self) -> None:
        self.connection.close()

    def reset(self) -> None:
        """Every table emptied: users, tombstones, tokens, settings, generic resources."""
        self.connection.wipe()
        self.tokens.memo.forget()
        self.settings.memo.forget()

    def dump(self) -> str:
        return self.connection.dump()
