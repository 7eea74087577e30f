"""On Kintone targets the checks read users through Kintone's User API, the independent witness, and not
through the SCIM endpoint under test (issue 9, "Kintone as published").

The emulator's IP restriction covers SCIM only (docs/emulator.md), so a driver that still finds a user while
SCIM refuses it read the user through the User API; a driver without an administrator reads SCIM, and fails.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from scim_harness.common.errors import HarnessError
from scim_harness.common.scim_wire import USER_SCHEMA
from scim_harness.drivers import EmulatorDriver, KintoneDriver
from scim_harness.emulator.admin_client import AdminClient
from scim_harness.emulator.config import EmulatorConfig
from scim_harness.emulator.server import EmulatorServer

ELSEWHERE = ["203.0.113.0/24"]  # TEST-NET-3: never the address the tests call from
TOKEN = f"witness-{uuid.uuid4().hex}"


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorConfig(seed_token=TOKEN)) as running:
        yield running


@pytest.fixture
def admin(server: EmulatorServer) -> Iterator[AdminClient]:
    with AdminClient(server.base_url, server.admin_login, server.admin_password) as client:
        yield client
        client.ip_allowlist([])


def _provisioned(server: EmulatorServer) -> str:
    login = f"Witness.{uuid.uuid4().hex[:8]}@scim-harness.test"
    body = {"schemas": [USER_SCHEMA], "userName": login, "displayName": "Wit Ness", "active": False}
    answer = httpx.post(server.scim_url + "/Users", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 201
    return login


def test_the_kintone_driver_reads_users_through_the_user_api(server, admin) -> None:
    login = _provisioned(server)
    admin.ip_allowlist(ELSEWHERE)  # SCIM now refuses us; the User API does not
    driver = KintoneDriver(server.base_url, server.scim_url, TOKEN, server.admin_login, server.admin_password)
    try:
        found = driver.get_user(login.lower())
        assert found is not None and (found.login_name, found.display_name) == (login, "Wit Ness")
        assert found.active is False and "valid" in found.raw  # Kintone's User type, not a SCIM resource
        assert [u.id for u in driver.find_users(login)] == [found.id]
        assert driver.witness == "Kintone's User API"
    finally:
        driver.close()


def test_the_emulator_driver_reads_users_through_the_user_api(server) -> None:
    login = _provisioned(server)
    driver = EmulatorDriver(server.base_url, server.scim_url, server.admin_login, server.admin_password)
    try:
        driver.set_ip_allowlist(ELSEWHERE)
        found = driver.get_user(login)
        assert found is not None and found.login_name == login and "valid" in found.raw
    finally:
        driver.undo_admin_changes()
        driver.close()


def test_without_an_administrator_the_checks_read_scim(server, admin) -> None:
    login = _provisioned(server)
    driver = KintoneDriver(server.base_url, server.scim_url, TOKEN, None, None)
    try:
        assert driver.get_user(login) is not None
        assert driver.witness.startswith("the SCIM endpoint")
        admin.ip_allowlist(ELSEWHERE)
        with pytest.raises(HarnessError, match="HTTP 403"):
            driver.get_user(login)
    finally:
        driver.close()
