"""Time: a target that accepts connections and never answers ends the run within its time budget, non-zero,
with the calls that got no answer named; the pre-flight names the call that timed out.

The target is a small socket server on 127.0.0.1 that accepts every connection and never writes a byte.
A short per-call timeout and budget keep the test short; the margins are wide (the machine is shared).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

BUDGET_S = 15
CALL_TIMEOUT_S = 1
TOKEN = "silent-target-token"


@contextmanager
def silent_target() -> Iterator[str]:
    """A SCIM URL on 127.0.0.1 whose server accepts connections and never answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            held.append(connection)  # never read from, never written to: the client waits for an answer

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/scim/v2"
    finally:
        stop.set()
        thread.join(5)
        listener.close()
        for connection in held:
            connection.close()


def _run(url: str, reports: Path, *options: str) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCIM_HARNESS_", "PYTEST_"))}
    env |= {"SCIM_HARNESS_TOKEN": TOKEN, "SCIM_HARNESS_TIMEOUT": str(CALL_TIMEOUT_S)}
    harness = str(Path(sys.executable).parent / "scim-harness")  # the installed command, as a user runs it
    command = [harness, "run", "--target", "scim", "--url", url]
    command += ["--reports", str(reports), "--no-capture", "--dialect", "legacy", *options]
    began = time.monotonic()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)
    return done, time.monotonic() - began


def test_a_target_that_never_answers_ends_the_run_within_its_budget(tmp_path: Path) -> None:
    with silent_target() as url:
        done, took = _run(url, tmp_path, "--no-preflight", "--time-budget", str(BUDGET_S), "--tags", "@scim")

    assert done.returncode == 1, done.stderr[-2000:]
    # The budget, then the scenario at hand winding down (one call's timeout at most) and the reports.
    assert took < BUDGET_S + 120, took
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "TIME BUDGET USED UP" in summary and "time budget was used up" in summary
    assert "Calls that got no answer in time" in summary
    assert f"no answer within {CALL_TIMEOUT_S:g} s" in summary and "GET /Users" in summary
    root = ET.parse(tmp_path / "junit.xml").getroot()
    reasons = [s.get("message") or "" for s in root.iter("skipped")]
    not_run = [r for r in reasons if "not run: the run's time budget" in r]
    assert not_run, "the scenarios after the budget ran out are reported as not run"


def test_the_preflight_names_the_call_that_got_no_answer(tmp_path: Path) -> None:
    with silent_target() as url:
        done, took = _run(url, tmp_path)

    assert done.returncode == 2
    assert took < 120, took
    assert "cannot reach the target" in done.stderr and "GET /Users" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
