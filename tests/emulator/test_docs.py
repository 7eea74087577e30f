"""docs/emulator.md says what the code does: the defect table is the catalogue's, and every assumption, rule
switch and defect parameter is documented."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

from scim_harness.emulator.assumptions import Assumptions
from scim_harness.emulator.defects import CATALOGUE, PARAMETERS
from scim_harness.emulator.defects.docs import markdown_table
from scim_harness.emulator.rules import RuleSwitches

DOC = (Path(__file__).resolve().parents[2] / "docs" / "emulator.md").read_text(encoding="utf-8")


def test_the_defect_table_is_the_catalogues() -> None:
    table = re.search(r"<!-- defects:begin -->\n(.*?)<!-- defects:end -->", DOC, re.S)
    assert table is not None, "docs/emulator.md has no defects table"
    assert table.group(1) == markdown_table(CATALOGUE), "regenerate: scim-harness emulator defects --markdown"


def test_the_catalogue_size_in_the_prose_is_right() -> None:
    assert f"holds {len(CATALOGUE)} realistic defects" in DOC


def test_every_assumption_is_documented() -> None:
    missing = [f.name for f in fields(Assumptions) if f"`{f.name}`" not in DOC]
    assert missing == []


def test_every_rule_switch_and_defect_parameter_is_documented() -> None:
    missing = [
        name for name in [*RuleSwitches.names(), *PARAMETERS] if f"`{name}`" not in DOC and name not in DOC
    ]
    assert missing == []
