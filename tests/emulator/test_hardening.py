"""Issue 10's other rules for the emulator: administrator logins throttled after failures, every body bounded
before it is read, one process per database file."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from scim_harness.emulator.assumptions import Assumptions, LoginThrottle
from scim_harness.emulator.config import EmulatorConfig
from scim_harness.emulator.server import EmulatorServer
from scim_harness.emulator.store import DatabaseInUse
from tests.emulator.conftest import ADMIN_PASSWORD, SEED_TOKEN, TIMEOUT_S
from tests.emulator.hostile_http import HostileRequest, send
from tests.emulator.serve_process import free_port


def credential(password: str) -> str:
    return base64.b64encode(f"Administrator:{password}".encode()).decode()


def config(**changes: object) -> EmulatorConfig:
    return EmulatorConfig(seed_token=SEED_TOKEN, admin_password=ADMIN_PASSWORD, **changes)  # type: ignore[arg-type]


# -- failed administrator logins ---------------------------------------------------------------------------


def test_ten_failed_logins_then_429_in_kintones_shape_even_with_the_right_password() -> None:
    with (
        EmulatorServer(config()) as server,
        httpx.Client(base_url=server.base_url, timeout=TIMEOUT_S) as http,
    ):
        wrong = {"X-Cybozu-Authorization": credential("guess")}
        statuses = [http.get("/_emulator/tokens", headers=wrong).status_code for _ in range(10)]
        assert statuses == [401] * 10
        refused = http.get(
            "/_emulator/tokens", headers={"X-Cybozu-Authorization": credential(ADMIN_PASSWORD)}
        )
        assert refused.status_code == 429
        assert set(refused.json()) == {"message", "id", "code"} and refused.json()["code"] == "CB_TM01"
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        # The User API copy is the administrator's too.
        assert http.get("/v1/users.json", headers=wrong).status_code == 429


def test_a_successful_login_forgets_the_failures() -> None:
    with (
        EmulatorServer(config()) as server,
        httpx.Client(base_url=server.base_url, timeout=TIMEOUT_S) as http,
    ):
        right = {"X-Cybozu-Authorization": credential(ADMIN_PASSWORD)}
        for _ in range(3):
            for _ in range(9):
                http.get("/_emulator/profile", headers={"X-Cybozu-Authorization": credential("guess")})
            assert http.get("/_emulator/profile", headers=right).status_code == 200


def test_failures_count_per_address_and_the_window_passes() -> None:
    """Behind a trusted proxy each client has its own count; after the window, the address may try again."""
    throttle = Assumptions(admin_login_throttle=LoginThrottle(max_failures=3, window_seconds=1.0))
    with (
        EmulatorServer(config(trusted_proxies=["127.0.0.1"], assumptions=throttle)) as server,
        httpx.Client(base_url=server.base_url, timeout=TIMEOUT_S) as http,
    ):
        wrong = {"X-Cybozu-Authorization": credential("guess"), "X-Forwarded-For": "203.0.113.1"}
        assert [http.get("/_emulator/clock", headers=wrong).status_code for _ in range(4)] == [401] * 3 + [
            429
        ]
        other = {"X-Cybozu-Authorization": credential(ADMIN_PASSWORD), "X-Forwarded-For": "203.0.113.2"}
        assert http.get("/_emulator/clock", headers=other).status_code == 200
        time.sleep(1.1)
        assert http.get("/_emulator/clock", headers=wrong).status_code == 401


def test_a_thousand_wrong_passwords_are_not_checked_at_full_speed() -> None:
    """The issue's attack: 1,000 wrong passwords used to be checked at 579 a second. Now 10 are."""
    with (
        EmulatorServer(config()) as server,
        httpx.Client(base_url=server.base_url, timeout=TIMEOUT_S) as http,
    ):
        began = time.perf_counter()
        wrong = {"X-Cybozu-Authorization": credential("guess")}
        statuses = [http.get("/_emulator/tokens", headers=wrong).status_code for _ in range(1_000)]
        seconds = time.perf_counter() - began
    checked, refused = statuses.count(401), statuses.count(429)
    print(f"1,000 wrong passwords in {seconds:.2f} s: {checked} checked, {refused} refused")
    assert statuses.count(401) == 10 and statuses.count(429) == 990


# -- bodies bounded before they are read -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "shape"),
    [
        (b"PUT", b"/_emulator/clock", "message"),
        (b"POST", b"/v1/users.json", "message"),
        (b"POST", b"/scim/v2/Users", "schemas"),
    ],
)
def test_an_announced_300_mb_body_is_refused_before_a_byte_is_read(
    method: bytes, path: bytes, shape: str
) -> None:
    """The answer comes while the body has not been sent: nothing waited for it, nothing held it."""
    headers = (
        (b"Host", b"127.0.0.1"),
        (b"Authorization", f"Bearer {SEED_TOKEN}".encode()),
        (b"X-Cybozu-Authorization", credential(ADMIN_PASSWORD).encode()),
        (b"Content-Type", b"application/json"),
        (b"Content-Length", b"300000000"),
    )
    with EmulatorServer(config()) as server:
        answer = send(
            server.host, server.port, HostileRequest(method, path, headers, b"{", "none"), timeout=5
        )
    assert answer.status == 413 and answer.seconds < 2.0
    assert shape in answer.body.decode()


def test_a_chunked_body_is_cut_at_the_limit() -> None:
    """Without a Content-Length the body is read up to the limit (1 MiB) and refused there."""
    body = b'{"users": [' + b" " * 1_200_000 + b"]}"
    headers = ((b"Host", b"127.0.0.1"), (b"X-Cybozu-Authorization", credential(ADMIN_PASSWORD).encode()))
    with EmulatorServer(config()) as server:
        answer = send(
            server.host, server.port, HostileRequest(b"POST", b"/v1/users.json", headers, body, "chunked")
        )
    assert answer.status == 413 and b"1048576 bytes" in answer.body


# -- one process per database file ------------------------------------------------------------------------


def test_a_second_emulator_on_the_same_file_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    db = str(tmp_path / "one.sqlite")
    held_by_us = rf"the database {db} is in use by another emulator \(process {os.getpid()}\)"
    with EmulatorServer(config(db_path=db)), pytest.raises(DatabaseInUse, match=held_by_us):
        EmulatorServer(config(db_path=db)).start()
    with EmulatorServer(config(db_path=db)) as again:  # free once the first has stopped
        assert again.state is not None


def test_a_second_emulator_process_exits_with_one_line(tmp_path: Path) -> None:
    db = str(tmp_path / "one.sqlite")
    port = free_port()
    with EmulatorServer(config(db_path=db)):
        code = "from scim_harness.cli import main; main()"
        result = subprocess.run(
            [sys.executable, "-c", code, "emulator", "serve", "--db", db, "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "SCIM_HARNESS_TOKEN": SEED_TOKEN},
        )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"error: cannot start the emulator: the database {db} is in use"
    )
    assert "Kintone SCIM emulator" not in result.stdout
