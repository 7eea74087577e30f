"""The contract every target driver meets: what the conformance suite needs to do to, and see in, a target."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


class NotSupported(Exception):
    """The target cannot do this action; the suite reports the scenario as skipped with this reason."""


@dataclass(frozen=True)
class TargetUser:
    """A user as the target shows it: through Kintone's User API on Kintone (`from_kintone`, the independent
    witness), else through the SCIM endpoint (`from_scim`; Kintone's login name is SCIM's userName)."""

    id: str
    login_name: str
    display_name: str | None
    family_name: str | None
    given_name: str | None
    email: str | None
    active: bool | None
    external_id: str | None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_scim(cls, resource: dict[str, Any]) -> TargetUser:
        name = resource.get("name") or {}
        return cls(
            id=str(resource.get("id")),
            login_name=resource.get("userName", ""),
            display_name=resource.get("displayName"),
            family_name=name.get("familyName"),
            given_name=name.get("givenName"),
            email=_work_email(resource.get("emails") or []),
            active=_as_bool(resource.get("active")),
            external_id=resource.get("externalId"),
            raw=resource,
        )

    @classmethod
    def from_kintone(cls, user: dict[str, Any]) -> TargetUser:
        """A user of Kintone's User API (`GET /v1/users.json`: the User type, kintone-scim.md §5). Kintone
        shows an empty string for an item it does not hold; here that is None, as SCIM's absent attribute.
        The User API has no external id."""
        return cls(
            id=str(user.get("id")),
            login_name=user.get("code") or "",
            display_name=user.get("name") or None,
            family_name=user.get("surName") or None,
            given_name=user.get("givenName") or None,
            email=user.get("email") or None,
            active=_as_bool(user.get("valid")),
            external_id=None,
            raw=user,
        )


def _work_email(emails: list[dict[str, Any]]) -> str | None:
    work = [e for e in emails if e.get("type") == "work"] or [e for e in emails if e.get("primary")] or emails
    return work[0].get("value") if work else None


def _as_bool(value: Any) -> bool | None:
    # Some services echo Entra's legacy string booleans back; read them as booleans.
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return value if value is None else bool(value)


@runtime_checkable
class TargetDriver(Protocol):
    name: str
    """ "emulator" | "kintone" | "scim" """
    scim_url: str
    """The Tenant URL to give the simulator (without any dialect flag)."""
    secret_token: str
    """The Secret Token: never logged, never a step argument."""
    secrets: list[str]
    """Every secret value the driver knows, for redaction."""

    def get_user(self, login_name: str) -> TargetUser | None:
        """The user with this login name (without regard to case); None if there is none. Read through the
        independent witness where the target has one (Kintone's User API), else through SCIM."""

    def find_users(self, login_name: str) -> list[TargetUser]:
        """Every user whose login name matches without regard to case, through the same witness (a check
        that "there is exactly one" counts these)."""

    def add_user_as_admin(self, login_name: str, display_name: str, *, email: str | None = None) -> None:
        """What an administrator does in Kintone: add a user directly, not through provisioning."""

    def delete_user_as_admin(self, login_name: str) -> None:
        """What an administrator does in Kintone: delete a user permanently."""

    def set_propagation(self, enabled: bool) -> None: ...

    def create_token(self, validity_days: int | None, notes: str) -> str:
        """Create an API token the way the Provisioning page does; returns its value (a secret)."""

    def disable_token(self, token: str) -> None: ...

    def delete_token(self, token: str) -> None:
        """Delete a token created by create_token ("Click Delete" on the Provisioning page)."""

    def expire_token(self, token: str) -> None:
        """Make a token created by create_token expired (by moving the target's clock where it has one)."""

    def set_ip_allowlist(self, addresses: list[str]) -> None: ...

    def remove_user(self, login_name: str) -> None:
        """Clean-up after a scenario: remove the user by whatever means the target has; no error if absent."""

    def undo_admin_changes(self) -> None:
        """Clean-up after a scenario: put back every tenant-wide setting this driver changed."""

    def close(self) -> None: ...
