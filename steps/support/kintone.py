"""The Kintone side: what a Kintone administrator does, and what Kintone holds, through the target driver.

An action the target cannot do raises scim_harness.drivers.NotSupported, which the suite reports as a skip
with the driver's reason. Clean-up (`remove_people`, `KintoneAdmin.undo`) never stops at the first error:
one failure must not leave the rest of a shared tenant behind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from scim_harness.common.scim_wire import ENTERPRISE_SCHEMA
from scim_harness.drivers.base import TargetDriver, TargetUser
from scim_harness.steps.support.people import People


@dataclass(frozen=True)
class IssuedToken:
    """An API token the administrator created on the Provisioning page. The value is a secret: it is in no
    repr, so a step may take this object (allure-pytest-bdd records step arguments)."""

    notes: str
    value: str = field(repr=False)


class Kintone:
    """What Kintone holds for the scenario's people, read through the target driver's witness: Kintone's User
    API on the kintone and emulator targets (never the SCIM endpoint under test), SCIM on a vendor's."""

    def __init__(self, driver: TargetDriver, people: People) -> None:
        self._driver = driver
        self._people = people

    def __repr__(self) -> str:
        return f"Kintone(target={self._driver.name!r})"

    def user(self, alias: str) -> TargetUser | None:
        return self._driver.get_user(self._people[alias].login_name)

    def users(self, alias: str) -> list[TargetUser]:
        """Every user Kintone holds under the alias's login name (without regard to case)."""
        return self._driver.find_users(self._people[alias].login_name)

    def user_with_old_login_name(self, alias: str) -> TargetUser | None:
        return self._driver.get_user(self._people[alias].old_login_names[-1])

    def remember_user(self, alias: str) -> TargetUser | None:
        """Note which Kintone user the alias is now, for a later "the same Kintone user as before"."""
        found = self.user(alias)
        self._people[alias].kintone_id = found.id if found else None
        return found


class KintoneAdmin:
    """What an administrator does in Kintone: users by hand, Propagate Provisioning, API tokens, IP limits.

    Every tenant-wide change is put back by `undo()` after the scenario (the fixture calls it)."""

    def __init__(self, driver: TargetDriver, people: People, on_new_secret: Callable[[str], None]) -> None:
        self._driver = driver
        self._people = people
        self._on_new_secret = on_new_secret
        self._tokens: dict[str, IssuedToken] = {}

    def __repr__(self) -> str:
        return f"KintoneAdmin(target={self._driver.name!r})"

    def add_user(self, alias: str, display_name: str) -> None:
        self._driver.add_user_as_admin(self._people[alias].login_name, display_name)

    def delete_user(self, alias: str) -> None:
        self._driver.delete_user_as_admin(self._people[alias].login_name)

    def switch_propagation(self, enabled: bool) -> None:
        self._driver.set_propagation(enabled)

    def create_token(self, validity_days: int | None, notes: str) -> IssuedToken:
        value = self._driver.create_token(validity_days, notes)
        self._on_new_secret(value)  # redacted from captures and reports from now on
        self._tokens[notes] = token = IssuedToken(notes, value)
        return token

    def token(self, notes: str) -> IssuedToken:
        """A token this scenario created, by its notes (as the Provisioning page lists them)."""
        try:
            return self._tokens[notes]
        except KeyError:
            raise ValueError(f"the scenario created no API token with notes {notes!r}") from None

    def disable_token(self, token: IssuedToken) -> None:
        self._driver.disable_token(token.value)

    def delete_token(self, token: IssuedToken) -> None:
        self._driver.delete_token(token.value)

    def expire_token(self, token: IssuedToken) -> None:
        self._driver.expire_token(token.value)

    def restrict_ip_addresses(self, addresses: list[str]) -> None:
        self._driver.set_ip_allowlist(addresses)

    def undo(self) -> None:
        self._driver.undo_admin_changes()


def remove_people(driver: TargetDriver, people: People) -> list[str]:
    """Remove every user the scenario named (old login names too); the problems, one line each."""
    problems: list[str] = []
    for login in people.login_names():
        try:
            driver.remove_user(login)
        except Exception as exc:
            problems.append(f"removing {login}: {exc}")
    return problems


def unpropagated_items(resource: dict[str, Any]) -> dict[str, Any]:
    """Department, job title and roles wherever a SCIM resource could keep them ("Departments, Job Titles,
    and Groups (or Roles) will not be propagated")."""
    kept = {
        "title": resource.get("title"),
        "department": (resource.get(ENTERPRISE_SCHEMA) or {}).get("department") or resource.get("department"),
        "roles": resource.get("roles"),
    }
    return {name: value for name, value in kept.items() if value}
