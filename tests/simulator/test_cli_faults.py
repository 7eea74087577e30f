"""Faulty targets end `simulate` cleanly: within a bound, non-zero, one clear `error:` line (issue 10).

Each fault server (tests/simulator/faults.py) is a real socket on 127.0.0.1. A fault from the first request
fails Test Connection (exit 3). After a healthy Test Connection, a target that answers badly fails the users,
who wait in escrow (exit 1), as Entra logs InternalServerError or TooManyRequests for each; a target that
gives no answer at all (a timeout, a reset, bytes that are not HTTP, an endless body) ends the cycle at its
probe (exit 1, `timeouts_end_cycle`), so the run takes one call's timeout, not one per user.
"""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from click.testing import CliRunner, Result

from scim_harness.cli import main
from tests.simulator.faults import FaultServer

TOKEN = "tok/en+va=lue-0123456789abcdef"  # its raw, base64 and percent-encoded forms all differ
BOUND = 60.0  # seconds; each run takes a few (timeout 1 s), the margin is for a loaded machine
EXPECTED_TEXT = {
    "never": "got no complete answer within 1 s",
    "trickle": "got no complete answer within 1 s",
    "reset": "could not connect",
    "500": "HTTP 500",
    "429": "HTTP 429",
    "huge": "larger than",
    "garbage": "connection",
    "redirect": "redirect",
}


def simulate(url: str, *args: str) -> tuple[Result, float]:
    began = time.monotonic()
    result = CliRunner().invoke(
        main,
        ["simulate", "--target", url, "--users", "3", "--seed", "1", "--timeout", "1", *args],
        env={"SCIM_HARNESS_TOKEN": TOKEN},
    )
    return result, time.monotonic() - began


def one_error(result: Result) -> str:
    assert "Traceback" not in result.output + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    return errors[0]


@pytest.mark.parametrize("kind", list(EXPECTED_TEXT))
def test_a_faulty_target_fails_test_connection_quickly(kind: str) -> None:
    with FaultServer(kind) as target:
        result, took = simulate(target.url)
    assert result.exit_code == 3, (result.exit_code, result.stderr)
    line = one_error(result)
    assert line.startswith("error: Test Connection failed (")
    if kind != "reset":
        assert EXPECTED_TEXT[kind] in line, line
    assert took < BOUND


NO_ANSWER = ("never", "trickle")  # each call would cost the whole timeout
BAD_ANSWER = ("reset", "500", "429", "huge", "garbage", "redirect")  # each call fails at once


@pytest.mark.parametrize("kind", NO_ANSWER)
def test_a_target_that_stops_answering_after_test_connection_ends_the_run(kind: str) -> None:
    with FaultServer(kind, healthy=1) as target:
        result, took = simulate(target.url, "--users", "30")
    assert result.exit_code == 1, (result.exit_code, result.stderr)
    line = one_error(result)
    assert line.startswith("error: the SCIM endpoint stopped answering: the cycle's probe timed out: ")
    assert EXPECTED_TEXT[kind] in line, line
    assert took < BOUND


@pytest.mark.parametrize("kind", BAD_ANSWER)
def test_a_target_failing_after_test_connection_escrows_the_users(kind: str) -> None:
    with FaultServer(kind, healthy=1) as target:
        result, took = simulate(target.url)
    assert result.exit_code == 1, (result.exit_code, result.stderr)
    assert "3 users or groups failed and wait in escrow" in one_error(result)
    assert took < BOUND


def test_a_target_that_echoes_the_token_gets_no_form_of_it_anywhere(tmp_path: Path) -> None:
    forms = {
        TOKEN,
        quote(TOKEN, safe=""),
        quote_plus(TOKEN),
        base64.b64encode(TOKEN.encode()).decode(),
        base64.b64encode(TOKEN.encode()).decode().rstrip("="),
    }
    logs = tmp_path / "logs.json"
    with FaultServer("echo") as target:
        failed, _ = simulate(target.url)  # Test Connection shows the target's own words, masked
    line = one_error(failed)
    assert failed.exit_code == 3 and "bad token [REDACTED]" in line
    with FaultServer("echo", healthy=1) as target:
        result, _ = simulate(target.url, "--logs", str(logs), "--show-logs")
    assert result.exit_code == 1
    written = logs.read_text(encoding="utf-8")
    assert "[REDACTED]" in written  # the echo reached the logs, masked
    for output in (failed.output, failed.stderr, result.output, result.stderr, written):
        for form in forms:
            assert form not in output
        assert "\x1b" not in output and "\x07" not in output  # the target's escape sequences, made safe
    assert "\\x1b[2J" in json.loads(written)[-1]["statusInfo"]["reason"] and "\\x1b[2J" in line
    assert "[bold]markup[/]" in line  # shown as text, not taken as rich markup
