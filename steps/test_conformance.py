"""Binds every feature file to pytest: one test per scenario (and per example row)."""

from pathlib import Path

import pytest
from pytest_bdd import scenarios

FEATURES = Path(__file__).resolve().parent.parent / "features"

# Every scenario depends on the dialect, so that `--dialect both` runs each one in both (steps/conftest.py).
pytestmark = pytest.mark.usefixtures("dialect")

scenarios(str(FEATURES))
