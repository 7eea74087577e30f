"""One contract, every driver: the rules a target driver follows for the conformance suite, one rule a test.

`TargetDriverContract` holds the rules (in the style of scim2-server's `ScimStorageContract`); each `Test...`
class below runs them against one driver on a real server on loopback: the emulator (in-process), the kintone
driver pointed at an emulator (which serves Kintone's User API), and the scim driver pointed at the emulator
and at PyPI's scim2-server. A new driver gets its own subclass with a `driver` fixture and `SUPPORTS`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from scim_harness.common.scim_wire import USER_SCHEMA
from scim_harness.config import TARGETS
from scim_harness.drivers import EmulatorDriver, KintoneDriver, NotSupported, ScimDriver, TargetDriver
from scim_harness.emulator.admin_client import AdminClient
from scim_harness.emulator.config import EmulatorConfig
from scim_harness.emulator.server import EmulatorServer
from tests.third_party_scim import scim2_server

ADMIN_ACTIONS: dict[str, tuple] = {
    # action -> arguments for a call that must either act or say why it cannot
    "add_user_as_admin": ("x@scim-harness.test", "X"),
    "delete_user_as_admin": ("x@scim-harness.test",),
    "set_propagation": (False,),
    "create_token": (30, "contract"),
    "disable_token": ("t",),
    "delete_token": ("t",),
    "expire_token": ("t",),
    "set_ip_allowlist": (["203.0.113.0/24"],),
}
ELSEWHERE = ["203.0.113.0/24"]  # TEST-NET-3 (RFC 5737): never the address the tests call from


def _login() -> str:
    return f"Contract.{uuid.uuid4().hex[:8]}@scim-harness.test"


def _create_by_scim(driver: TargetDriver, login: str) -> int:
    """A user made the way Entra makes one, without the driver (the driver only reads)."""
    body = {"schemas": [USER_SCHEMA], "userName": login, "displayName": "Contract", "active": True}
    headers = {"Authorization": f"Bearer {driver.secret_token}"}
    return httpx.post(driver.scim_url + "/Users", json=body, timeout=10, headers=headers).status_code


def _status_with(driver: TargetDriver, token: str) -> int:
    """The status the target answers a look-up made with this token."""
    return httpx.get(
        driver.scim_url + "/Users",
        params={"filter": 'userName eq "nobody"'},
        timeout=10,
        headers={"Authorization": f"Bearer {token}"},
    ).status_code


class TargetDriverContract:
    """The rules of scim_harness.drivers.base.TargetDriver. Subclasses give a `driver` fixture (class-scoped:
    the rules share one target and each leaves it as it found it) and the administrator actions it SUPPORTS;
    every other action must raise NotSupported with the reason."""

    SUPPORTS: frozenset[str] = frozenset()

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "unsupported_action" in metafunc.fixturenames:
            actions = sorted(set(ADMIN_ACTIONS) - self.SUPPORTS)
            metafunc.parametrize(
                "unsupported_action",
                actions or [pytest.param(None, marks=pytest.mark.skip(reason="every action is supported"))],
            )

    @pytest.fixture(autouse=True)
    def _leave_the_target_as_found(self, driver: TargetDriver) -> Iterator[None]:
        yield
        driver.undo_admin_changes()

    def require(self, action: str) -> None:
        """Skip a rule of an action the driver does not support (test_an_unsupported_action_says_why checks
        that it says why instead)."""
        if action not in self.SUPPORTS:
            pytest.skip(f"the driver does not support {action}")

    # ---- identity and secrets ---------------------------------------------------------------------------

    def test_it_is_a_target_driver(self, driver: TargetDriver) -> None:
        assert isinstance(driver, TargetDriver)

    def test_its_name_is_a_target(self, driver: TargetDriver) -> None:
        assert driver.name in TARGETS

    def test_its_scim_url_and_secret_token_are_answered(self, driver: TargetDriver) -> None:
        assert not driver.scim_url.endswith("/")
        assert _status_with(driver, driver.secret_token) == 200

    def test_its_secret_token_is_among_its_secrets(self, driver: TargetDriver) -> None:
        assert driver.secret_token in driver.secrets

    def test_its_repr_shows_no_secret(self, driver: TargetDriver) -> None:
        shown = repr(driver) + str(driver)
        assert not [s for s in driver.secrets if s in shown]

    # ---- the state in the target, through SCIM ----------------------------------------------------------

    def test_a_user_not_in_the_target_is_none(self, driver: TargetDriver) -> None:
        assert driver.get_user(_login()) is None

    def test_a_user_is_found_whatever_the_case_of_the_login_name(self, driver: TargetDriver) -> None:
        login = _login()
        assert _create_by_scim(driver, login) == 201
        found = driver.get_user(login.lower())
        assert found is not None and found.login_name == login

    def test_find_users_gives_every_user_with_the_login_name(self, driver: TargetDriver) -> None:
        login = _login()
        assert _create_by_scim(driver, login) == 201
        assert [u.login_name for u in driver.find_users(login.upper())] == [login]
        assert driver.find_users(_login()) == []

    def test_a_found_user_has_its_fields(self, driver: TargetDriver) -> None:
        login = _login()
        assert _create_by_scim(driver, login) == 201
        found = driver.get_user(login)
        assert found is not None and found.id
        assert (found.display_name, found.active) == ("Contract", True)

    # ---- clean-up ---------------------------------------------------------------------------------------

    def test_remove_user_removes_the_user(self, driver: TargetDriver) -> None:
        login = _login()
        assert _create_by_scim(driver, login) == 201
        driver.remove_user(login)
        assert driver.get_user(login) is None

    def test_removing_an_absent_user_is_no_error(self, driver: TargetDriver) -> None:
        driver.remove_user(_login())

    def test_undoing_without_changes_is_no_error(self, driver: TargetDriver) -> None:
        driver.undo_admin_changes()
        assert _status_with(driver, driver.secret_token) == 200

    # ---- administrator actions --------------------------------------------------------------------------

    def test_an_unsupported_action_says_why(self, driver: TargetDriver, unsupported_action: str) -> None:
        with pytest.raises(NotSupported, match=rf"not supported by target {driver.name}, because \w"):
            getattr(driver, unsupported_action)(*ADMIN_ACTIONS[unsupported_action])

    def test_a_user_added_as_administrator_is_found(self, driver: TargetDriver) -> None:
        self.require("add_user_as_admin")
        login = _login()
        driver.add_user_as_admin(login, "Added By Admin")
        found = driver.get_user(login)
        assert found is not None and found.display_name == "Added By Admin"

    def test_a_user_deleted_as_administrator_is_gone(self, driver: TargetDriver) -> None:
        self.require("delete_user_as_admin")
        login = _login()
        assert _create_by_scim(driver, login) == 201
        driver.delete_user_as_admin(login)
        assert driver.get_user(login) is None

    def test_a_created_token_is_a_secret_that_works(self, driver: TargetDriver) -> None:
        self.require("create_token")
        token = driver.create_token(30, "contract")
        assert token in driver.secrets
        assert _status_with(driver, token) == 200

    def test_a_disabled_token_is_refused(self, driver: TargetDriver) -> None:
        self.require("disable_token")
        token = driver.create_token(30, "contract disabled")
        driver.disable_token(token)
        assert _status_with(driver, token) == 401

    def test_a_deleted_token_is_refused(self, driver: TargetDriver) -> None:
        self.require("delete_token")
        token = driver.create_token(30, "contract deleted")
        assert _status_with(driver, token) == 200
        driver.delete_token(token)
        assert _status_with(driver, token) == 401

    def test_an_expired_token_is_refused(self, driver: TargetDriver) -> None:
        self.require("expire_token")
        token = driver.create_token(30, "contract expiry")
        driver.expire_token(token)
        assert _status_with(driver, token) == 401

    def test_the_suite_token_outlives_an_expired_one(self, driver: TargetDriver) -> None:
        self.require("expire_token")
        driver.expire_token(driver.create_token(30, "contract expiry"))
        assert _status_with(driver, driver.secret_token) == 200

    def test_with_propagation_off_a_create_is_refused(self, driver: TargetDriver) -> None:
        self.require("set_propagation")
        driver.set_propagation(False)
        assert _create_by_scim(driver, _login()) >= 400

    def test_an_ip_restriction_elsewhere_refuses_us(self, driver: TargetDriver) -> None:
        self.require("set_ip_allowlist")
        driver.set_ip_allowlist(ELSEWHERE)
        assert _status_with(driver, driver.secret_token) >= 400

    def test_undoing_switches_propagation_back_on(self, driver: TargetDriver) -> None:
        self.require("set_propagation")
        driver.set_propagation(False)
        driver.undo_admin_changes()
        assert _create_by_scim(driver, _login()) == 201

    def test_undoing_lifts_the_ip_restriction(self, driver: TargetDriver) -> None:
        self.require("set_ip_allowlist")
        driver.set_ip_allowlist(ELSEWHERE)
        driver.undo_admin_changes()
        assert _status_with(driver, driver.secret_token) == 200

    def test_undoing_deletes_the_tokens_it_created(self, driver: TargetDriver) -> None:
        self.require("create_token")
        token = driver.create_token(30, "contract undo")
        driver.undo_admin_changes()
        assert _status_with(driver, token) == 401


# ---- the drivers -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def running_emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorConfig()) as server:
        yield server


@contextmanager
def _emulator() -> Iterator[tuple[EmulatorServer, str]]:
    """An emulator of this class's own, seeded with a token the driver is given."""
    token = f"contract-{uuid.uuid4().hex}"
    with EmulatorServer(EmulatorConfig(seed_token=token)) as server:
        yield server, token


def _closing(driver: TargetDriver) -> Iterator[TargetDriver]:
    try:
        yield driver
    finally:
        driver.close()


def _admin(server: EmulatorServer) -> AdminClient:
    return AdminClient(server.base_url, server.admin_login, server.admin_password)


class TestEmulatorDriver(TargetDriverContract):
    """An emulator of the driver's own, in-process (the default target)."""

    SUPPORTS = frozenset(ADMIN_ACTIONS)

    @pytest.fixture(scope="class")
    @classmethod
    def driver(cls) -> Iterator[EmulatorDriver]:
        yield from _closing(EmulatorDriver.start())


class TestEmulatorDriverOnARunningEmulator(TargetDriverContract):
    """A shared emulator (`--url`): the driver makes a token of its own and leaves the emulator as it was."""

    SUPPORTS = frozenset(ADMIN_ACTIONS)

    @pytest.fixture(scope="class")
    @classmethod
    def driver(cls, running_emulator: EmulatorServer) -> Iterator[EmulatorDriver]:
        server = running_emulator
        yield from _closing(
            EmulatorDriver(server.base_url, server.scim_url, server.admin_login, server.admin_password)
        )

    def test_undoing_puts_the_emulator_clock_back(
        self, driver: EmulatorDriver, running_emulator: EmulatorServer
    ) -> None:
        driver.expire_token(driver.create_token(30, "contract clock"))
        driver.undo_admin_changes()
        with _admin(running_emulator) as admin:
            assert admin.clock() == 0

    def test_closing_deletes_its_token_and_puts_the_rule_switches_back(
        self, running_emulator: EmulatorServer
    ) -> None:
        server = running_emulator
        with _admin(server) as admin:
            tokens_before, rules_before = admin.list_tokens(), admin.rules()
            other = EmulatorDriver(
                server.base_url,
                server.scim_url,
                server.admin_login,
                server.admin_password,
                rules={"allow_login_name_change": True},
            )
            assert admin.rules()["allow_login_name_change"] is True
            assert len(admin.list_tokens()) == len(tokens_before) + 1
            other.close()
            assert (admin.list_tokens(), admin.rules()) == (tokens_before, rules_before)


class TestKintoneDriverOnTheEmulator(TargetDriverContract):
    """A real Kintone's driver against the emulator's copy of Kintone's SCIM endpoint and User API."""

    SUPPORTS = frozenset({"add_user_as_admin", "delete_user_as_admin"})

    @pytest.fixture(scope="class")
    @classmethod
    def driver(cls) -> Iterator[KintoneDriver]:
        with _emulator() as (server, token):
            yield from _closing(
                KintoneDriver(
                    server.base_url, server.scim_url, token, server.admin_login, server.admin_password
                )
            )


class TestKintoneDriverWithoutAdministrator(TargetDriverContract):
    """Without an administrator login the User API is out of reach: clean-up falls back to SCIM DELETE."""

    @pytest.fixture(scope="class")
    @classmethod
    def driver(cls) -> Iterator[KintoneDriver]:
        with _emulator() as (server, token):
            yield from _closing(KintoneDriver(server.base_url, server.scim_url, token, None, None))


class TestScimDriverOnTheEmulator(TargetDriverContract):
    @pytest.fixture(scope="class")
    @classmethod
    def driver(cls) -> Iterator[ScimDriver]:
        with _emulator() as (server, token):
            yield from _closing(ScimDriver(server.scim_url, token))


class TestScimDriverOnScim2Server(TargetDriverContract):
    """A generic SCIM service that is not ours (PyPI's scim2-server)."""

    @pytest.fixture(scope="class")
    @classmethod
    def driver(cls) -> Iterator[ScimDriver]:
        token = f"contract-{uuid.uuid4().hex}"
        with scim2_server(token) as url:
            yield from _closing(ScimDriver(url, token))
