"""The httptools protocol refuses what h11 refused before the app (emulator/http_protocol.py): a head over
16 KiB, whole or still arriving, and an HTTP/1.1 request without Host; uvicorn's plain httptools protocol,
put back in its place, lets each through (so each check can fail)."""

from __future__ import annotations

import socket
import time

import pytest
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from scim_harness.emulator import server as server_module
from scim_harness.emulator.config import EmulatorConfig
from scim_harness.emulator.http_protocol import MAX_HEAD_BYTES
from scim_harness.emulator.server import EmulatorServer
from tests.emulator.conftest import SEED_TOKEN
from tests.emulator.hostile_http import HostileRequest, send

AUTH = (b"Authorization", f"Bearer {SEED_TOKEN}".encode())
REFUSED = b"Invalid HTTP request received."


def _config() -> EmulatorConfig:
    return EmulatorConfig(seed_token=SEED_TOKEN, admin_password="x" * 16)


def _big_head(size: int) -> HostileRequest:
    headers = ((b"Host", b"127.0.0.1"), AUTH, (b"X-Padding", b"a" * size))
    return HostileRequest(b"GET", b"/scim/v2/Users", headers)


def _head_that_never_ends(port: int) -> bytes:
    """Headers sent in 1 KiB pieces past the limit, the head never finished; what comes back (b"" if
    nothing did within 5 s)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET /scim/v2/Users HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        try:
            for number in range(2 * MAX_HEAD_BYTES // 1024):
                sock.sendall(b"X-Pad-%d: %s\r\n" % (number, b"a" * 1000))
                time.sleep(0.002)
        except OSError:
            pass  # refused and closed while we still sent: read what came
        try:
            return sock.recv(4096)
        except OSError:
            return b""


def test_a_head_over_16_kib_is_refused_whole() -> None:
    with EmulatorServer(_config()) as server:
        answer = send(server.host, server.port, _big_head(MAX_HEAD_BYTES + 1))
    assert answer.complete and answer.status == 400 and answer.body == REFUSED


def test_a_head_under_the_limit_is_served() -> None:
    with EmulatorServer(_config()) as server:
        answer = send(server.host, server.port, _big_head(MAX_HEAD_BYTES - 1024))
    assert answer.complete and answer.status == 200


def test_a_head_still_arriving_is_refused_at_the_limit() -> None:
    with EmulatorServer(_config()) as server:
        answer = _head_that_never_ends(server.port)
    assert answer.startswith(b"HTTP/1.1 400") and answer.endswith(REFUSED)


def test_an_http_11_request_without_host_is_refused() -> None:
    with EmulatorServer(_config()) as server:
        answer = send(server.host, server.port, HostileRequest(b"GET", b"/scim/v2/Users", (AUTH,)))
    assert answer.complete and answer.status == 400 and answer.body == REFUSED


def test_uvicorns_plain_httptools_protocol_lets_each_through(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server_module, "HTTP_PROTOCOL", HttpToolsProtocol)
    with EmulatorServer(_config()) as server:
        big = send(server.host, server.port, _big_head(MAX_HEAD_BYTES + 1))
        hostless = send(server.host, server.port, HostileRequest(b"GET", b"/scim/v2/Users", (AUTH,)))
        endless = _head_that_never_ends(server.port)
    assert big.status == 200
    assert hostless.status != 400 or hostless.body != REFUSED
    assert not endless.startswith(b"HTTP/1.1 400")
