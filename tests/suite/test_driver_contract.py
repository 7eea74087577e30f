"""One contract, every driver: what a target driver must do for the conformance suite.

Drivers run against real servers on loopback: the emulator (in-process), the kintone driver pointed at an
emulator (which serves Kintone's User API), and the scim driver pointed at the emulator and at scim2-server.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from scim_harness.drivers import EmulatorDriver, KintoneDriver, NotSupported, ScimDriver, TargetDriver
from scim_harness.emulator.config import EmulatorConfig
from scim_harness.emulator.server import EmulatorServer
from tests.third_party_scim import scim2_server

ADMIN_ACTIONS = (
    "add_user_as_admin",
    "delete_user_as_admin",
    "set_propagation",
    "create_token",
    "disable_token",
    "expire_token",
    "set_ip_allowlist",
)


@dataclass
class Case:
    driver: TargetDriver
    supports: set[str]


@pytest.fixture(params=["emulator", "kintone-on-emulator", "scim-on-emulator", "scim-on-scim2-server"])
def case(request: pytest.FixtureRequest) -> Iterator[Case]:
    token = f"contract-{uuid.uuid4().hex}"
    if request.param == "emulator":
        driver = EmulatorDriver.start()
        yield Case(driver, set(ADMIN_ACTIONS))
        driver.close()
    elif request.param == "scim-on-scim2-server":
        with scim2_server(token) as url:
            driver = ScimDriver(url, token)
            yield Case(driver, set())
            driver.close()
    else:
        with EmulatorServer(EmulatorConfig(seed_token=token)) as server:
            if request.param == "kintone-on-emulator":
                driver = KintoneDriver(
                    server.base_url, server.scim_url, token, server.admin_login, server.admin_password
                )
                yield Case(driver, {"add_user_as_admin", "delete_user_as_admin"})
            else:
                driver = ScimDriver(server.scim_url, token)
                yield Case(driver, set())
            driver.close()


def _create_by_scim(driver: TargetDriver, login: str) -> int:
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": login,
        "displayName": "Contract",
        "active": True,
    }
    response = httpx.post(
        driver.scim_url + "/Users",
        json=body,
        timeout=10,
        headers={"Authorization": f"Bearer {driver.secret_token}"},
    )
    return response.status_code


def _probe_status(driver: TargetDriver, token: str) -> int:
    return httpx.get(
        driver.scim_url + "/Users",
        params={"filter": 'userName eq "nobody"'},
        timeout=10,
        headers={"Authorization": f"Bearer {token}"},
    ).status_code


def test_a_driver_meets_the_contract(case: Case) -> None:
    driver = case.driver
    login = f"Contract.{uuid.uuid4().hex[:8]}@scim-harness.test"

    # Identity and secrets: the token is known for redaction and never shows in the driver's repr.
    assert isinstance(driver, TargetDriver)
    assert driver.name in ("emulator", "kintone", "scim")
    assert driver.scim_url.startswith("http://127.0.0.1:")
    assert driver.secret_token in driver.secrets
    assert driver.secret_token not in repr(driver)

    # The state in the target, through SCIM: absent, then present whatever the case of the login name.
    assert driver.get_user(login) is None
    assert _create_by_scim(driver, login) == 201
    user = driver.get_user(login.lower())
    assert user is not None and user.login_name == login and user.display_name == "Contract" and user.active

    # Clean-up removes the user, and removing an absent user is no error.
    driver.remove_user(login)
    assert driver.get_user(login) is None
    driver.remove_user(login)

    # Every administrator action either does what it says or says why the target cannot.
    for action in sorted(set(ADMIN_ACTIONS) - case.supports):
        with pytest.raises(NotSupported, match=rf"not supported by target {driver.name}, because \w"):
            _call(driver, action)
    if "add_user_as_admin" in case.supports:
        admin_login = f"admin-made.{uuid.uuid4().hex[:8]}@scim-harness.test"
        driver.add_user_as_admin(admin_login, "Added By Admin")
        assert driver.get_user(admin_login).display_name == "Added By Admin"
        driver.delete_user_as_admin(admin_login)
        assert driver.get_user(admin_login) is None
    if "create_token" in case.supports:
        token = driver.create_token(30, "contract")
        assert token in driver.secrets and _probe_status(driver, token) == 200
        driver.disable_token(token)
        assert _probe_status(driver, token) == 401
        expiring = driver.create_token(30, "contract expiry")
        driver.expire_token(expiring)
        assert _probe_status(driver, expiring) == 401
    if "set_propagation" in case.supports:
        driver.set_propagation(False)
        assert _create_by_scim(driver, login) >= 400
        driver.set_ip_allowlist(["203.0.113.0/24"])
        assert _probe_status(driver, driver.secret_token) >= 400
        driver.undo_admin_changes()
        assert _probe_status(driver, driver.secret_token) == 200
        assert _create_by_scim(driver, login) == 201
        driver.remove_user(login)
    driver.undo_admin_changes()


def _call(driver: TargetDriver, action: str) -> None:
    arguments = {
        "add_user_as_admin": ("x@scim-harness.test", "X"),
        "delete_user_as_admin": ("x@scim-harness.test",),
        "set_propagation": (False,),
        "create_token": (30, "n"),
        "disable_token": ("t",),
        "expire_token": ("t",),
        "set_ip_allowlist": (["203.0.113.0/24"],),
    }[action]
    getattr(driver, action)(*arguments)
