"""user_of(validated=False) builds the very User the validated path builds (same values, same dump), for every
shape a row takes; only the validators' cost is left out."""

from __future__ import annotations

import pytest

from scim_harness.emulator.kintone_user import record_of, user_of
from scim_harness.emulator.store import UserRecord

ROWS = [
    UserRecord(1, "Ada@example.com", "ext", "Ada", "Lovelace", "Ada", "ada@example.com", True,
               "2026-01-01T00:00:00.000000Z", "2026-01-01T00:00:00.120000Z", 3, "scim", True),
    UserRecord(2, "bare", None, None, None, None, None, False, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z",
               1, "admin", False),
    UserRecord(3, "given@example.com", "", "", None, "Only", None, True, "2026-01-01T00:00:00Z",
               "2026-01-01T00:00:00Z", 7, "scim", True),
]  # fmt: skip


@pytest.mark.parametrize("row", ROWS)
def test_the_unvalidated_user_equals_the_validated_one(row: UserRecord) -> None:
    validated, built = user_of(row), user_of(row, validated=False)
    assert built == validated
    assert built.model_dump_json() == validated.model_dump_json()
    assert record_of(built) is row
