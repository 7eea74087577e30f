"""HTTPS with a test CA, the IP allow list trusting only the socket's peer, and Kintone's REST limit."""

from __future__ import annotations

import ssl
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from scim_harness.emulator.admin_client import AdminClient
from scim_harness.emulator.assumptions import Assumptions, ConnectionLimit
from scim_harness.emulator.config import EmulatorConfig
from scim_harness.emulator.server import EmulatorServer
from tests.emulator.conftest import SEED_TOKEN, TIMEOUT_S, assert_scim_error
from tests.emulator.serve_process import free_port, serve_once

PASSWORD = "pw-transport"
BEARER = {"Authorization": f"Bearer {SEED_TOKEN}"}


def config(**changes: object) -> EmulatorConfig:
    return EmulatorConfig(seed_token=SEED_TOKEN, admin_password=PASSWORD, **changes)  # type: ignore[arg-type]


# -- HTTPS ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_server() -> EmulatorServer:
    with EmulatorServer(config(), tls=True) as server:
        yield server


def test_a_client_that_trusts_the_test_ca_is_served_over_https(tls_server: EmulatorServer) -> None:
    assert tls_server.scim_url.startswith("https://127.0.0.1:")
    trust = ssl.create_default_context(cadata=tls_server.ca_pem.decode())
    response = httpx.get(f"{tls_server.scim_url}/Users", headers=BEARER, verify=trust, timeout=TIMEOUT_S)
    assert response.status_code == 200 and response.url.scheme == "https"


def test_a_client_that_does_not_trust_the_test_ca_fails_the_handshake(tls_server: EmulatorServer) -> None:
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(f"{tls_server.scim_url}/Users", headers=BEARER, timeout=TIMEOUT_S)


def test_the_admin_client_trusts_a_ca_file(tls_server: EmulatorServer) -> None:
    with AdminClient(
        tls_server.base_url, tls_server.admin_login, PASSWORD, verify=tls_server.ca_file
    ) as admin:
        assert admin.profile().tls is True


def test_serve_tls_writes_the_ca_for_clients(tmp_path: Path) -> None:
    port = free_port()
    ca_file = tmp_path / "ca.pem"
    env = {"SCIM_HARNESS_TOKEN": SEED_TOKEN, "SCIM_HARNESS_ADMIN_PASSWORD": PASSWORD}

    def call() -> httpx.Response:
        trust = ssl.create_default_context(cafile=str(ca_file))
        return httpx.get(f"https://127.0.0.1:{port}/scim/v2/Users", headers=BEARER, verify=trust, timeout=1)

    response, output = serve_once(
        port,
        ["--tls", "--ca-out", str(ca_file)],
        env,
        call,
        retry_on=(httpx.TransportError, FileNotFoundError, ssl.SSLError),
    )
    assert response.status_code == 200
    assert f"https://127.0.0.1:{port}/scim/v2" in output and str(ca_file) in output
    assert SEED_TOKEN not in output and PASSWORD not in output


# -- the IP allow list sees the socket's peer only ---------------------------------------------------------


def test_x_forwarded_for_cannot_get_around_the_allow_list() -> None:
    with EmulatorServer(config(ip_allowlist=["203.0.113.0/24"])) as server:
        forged = {**BEARER, "X-Forwarded-For": "203.0.113.5", "Forwarded": "for=203.0.113.5"}
        response = httpx.get(f"{server.scim_url}/Users", headers=forged, timeout=TIMEOUT_S)
        body = assert_scim_error(response, 403)
        assert body["detail"] == "An invalid certificate was entered"


def test_a_trusted_proxy_is_believed_when_configured() -> None:
    with EmulatorServer(config(ip_allowlist=["203.0.113.0/24"], trusted_proxies=["127.0.0.1"])) as server:
        via_proxy = {**BEARER, "X-Forwarded-For": "203.0.113.5"}
        assert httpx.get(f"{server.scim_url}/Users", headers=via_proxy, timeout=TIMEOUT_S).status_code == 200
        outside = {**BEARER, "X-Forwarded-For": "198.51.100.9"}
        assert_scim_error(httpx.get(f"{server.scim_url}/Users", headers=outside, timeout=TIMEOUT_S), 403)


def test_the_refusal_of_an_address_is_an_assumption() -> None:
    from scim_harness.emulator.assumptions import ScimRefusal

    refusal = ScimRefusal(401, None, "Authentication required", (("WWW-Authenticate", "Basic"),))
    assumptions = Assumptions(ip_blocked=refusal)
    with EmulatorServer(config(ip_allowlist=["203.0.113.0/24"], assumptions=assumptions)) as server:
        response = httpx.get(f"{server.scim_url}/Users", headers=BEARER, timeout=TIMEOUT_S)
        assert assert_scim_error(response, 401)["detail"] == "Authentication required"
        assert response.headers["www-authenticate"] == "Basic"


# -- Kintone's REST limit: 100 requests in progress, then 429 ---------------------------------------------


def _hold(server: EmulatorServer, count: int) -> ThreadPoolExecutor:
    """`count` SCIM requests held in progress by the slow_answers defect."""
    with AdminClient(server.base_url, server.admin_login, PASSWORD) as admin:
        admin.defects({"slow_answers": True}, latency_seconds=20)
    pool = ThreadPoolExecutor(max_workers=count)
    for _ in range(count):
        pool.submit(httpx.get, f"{server.scim_url}/ServiceProviderConfig", timeout=60)
    deadline = time.monotonic() + 30
    while server.state is not None and server.state.in_flight < count:
        assert time.monotonic() < deadline, f"only {server.state.in_flight} requests in progress"
        time.sleep(0.05)
    return pool


def test_the_101st_request_in_progress_gets_429() -> None:
    with EmulatorServer(config()) as server:
        pool = _hold(server, 100)
        try:
            response = httpx.get(f"{server.scim_url}/Users", headers=BEARER, timeout=TIMEOUT_S)
            assert_scim_error(response, 429)
            assert "retry-after" not in response.headers
            user_api = httpx.get(f"{server.base_url}/v1/users.json", timeout=TIMEOUT_S)
            assert user_api.status_code == 429 and set(user_api.json()) == {"message", "id", "code"}
            admin = httpx.get(f"{server.base_url}/_emulator/profile", timeout=TIMEOUT_S)
            assert admin.status_code == 401  # the admin surface does not count (and still checks its login)
        finally:
            with AdminClient(server.base_url, server.admin_login, PASSWORD) as admin_client:
                admin_client.defects({"slow_answers": False})
            pool.shutdown(wait=False, cancel_futures=True)


def test_the_limit_is_a_setting() -> None:
    limit = ConnectionLimit(applies=True, limit=3, retry_after_seconds=5)
    with EmulatorServer(config(assumptions=Assumptions(connection_limit=limit))) as server:
        pool = _hold(server, 3)
        try:
            response = httpx.get(f"{server.scim_url}/Users", headers=BEARER, timeout=TIMEOUT_S)
            assert response.status_code == 429 and response.headers["retry-after"] == "5"
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
    off = ConnectionLimit(applies=False, limit=3)
    with EmulatorServer(config(assumptions=Assumptions(connection_limit=off))) as server:
        with AdminClient(server.base_url, server.admin_login, PASSWORD) as admin:
            admin.defects({"slow_answers": True}, latency_seconds=2)
        with ThreadPoolExecutor(max_workers=5) as pool:
            slow = [
                pool.submit(httpx.get, f"{server.scim_url}/ServiceProviderConfig", timeout=30)
                for _ in range(5)
            ]
            time.sleep(0.5)
            # SCIM does not count here: a sixth request in progress is served (after the defect's delay).
            assert httpx.get(f"{server.scim_url}/Users", headers=BEARER, timeout=30).status_code == 200
            assert [future.result().status_code for future in slow] == [200] * 5
            assert server.state is not None and server.state.in_flight == 0
