"""Driver for any vendor's SCIM endpoint: SCIM only, no administrator actions."""

from __future__ import annotations

from scim_harness.drivers.base import NotSupported, TargetUser
from scim_harness.drivers.scim_reader import ScimReader

_WHY = "a generic SCIM service has no administrator API the harness knows"


class ScimDriver:
    name = "scim"

    def __init__(self, scim_url: str, token: str, *, timeout: float | None = None) -> None:
        self.scim_url = scim_url.rstrip("/")
        self.secret_token = token
        self.secrets = [token]
        self._scim = ScimReader(self.scim_url, token, timeout=timeout)

    def _unsupported(self, action: str) -> NotSupported:
        return NotSupported(f"{action}: not supported by target {self.name}, because {_WHY}")

    def get_user(self, login_name: str) -> TargetUser | None:
        return self._scim.get(login_name)

    def find_users(self, login_name: str) -> list[TargetUser]:
        return self._scim.find(login_name)

    def add_user_as_admin(self, login_name: str, display_name: str, *, email: str | None = None) -> None:
        raise self._unsupported("adding a user as administrator")

    def delete_user_as_admin(self, login_name: str) -> None:
        raise self._unsupported("deleting a user as administrator")

    def set_propagation(self, enabled: bool) -> None:
        raise self._unsupported("switching Propagate Provisioning")

    def create_token(self, validity_days: int | None, notes: str) -> str:
        raise self._unsupported("creating an API token")

    def disable_token(self, token: str) -> None:
        raise self._unsupported("disabling an API token")

    def delete_token(self, token: str) -> None:
        raise self._unsupported("deleting an API token")

    def expire_token(self, token: str) -> None:
        raise self._unsupported("expiring an API token")

    def set_ip_allowlist(self, addresses: list[str]) -> None:
        raise self._unsupported("setting an IP address restriction")

    def remove_user(self, login_name: str) -> None:
        self._scim.delete(login_name)

    def undo_admin_changes(self) -> None:
        """Nothing to undo: this driver changes no tenant-wide setting."""

    def close(self) -> None:
        self._scim.close()
