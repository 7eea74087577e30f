"""The `simulate` command end to end against the recording server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scim_harness.common.errors import HarnessError
from scim_harness.simulator.cli import simulate
from tests.simulator.conftest import TOKEN, FakeScim

EXAMPLE = Path(__file__).parents[2] / "simulator" / "data" / "example-tenant.json"


def invoke(*args: str, env: dict[str, str | None] | None = None):
    return CliRunner().invoke(simulate, list(args), env={"SCIM_HARNESS_TOKEN": TOKEN} if env is None else env)


def test_simulate_runs_the_tenant_timeline_and_writes_logs(scim: FakeScim, tmp_path: Path) -> None:
    logs = tmp_path / "logs.json"
    result = invoke("--target", scim.url, "--tenant", str(EXAMPLE), "--run", "5d", "--logs", str(logs))
    assert result.exit_code == 0, result.output
    assert "Provisioning summary" in result.output and "Create/Success" in result.output
    entries = json.loads(logs.read_text(encoding="utf-8"))
    assert {e["action"] for e in entries} >= {"Create", "Update", "Disable"}
    assert TOKEN not in logs.read_text(encoding="utf-8") and TOKEN not in result.output
    # The timeline's on-demand run happened (Carol exists); Bob, soft-deleted on day 3, is inactive.
    assert scim.user_named("carol.white@contoso.example") is not None
    assert scim.user_named("bob.jones@contoso.example")["active"] is False


def test_simulate_generates_users(scim: FakeScim) -> None:
    result = invoke("--target", scim.url, "--users", "12", "--locale", "ja_JP", "--seed", "3", "--run", "2h")
    assert result.exit_code == 0, result.output
    assert len(scim.users) == 12


def test_show_logs_prints_one_row_per_provisioned_user(scim: FakeScim) -> None:
    result = invoke("--target", scim.url, "--users", "3", "--seed", "5", "--show-logs")
    assert result.exit_code == 0, result.output
    table = result.output.split("Provisioning summary")[0]
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
    ],
)
def test_bad_input_is_a_readable_error(scim: FakeScim, args: list[str], message: str) -> None:
    result = invoke("--target", scim.url, *args)
    assert isinstance(result.exception, HarnessError) and message in str(result.exception)


def test_unreachable_target_and_bad_token_never_echo_the_token(scim: FakeScim) -> None:
    result = invoke("--target", "http://127.0.0.1:9/scim", "--users", "1", "--token", "s3cr3t-value")
    assert isinstance(result.exception, HarnessError) and "could not connect" in str(result.exception)
    result = invoke("--target", scim.url, "--users", "1", env={"SCIM_HARNESS_TOKEN": "s3cr3t-value"})
    assert "invalid credentials" in str(result.exception)
    assert "s3cr3t-value" not in str(result.exception) + result.output


def test_token_is_required(scim: FakeScim) -> None:
    result = invoke("--target", scim.url, "--users", "1", env={"SCIM_HARNESS_TOKEN": None})
    assert isinstance(result.exception, HarnessError) and "SCIM_HARNESS_TOKEN" in str(result.exception)


def test_through_the_scim_harness_group_errors_have_no_traceback(scim: FakeScim) -> None:
    from scim_harness.cli import main

    result = CliRunner().invoke(
        main,
        ["simulate", "--target", scim.url, "--users", "1", "--run", "x"],
        env={"SCIM_HARNESS_TOKEN": TOKEN},
    )
    assert result.exit_code == 2 and "error: --run" in result.output and "Traceback" not in result.output
