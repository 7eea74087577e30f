"""The conformance suite run inside this process (`pytest.main`), and its outcomes per scenario and dialect.

In-process so that one emulator serves every run of a sweep and the suite's imports are paid once per
process; the configuration travels in SCIM_HARNESS_* variables for the run, as `scim-harness run` passes it.
pytest's own output goes to a log file, not the terminal.
"""

from __future__ import annotations

import contextlib
import os
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from scim_harness.suite_process import STEPS_DIR


@dataclass(frozen=True)
class ScenarioOutcome:
    scenario: str
    """The scenario's test name (with an Examples row's values, without the dialect)."""
    dialect: str
    status: str  # passed | failed | skipped
    message: str


def suite_arguments(junit: Path, selection: Sequence[str] = (), markers: str | None = None) -> list[str]:
    """pytest's arguments for one run of the suite without xdist (the tests' runs use them too): every
    scenario or the test functions named in `selection`, the outcomes as JUnit XML in `junit`."""
    module = STEPS_DIR / "test_conformance.py"
    arguments = [
        *([f"{module}::{name}" for name in selection] or [str(STEPS_DIR)]),
        "-c",
        str(STEPS_DIR / "pytest.ini"),
        "--rootdir",
        str(STEPS_DIR.parent),
        "-p",
        "no:xdist",
        "-p",
        "no:cacheprovider",
        "-q",
        "--junitxml",
        str(junit),
        "-W",
        "ignore::DeprecationWarning",
    ]
    return [*arguments, "-m", markers] if markers else arguments


def run_in_process(
    env: Mapping[str, str],
    work_dir: Path,
    dialects: list[str],
    markers: str | None = None,
    selection: Sequence[str] = (),
) -> list[ScenarioOutcome]:
    """Runs the suite once with `env` (SCIM_HARNESS_* settings, the dialect `both` or the one of `dialects`),
    every scenario or the test functions named in `selection`; its outcomes, read from its JUnit XML."""
    work_dir.mkdir(parents=True, exist_ok=True)
    junit = work_dir / "junit.xml"
    junit.unlink(missing_ok=True)
    arguments = suite_arguments(junit, selection, markers)
    saved = dict(os.environ)
    try:
        for name in [n for n in os.environ if n.startswith(("SCIM_HARNESS_", "PYTEST_"))]:
            del os.environ[name]
        os.environ.update(env)
        log_path = work_dir / "pytest-output.txt"
        with log_path.open("w", encoding="utf-8") as log, contextlib.redirect_stdout(log):
            pytest.main(arguments)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    if not junit.is_file():
        raise RuntimeError(f"the suite did not run: see {work_dir / 'pytest-output.txt'}")
    return read_outcomes(junit, dialects)


def read_outcomes(junit: Path, dialects: list[str]) -> list[ScenarioOutcome]:
    """Per scenario and dialect, named as every report names them (`Feature: scenario`, reporting.identity):
    the test case's `feature`, `scenario` and `dialect` properties; the dialect of a one-dialect run is it."""
    outcomes: dict[tuple[str, str], ScenarioOutcome] = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        properties = {p.get("name"): p.get("value") or "" for p in case.iter("property")}
        dialect = properties.get("dialect") or dialects[0]
        named = properties.get("scenario") or case.get("name", "")
        named = named.removesuffix(f" [{dialect}]")
        scenario = f"{properties['feature']}: {named}" if properties.get("feature") else named
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        skipped = case.find("skipped")
        if problem is not None:
            outcome = ScenarioOutcome(scenario, dialect, "failed", problem.get("message") or "")
        elif skipped is not None:
            outcome = ScenarioOutcome(scenario, dialect, "skipped", skipped.get("message") or "")
        else:
            outcome = ScenarioOutcome(scenario, dialect, "passed", "")
        key = (scenario, dialect)
        if key not in outcomes or outcomes[key].status != "failed":  # a failure in tear-down too counts
            outcomes[key] = outcome
    return list(outcomes.values())
