"""Runs the conformance suite in a pytest subprocess, as `scim-harness run` does; reads its JUnit outcomes."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

from scim_harness.run_cli import STEPS_DIR
from scim_harness.selftest.outcomes import suite_arguments

MODULE = STEPS_DIR / "test_conformance.py"


@dataclass(frozen=True)
class Outcome:
    status: str  # passed | failed | skipped
    message: str


def run_suite(
    tmp_path: Path, env: dict[str, str], *selection: str, markers: str | None = None, timeout: float = 240
) -> dict[str, Outcome]:
    """Outcome per scenario test (parameters folded: one failing example fails the scenario)."""
    junit = tmp_path / "junit.xml"
    command = [sys.executable, "-P", "-m", "pytest", *suite_arguments(junit, selection, markers)]
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SCIM_HARNESS_", "PYTEST_XDIST"))}
    done = subprocess.run(
        command,
        cwd=tmp_path,
        env={**clean, "SCIM_HARNESS_CAPTURE": "0", **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert junit.exists(), f"the suite did not run:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return read_outcomes(junit)


def read_outcomes(junit: Path) -> dict[str, Outcome]:
    outcomes: dict[str, Outcome] = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        name = case.get("name", "").split("[")[0]
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        skipped = case.find("skipped")
        if problem is not None:
            outcome = Outcome("failed", problem.get("message") or "")
        elif skipped is not None:
            outcome = Outcome("skipped", skipped.get("message") or "")
        else:
            outcome = Outcome("passed", "")
        previous = outcomes.get(name)
        if previous is None or previous.status != "failed":
            outcomes[name] = outcome
    return outcomes


def named(outcomes: dict[str, Outcome], status: str) -> set[str]:
    return {name for name, outcome in outcomes.items() if outcome.status == status}


def run_suite_in_process(tmp_path: Path, env: dict[str, str], *selection: str) -> dict[str, Outcome]:
    """The same run inside this process (pytest.main): the emulator's one-off start-up cost is paid once per
    process instead of once per run, which keeps a run per emulator rule affordable."""
    junit = tmp_path / "junit.xml"
    arguments = suite_arguments(junit, selection)
    saved = dict(os.environ)
    try:
        for name in [n for n in os.environ if n.startswith(("SCIM_HARNESS_", "PYTEST_XDIST"))]:
            del os.environ[name]
        os.environ.update({"SCIM_HARNESS_CAPTURE": "0", **env})
        pytest.main(arguments)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert junit.exists(), "the suite did not run"
    return read_outcomes(junit)
