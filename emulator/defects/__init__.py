"""A catalogue of realistic defects of SCIM services, each a test-only switch of the emulator, so the
conformance suite can show it catches them (docs/emulator.md, "Defect catalogue")."""

from __future__ import annotations

from scim_harness.emulator.defects.catalogue import BOTH, GENERIC, GENERIC_ONLY, KINTONE, Category, Defect
from scim_harness.emulator.defects.switches import BY_NAME, CATALOGUE, PARAMETERS, DefectSwitches

__all__ = [
    "BOTH",
    "BY_NAME",
    "CATALOGUE",
    "GENERIC",
    "GENERIC_ONLY",
    "KINTONE",
    "PARAMETERS",
    "Category",
    "Defect",
    "DefectSwitches",
]
