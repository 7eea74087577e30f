"""The one console script: every part's subcommands are reachable and failures read as one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).with_name("scim-harness")


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args], capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})}
    )


def test_help_lists_every_part() -> None:
    result = _run("--help")
    assert result.returncode == 0
    for command in ("emulator", "simulate", "run", "report"):
        assert command in result.stdout


@pytest.mark.parametrize("command", ["emulator", "simulate", "run", "report"])
def test_each_subcommand_has_help(command: str) -> None:
    result = _run(command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout


def test_unknown_command_is_a_usage_error() -> None:
    result = _run("frobnicate")
    assert result.returncode == 2
    assert "No such command" in result.stderr


def test_bad_input_is_one_readable_line_not_a_traceback(tmp_path: Path) -> None:
    result = _run(
        "simulate",
        "--target",
        "http://127.0.0.1:9/scim/v2",
        "--tenant",
        str(tmp_path / "missing.json"),
        env={"SCIM_HARNESS_TOKEN": "not-a-real-token"},
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "missing.json" in result.stderr
    assert "not-a-real-token" not in result.stdout + result.stderr


def test_a_path_or_permission_problem_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    # `report` does not word this one itself: the top-level group turns any OSError into one line.
    results = tmp_path / "allure-results"
    results.mkdir()
    (results / "x-result.json").write_text('{"name": "x", "status": "passed", "uuid": "1"}')
    result = _run("report", "--results", str(results), "--out", "/proc/forbidden/report")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "/proc/forbidden" in lines[0], result.stderr
