"""The `emulator` CLI group: serve in a real process, and the admin subcommands over HTTP."""

from __future__ import annotations

import socket
import subprocess
import sys

import httpx
import pytest
from click.testing import CliRunner

from scim_harness.emulator.cli import emulator as emulator_cli
from scim_harness.emulator.server import EmulatorServer
from tests.emulator.conftest import ADMIN_PASSWORD, TIMEOUT_S
from tests.emulator.serve_process import free_port, serve_once


@pytest.fixture
def run(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SCIM_HARNESS_ADMIN_PASSWORD", ADMIN_PASSWORD)

    def invoke(*args: str):
        return CliRunner().invoke(emulator_cli, [*args, "--url", emulator.base_url])

    return invoke


def test_token_commands(run, emulator: EmulatorServer) -> None:
    created = run("token", "create", "--validity-days", "30", "--notes", "from cli")
    assert created.exit_code == 0, created.output
    token_id = created.output.split("id: ")[1].split()[0]
    value = created.output.split("API token (shown once): ")[1].strip()
    assert (
        httpx.get(
            f"{emulator.scim_url}/Users", headers={"Authorization": f"Bearer {value}"}, timeout=TIMEOUT_S
        ).status_code
        == 200
    )
    listed = run("token", "list")
    assert "from cli" in listed.output and value not in listed.output
    assert run("token", "disable", token_id).exit_code == 0
    assert (
        httpx.get(
            f"{emulator.scim_url}/Users", headers={"Authorization": f"Bearer {value}"}, timeout=TIMEOUT_S
        ).status_code
        == 401
    )
    assert run("token", "delete", token_id).exit_code == 0
    assert token_id not in run("token", "list").output


def test_propagation_users_and_allowlist_commands(run) -> None:
    assert "on" in run("propagation", "status").output
    assert "off" in run("propagation", "off").output
    assert run("users", "add", "cli.user", "--name", "CLI User", "--email", "c@example.com").exit_code == 0
    assert "cli.user" in run("users", "list").output
    assert run("users", "delete", "cli.user").exit_code == 0
    assert "cli.user" not in run("users", "list").output
    assert "203.0.113.0/24" in run("ip-allowlist", "set", "203.0.113.0/24").output
    assert "203.0.113.0/24" in run("ip-allowlist", "show").output
    assert "no restriction" in run("ip-allowlist", "set").output
    assert "hide_inactive_users=true" in run("rules", "hide_inactive_users=true").output


def test_users_list_shows_every_user_past_the_user_apis_page_of_100(run, admin_http: httpx.Client) -> None:
    for first in (0, 100):
        batch = [
            {"code": f"u{n:03d}", "name": f"User {n}", "password": "pw-1234"}
            for n in range(first, first + 100)
        ]
        assert admin_http.post("/v1/users.json", json={"users": batch}).status_code == 200
    one_more = {"users": [{"code": "u200", "name": "User 200", "password": "pw-1234"}]}
    assert admin_http.post("/v1/users.json", json=one_more).status_code == 200

    listed = run("users", "list")

    assert listed.exit_code == 0, listed.output
    codes = [line.split()[1] for line in listed.output.splitlines()]
    assert codes == [f"u{n:03d}" for n in range(201)]


def test_errors_are_one_readable_harness_error(run, monkeypatch: pytest.MonkeyPatch) -> None:
    from scim_harness.common.errors import HarnessError

    bad = run("ip-allowlist", "set", "not-an-ip")
    assert isinstance(bad.exception, HarnessError) and "not-an-ip" in str(bad.exception)
    monkeypatch.delenv("SCIM_HARNESS_ADMIN_PASSWORD")
    missing = run("token", "list")
    assert isinstance(missing.exception, HarnessError) and "SCIM_HARNESS_ADMIN_PASSWORD" in str(
        missing.exception
    )
    monkeypatch.setenv("SCIM_HARNESS_ADMIN_PASSWORD", "wrong")
    wrong = run("token", "list")
    assert isinstance(wrong.exception, HarnessError) and "401" in str(wrong.exception)
    assert "wrong" not in str(wrong.exception)


def test_unreachable_emulator_is_a_harness_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from scim_harness.common.errors import HarnessError

    monkeypatch.setenv("SCIM_HARNESS_ADMIN_PASSWORD", "x")
    port = free_port()
    result = CliRunner().invoke(emulator_cli, ["propagation", "status", "--url", f"http://127.0.0.1:{port}"])
    assert isinstance(result.exception, HarnessError) and "cannot reach" in str(result.exception)


def test_serve_seeds_the_token_and_never_echoes_it() -> None:
    port = free_port()
    token = "serve-token-abcdef123456"
    env = {"SCIM_HARNESS_TOKEN": token, "SCIM_HARNESS_ADMIN_PASSWORD": "serve-admin-pw"}
    url = f"http://127.0.0.1:{port}/scim/v2/Users"
    response, output = serve_once(
        port, [], env, lambda: httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=1)
    )
    assert response.status_code == 200
    assert "Kintone SCIM emulator" in output
    assert token not in output and "serve-admin-pw" not in output


def test_serve_with_an_unusable_database_is_a_harness_error(tmp_path) -> None:
    from scim_harness.common.errors import HarnessError

    result = CliRunner().invoke(emulator_cli, ["serve", "--db", str(tmp_path / "missing" / "x.sqlite")])
    assert isinstance(result.exception, HarnessError) and "cannot start" in str(result.exception)


def test_serve_on_a_port_in_use_is_one_readable_line() -> None:
    """Through the real entry point: one `error:` line naming the address, no uvicorn log, no traceback."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = "from scim_harness.cli import main; main()"
        result = subprocess.run(
            [sys.executable, "-c", code, "emulator", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        f"error: cannot serve the emulator on 127.0.0.1:{port}: Address already in use"
    ]
    assert "Kintone SCIM emulator" not in result.stdout  # nothing claims to be serving


def test_serve_the_generic_profile_with_a_defect() -> None:
    port = free_port()
    env = {"SCIM_HARNESS_TOKEN": "serve-token-abcdef123456", "SCIM_HARNESS_ADMIN_PASSWORD": "pw"}
    headers = {"Authorization": "Bearer serve-token-abcdef123456"}
    scim = f"http://127.0.0.1:{port}/scim/v2"
    body = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "u"}

    def call() -> tuple[httpx.Response, httpx.Response]:
        types = httpx.get(f"{scim}/ResourceTypes", headers=headers, timeout=1)
        return types, httpx.post(f"{scim}/Users", json=body, headers=headers, timeout=5)

    (types, created), output = serve_once(
        port, ["--profile", "generic", "--defect", "create_200_instead_of_201"], env, call
    )
    assert sorted(t["id"] for t in types.json()["Resources"]) == ["Group", "User"]
    assert created.status_code == 200  # the defect switched on at start
    assert "Generic SCIM service" in output and "create_200_instead_of_201" in output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--ca-out", "ca.pem"], "--tls"),
        (["--tls", "--cert", __file__, "--key", __file__], "not both"),
        (["--defect", "group_rename_ignored"], "not in the kintone profile"),
        (["--trusted-proxy", "not-an-address"], "cannot start"),
    ],
)
def test_serve_refuses_options_that_do_not_fit(args: list[str], words: str) -> None:
    from scim_harness.common.errors import HarnessError

    result = CliRunner().invoke(emulator_cli, ["serve", "--port", "0", *args])
    assert isinstance(result.exception, HarnessError) and words in str(result.exception)
