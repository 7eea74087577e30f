"""docs/help-article.md and the features agree: every scenario the table names exists, every row names a
scenario or says why it is out of scope (nothing "untested"), and every statement a feature cites is a row.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "docs" / "help-article.md"
FEATURES = ROOT / "features"
ROW = re.compile(r"^\| (?P<id>[AGMX]\d+) \|(?P<rest>.*)\|\s*$")
FILE = re.compile(r"`((?:entra|kintone|scim)/[\w-]+\.feature)`:")
SCENARIO = re.compile(r"^\s*Scenario(?: Outline)?: (?P<name>.+?)\s*$", re.MULTILINE)
CITES = re.compile(r"Article statements \(docs/help-article\.md\): (?P<ids>[^.]+)\.")


def rows() -> dict[str, str]:
    found: dict[str, str] = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            assert match["id"] not in found, f"{match['id']} is in the table twice"
            found[match["id"]] = match["rest"]
    return found


def references(cell: str) -> list[tuple[str, str]]:
    """(feature, scenario) for each *italic* scenario name after a `feature` reference, up to the next one."""
    found = []
    parts = FILE.split(cell)  # text, file, text, file, text...
    for feature, text in zip(parts[1::2], parts[2::2], strict=True):
        found += [(feature, name) for name in re.findall(r"\*([^*]+)\*", text)]
    return found


def scenarios(feature: str) -> set[str]:
    return {m["name"] for m in SCENARIO.finditer((FEATURES / feature).read_text(encoding="utf-8"))}


def test_the_table_has_every_section() -> None:
    ids = set(rows())
    for prefix, count in (("A", 26), ("G", 24), ("M", 25), ("X", 6)):
        assert {f"{prefix}{n}" for n in range(1, count + 1)} <= ids, prefix


@pytest.mark.parametrize("statement", sorted(rows()))
def test_a_row_names_existing_scenarios_or_says_why_not(statement: str) -> None:
    cell = rows()[statement].rsplit("|", 1)[-1]
    named = references(cell)
    assert named or "out of scope" in cell or re.search(r"\bas [AGMX]\d+\b", cell), (
        f"{statement} names no scenario and gives no reason: {cell.strip()}"
    )
    assert "untested" not in cell.lower()
    for feature, name in named:
        assert (FEATURES / feature).is_file(), f"{statement}: no feature {feature}"
        assert name in scenarios(feature), f"{statement}: {feature} has no scenario {name!r}"


def test_every_statement_a_feature_cites_is_in_the_table() -> None:
    known = set(rows())
    cited_anywhere = set()
    for feature in sorted(FEATURES.glob("*/*.feature")):
        for match in CITES.finditer(feature.read_text(encoding="utf-8")):
            cited = {part.strip() for part in match["ids"].split(",")}
            assert cited <= known, f"{feature.name} cites {sorted(cited - known)}, which the table lacks"
            cited_anywhere |= cited
    assert cited_anywhere, "no feature cites a statement"


@pytest.mark.parametrize("layer", ["entra", "kintone"])
def test_every_feature_of_the_article_cites_its_statements(layer: str) -> None:
    for feature in sorted((FEATURES / layer).glob("*.feature")):
        assert CITES.search(feature.read_text(encoding="utf-8")), f"{feature.name} cites no statement"


def test_the_check_notices_a_missing_scenario() -> None:
    # The rules above can fail: a reference to a scenario nobody wrote is caught.
    cell = " `entra/add_user.feature`: *A user nobody wrote a scenario for*; *A user assigned to the Kintone"
    cell += " app is added to Kintone* "
    [(feature, missing), (_, present)] = references(cell)
    assert present in scenarios(feature)
    assert missing not in scenarios(feature)
