"""The driver contract can fail: each driver here breaks one rule on purpose, and that rule must go red.

A rule that passes whatever the driver does is not a rule (docs: "Every check can fail").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from scim_harness.drivers import EmulatorDriver, NotSupported, ScimDriver, TargetDriver, TargetUser
from tests.suite.test_driver_contract import TargetDriverContract
from tests.third_party_scim import scim2_server

TOKEN = "contract-can-fail-token"


class LeaksItsToken(ScimDriver):
    def __repr__(self) -> str:
        return f"ScimDriver(token={self.secret_token})"


class ForgetsItsToken(ScimDriver):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.secrets = []


class TrailingSlash(ScimDriver):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scim_url += "/"


class CaseSensitive(ScimDriver):
    def get_user(self, login_name: str) -> TargetUser | None:
        found = super().get_user(login_name)
        return found if found and found.login_name == login_name else None


class FindsNobody(ScimDriver):
    def find_users(self, login_name: str) -> list[TargetUser]:
        return []


class RemovesNothing(ScimDriver):
    def remove_user(self, login_name: str) -> None:
        """Forgets to clean up."""


class FailsOnAbsentUsers(ScimDriver):
    def remove_user(self, login_name: str) -> None:
        if self.get_user(login_name) is None:
            raise LookupError(login_name)
        super().remove_user(login_name)


class GivesNoReason(ScimDriver):
    def set_propagation(self, enabled: bool) -> None:
        raise NotSupported("no")


class UndoesNothing(EmulatorDriver):
    def undo_admin_changes(self) -> None:
        """Leaves every switch as the scenario left it."""


class DisablesNothing(EmulatorDriver):
    def disable_token(self, token: str) -> None:
        """Says it disabled the token."""


class DeletesNothing(EmulatorDriver):
    def delete_token(self, token: str) -> None:
        """Says it deleted the token."""


class ExpiresNothing(EmulatorDriver):
    def expire_token(self, token: str) -> None:
        """Says it expired the token."""


SCIM_CASES: list[tuple[type[ScimDriver], str, dict[str, Any]]] = [
    (LeaksItsToken, "test_its_repr_shows_no_secret", {}),
    (ForgetsItsToken, "test_its_secret_token_is_among_its_secrets", {}),
    (TrailingSlash, "test_its_scim_url_and_secret_token_are_answered", {}),
    (CaseSensitive, "test_a_user_is_found_whatever_the_case_of_the_login_name", {}),
    (FindsNobody, "test_find_users_gives_every_user_with_the_login_name", {}),
    (RemovesNothing, "test_remove_user_removes_the_user", {}),
    (FailsOnAbsentUsers, "test_removing_an_absent_user_is_no_error", {}),
    (GivesNoReason, "test_an_unsupported_action_says_why", {"unsupported_action": "set_propagation"}),
]
EMULATOR_CASES: list[tuple[type[EmulatorDriver], str]] = [
    (UndoesNothing, "test_undoing_switches_propagation_back_on"),
    (UndoesNothing, "test_undoing_lifts_the_ip_restriction"),
    (UndoesNothing, "test_undoing_deletes_the_tokens_it_created"),
    (DisablesNothing, "test_a_disabled_token_is_refused"),
    (DeletesNothing, "test_a_deleted_token_is_refused"),
    (ExpiresNothing, "test_an_expired_token_is_refused"),
]


class _Contract(TargetDriverContract):
    SUPPORTS = frozenset(
        {
            "set_propagation",
            "set_ip_allowlist",
            "create_token",
            "disable_token",
            "delete_token",
            "expire_token",
        }
    )


@pytest.fixture(scope="module")
def scim_url() -> Iterator[str]:
    with scim2_server(TOKEN) as url:
        yield url


def _breaks(rule: Callable[..., None], driver: TargetDriver, **arguments: Any) -> None:
    # Red in any form: a failed assertion, or the driver's own error where the rule is "no error".
    with pytest.raises((Exception, pytest.fail.Exception)):
        rule(driver, **arguments)


@pytest.mark.parametrize(("broken", "rule", "arguments"), SCIM_CASES, ids=[c[1] for c in SCIM_CASES])
def test_a_scim_driver_breaking_a_rule_fails_it(
    broken: type[ScimDriver], rule: str, arguments: dict[str, Any], scim_url: str
) -> None:
    driver = broken(scim_url, TOKEN)
    try:
        _breaks(getattr(_Contract(), rule), driver, **arguments)
    finally:
        driver.close()


@pytest.mark.parametrize(("broken", "rule"), EMULATOR_CASES, ids=[c[1] for c in EMULATOR_CASES])
def test_an_emulator_driver_breaking_a_rule_fails_it(broken: type[EmulatorDriver], rule: str) -> None:
    driver = broken.start()
    try:
        _breaks(getattr(_Contract(), rule), driver)
    finally:
        driver.close()
