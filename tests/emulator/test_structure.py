"""The emulator's seams, enforced: SQL lives in the store only, and every module stays small."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

EMULATOR = Path(__file__).resolve().parents[2] / "emulator"
STORE = EMULATOR / "store"
MODULES = sorted(EMULATOR.rglob("*.py"))
# SQL as written in string literals: upper-case keywords and what follows them, or a bound parameter.
SQL = re.compile(
    r"SELECT .+ FROM|INSERT (OR \w+ )?INTO|UPDATE \w+ SET|DELETE FROM|CREATE (TABLE|INDEX)|PRAGMA "
    r"|WHERE \w+ =|= (lower\()?\?|IN \(\?"
)
MAX_LINES = 400


@pytest.mark.parametrize("path", [p for p in MODULES if STORE not in p.parents], ids=lambda p: p.name)
def test_no_sql_outside_the_store(path: Path) -> None:
    found = [line for line in path.read_text(encoding="utf-8").splitlines() if SQL.search(line)]
    assert found == []


def test_the_store_does_hold_the_sql() -> None:
    """The check above can fail: the pattern finds the store's own statements."""
    assert any(SQL.search(p.read_text(encoding="utf-8")) for p in STORE.glob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(EMULATOR)))
def test_modules_stay_under_400_lines(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES
