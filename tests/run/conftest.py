"""`scim-harness run` as users call it: the console script in a subprocess, from a scratch directory."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from scim_harness.emulator.config import EmulatorConfig
from scim_harness.emulator.rules import RuleSwitches
from scim_harness.emulator.server import EmulatorServer

SCRIPT = Path(sys.executable).with_name("scim-harness")
RUN_TIMEOUT_S = 600


@dataclass(frozen=True)
class Done:
    code: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def scim_harness(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = RUN_TIMEOUT_S
) -> Done:
    # No outside configuration of the run; where Allure is installed (tox names it) is not configuration.
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SCIM_HARNESS_", "PYTEST_")) or k == "SCIM_HARNESS_ALLURE"
    }
    started = time.monotonic()
    done = subprocess.run(
        [str(SCRIPT), *args],
        cwd=cwd,
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Done(done.returncode, done.stdout, done.stderr, time.monotonic() - started)


@dataclass(frozen=True)
class RunningEmulator:
    server: EmulatorServer
    token: str
    password: str


@pytest.fixture
def emulator() -> Iterator[RunningEmulator]:
    token, password = f"seed-{uuid.uuid4().hex}", f"pw-{uuid.uuid4().hex}"
    with EmulatorServer(EmulatorConfig(seed_token=token, admin_password=password)) as server:
        yield RunningEmulator(server, token, password)


@pytest.fixture
def broken_emulator() -> Iterator[RunningEmulator]:
    """An emulator that answers Test Connection's random-GUID lookup with 404 (rule switch)."""
    token, password = f"seed-{uuid.uuid4().hex}", f"pw-{uuid.uuid4().hex}"
    config = EmulatorConfig(
        seed_token=token, admin_password=password, rules=RuleSwitches(not_found_on_empty_filter=True)
    )
    with EmulatorServer(config) as server:
        yield RunningEmulator(server, token, password)
