"""The `simulate` command end to end against the recording server, through `scim-harness` as users run it.

Every failure must be one `error:` line on stderr with its documented exit code (docs/simulator.md): 0 fine,
1 users failed or the job is quarantined, 2 usage or input error, 3 Test Connection failed, 4 --max-time.
"""

from __future__ import annotations

import json
import ssl
from pathlib import Path

import pytest
import trustme
from click.testing import CliRunner, Result

from scim_harness.cli import main
from tests.simulator.fake_scim import TOKEN, FakeScim

EXAMPLE = Path(__file__).parents[2] / "simulator" / "data" / "example-tenant.json"


def simulate(*args: str, env: dict[str, str | None] | None = None) -> Result:
    environment = {"SCIM_HARNESS_TOKEN": TOKEN} if env is None else env
    return CliRunner().invoke(main, ["simulate", *args], env=environment)


def one_error(result: Result) -> str:
    """The single `error:` line of a failed run (and no traceback anywhere)."""
    assert "Traceback" not in result.output + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def test_simulate_runs_the_tenant_timeline_and_writes_logs(scim: FakeScim, tmp_path: Path) -> None:
    logs = tmp_path / "logs.json"
    result = simulate("--target", scim.url, "--tenant", str(EXAMPLE), "--run", "5d", "--logs", str(logs))
    assert result.exit_code == 0, result.output + result.stderr
    assert "Provisioning summary" in result.stdout and "Create/Success" in result.stdout
    entries = json.loads(logs.read_text(encoding="utf-8"))
    assert {e["action"] for e in entries} >= {"Create", "Update", "Disable"}
    assert TOKEN not in logs.read_text(encoding="utf-8") and TOKEN not in result.output
    # The timeline's on-demand run happened (Carol exists); Bob, soft-deleted on day 3, is inactive.
    assert scim.user_named("carol.white@contoso.example") is not None
    assert scim.user_named("bob.jones@contoso.example")["active"] is False


def test_simulate_generates_users(scim: FakeScim) -> None:
    result = simulate(
        "--target", scim.url, "--users", "12", "--locale", "ja_JP", "--seed", "3", "--run", "2h"
    )
    assert result.exit_code == 0, result.stderr
    assert len(scim.users) == 12


def test_show_logs_prints_one_row_per_provisioned_user(scim: FakeScim) -> None:
    result = simulate("--target", scim.url, "--users", "3", "--seed", "5", "--show-logs")
    assert result.exit_code == 0, result.stderr
    table = result.stdout.split("Provisioning summary")[0]
    assert "Provisioning logs" in table
    # One Create/Success row per user; the narrow test terminal wraps the other columns.
    assert table.count("Create") == 3 and table.count("Success") == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--users", "2", "--run", "soon"], "--run"),
        (["--tenant", "/nonexistent/tenant.json"], "cannot read tenant file"),
        (["--users", "2", "--tenant", str(EXAMPLE)], "exactly one of"),
        (["--users", "2", "--mappings", "/nonexistent/m.json"], "cannot read mapping file"),
        (["--users", "x"], "'x' is not a valid integer"),
        (["--users", "2", "--bogus"], "No such option"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(scim: FakeScim, args: list[str], message: str) -> None:
    result = simulate("--target", scim.url, *args)
    assert result.exit_code == 2 and message in one_error(result)
    assert scim.requests == []  # bad input changes nothing, on the target either


def test_unreachable_target_fails_test_connection_with_code_3(scim: FakeScim) -> None:
    result = simulate("--target", "http://127.0.0.1:9/scim", "--users", "1")
    assert result.exit_code == 3 and "could not connect" in one_error(result)


def test_a_refused_token_is_code_3_and_never_echoed(scim: FakeScim) -> None:
    result = simulate("--target", scim.url, "--users", "1", env={"SCIM_HARNESS_TOKEN": "s3cr3t-value"})
    assert result.exit_code == 3 and "invalid credentials" in one_error(result)
    assert "s3cr3t-value" not in result.output + result.stderr


def test_token_is_required(scim: FakeScim) -> None:
    result = simulate("--target", scim.url, "--users", "1", env={"SCIM_HARNESS_TOKEN": None})
    assert result.exit_code == 2 and "SCIM_HARNESS_TOKEN" in one_error(result)


def test_token_on_the_command_line_warns(scim: FakeScim) -> None:
    result = simulate("--target", scim.url, "--users", "1", "--token", TOKEN, env={})
    assert result.exit_code == 0
    assert "process list" in result.stderr and "--token-file" in result.stderr


def test_token_file(scim: FakeScim, tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    result = simulate("--target", scim.url, "--users", "1", "--token-file", str(token_file), env={})
    assert result.exit_code == 0 and "warning" not in result.stderr
    both = simulate(
        "--target", scim.url, "--users", "1", "--token-file", str(token_file), "--token", "x", env={}
    )
    assert both.exit_code == 2 and "not both" in one_error(both)
    token_file.write_text("   \n")
    empty = simulate("--target", scim.url, "--users", "1", "--token-file", str(token_file), env={})
    assert empty.exit_code == 2 and "is empty" in one_error(empty)


def test_failed_users_exit_1(scim: FakeScim) -> None:
    scim.fail("POST", "/Users$", 500, times=10)
    result = simulate("--target", scim.url, "--users", "2", "--seed", "1")
    assert result.exit_code == 1 and "2 users or groups failed" in one_error(result)


def test_a_quarantined_job_exits_1(scim: FakeScim) -> None:
    scim.fail("POST", "/Users$", 401, times=10)
    result = simulate("--target", scim.url, "--users", "2", "--seed", "1")
    assert result.exit_code == 1
    assert "Quarantined (EncounteredQuarantineException)" in one_error(result)


def test_max_time_stops_the_run_with_code_4(scim: FakeScim) -> None:
    for _ in range(40):
        scim.fail("POST", "/Users$", 201, delay=0.3, body={"id": "slow"})
    result = simulate("--target", scim.url, "--users", "40", "--max-connections", "1", "--max-time", "1s")
    assert result.exit_code == 4 and "--max-time 1s ran out" in one_error(result)
    assert len(scim.sent("POST")) < 40


def test_progress_lines_without_a_terminal(scim: FakeScim) -> None:
    for _ in range(8):
        scim.fail("POST", "/Users$", 201, delay=0.1, body={"id": "slow"})
    result = simulate(
        "--target", scim.url, "--users", "8", "--max-connections", "1", "--progress-every", "0.2"
    )
    lines = [line for line in result.stderr.splitlines() if line.startswith("simulate: ")]
    assert lines, result.stderr
    assert "cycle 1 (initial)" in lines[0] and "/8 objects" in lines[0] and "requests" in lines[0]


def test_ca_file_trusts_a_test_ca(tmp_path: Path) -> None:
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    server = FakeScim(tls=context).start()
    try:
        untrusted = simulate("--target", server.url, "--users", "1")
        assert untrusted.exit_code == 3 and "trust relationship" in one_error(untrusted)
        trusted = simulate("--target", server.url, "--users", "1", "--ca-file", str(ca_file))
        assert trusted.exit_code == 0, trusted.stderr
    finally:
        server.stop()


def test_help_documents_the_exit_codes() -> None:
    result = CliRunner().invoke(main, ["simulate", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "Exit codes: 0" in text and "3 Test Connection failed" in text and "--token-file" in text
