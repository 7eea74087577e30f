"""The contract every target driver meets: what the conformance suite needs to do to, and see in, a target."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


class NotSupported(Exception):
    """The target cannot do this action; the suite reports the scenario as skipped with this reason."""


@dataclass(frozen=True)
class TargetUser:
    """A user as the target's SCIM endpoint shows it (Kintone's login name is SCIM's userName)."""

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
        """The user with this login name (as the target matches it), via SCIM; None if there is none."""

    def add_user_as_admin(self, login_name: str, display_name: str, *, email: str | None = None) -> None:
        """What an administrator does in Kintone: add a user directly, not through provisioning."""

    def delete_user_as_admin(self, login_name: str) -> None:
        """What an administrator does in Kintone: delete a user permanently."""

    def set_propagation(self, enabled: bool) -> None: ...

    def create_token(self, validity_days: int | None, notes: str) -> str:
        """Create an API token the way the Provisioning page does; returns its value (a secret)."""

    def disable_token(self, token: str) -> None: ...

    def expire_token(self, token: str) -> None:
        """Make a token created by create_token expired (by moving the target's clock where it has one)."""

    def set_ip_allowlist(self, addresses: list[str]) -> None: ...

    def remove_user(self, login_name: str) -> None:
        """Clean-up after a scenario: remove the user by whatever means the target has; no error if absent."""

    def undo_admin_changes(self) -> None:
        """Clean-up after a scenario: put back every tenant-wide setting this driver changed."""

    def close(self) -> None: ...
