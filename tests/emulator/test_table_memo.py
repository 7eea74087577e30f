"""Tokens and settings are read from memory between writes (store/tokens.py TableMemo); every write, reset
included, is seen by the next read, and a read that raced a write is not kept."""

from __future__ import annotations

from scim_harness.emulator.store import Database, TokenRecord
from scim_harness.emulator.store.tokens import TableMemo

TOKEN = TokenRecord("t1", "hash", "notes", "2026-01-01T00:00:00Z", None, True)


def test_every_write_is_seen_by_the_next_read() -> None:
    database = Database(":memory:")
    try:
        assert database.tokens.all() == [] and database.settings.get("k", 0) == 0
        database.tokens.insert(TOKEN)
        database.settings.set("k", [1])
        assert database.tokens.all() == [TOKEN] and database.settings.get("k", 0) == [1]
        database.tokens.update("t1", enabled=False)
        assert database.tokens.all()[0].enabled is False
        database.reset()
        assert database.tokens.all() == [] and database.settings.get("k", 0) == 0
    finally:
        database.close()


def test_a_read_that_raced_a_write_is_not_kept() -> None:
    memo = TableMemo()

    def stale_read() -> str:
        memo.forget()  # a write lands while this read runs
        return "stale"

    assert memo.get("key", stale_read) == "stale"
    assert memo.get("key", lambda: "fresh") == "fresh"
    assert memo.get("key", lambda: "not read again") == "fresh"
