"""Driver for a real (staging) Kintone: SCIM for provisioning, the User API for what an administrator does
and for what the checks read.

The checks read users through Kintone's User API (`GET /v1/users.json?codes[0]=...`), the independent witness,
not through the SCIM endpoint under test; without an administrator login the SCIM endpoint is the only view
left, and the checks read it (docs/suite.md). The Provisioning page's switch, API tokens and the IP allow list
have no public API, so those actions raise NotSupported and their scenarios are reported as skipped with the
reason.
"""

from __future__ import annotations

from scim_harness.drivers.base import NotSupported, TargetUser
from scim_harness.drivers.http import new_client
from scim_harness.drivers.kintone_user_api import KintoneUserApi
from scim_harness.drivers.scim_reader import ScimReader

_NO_API = "Kintone has no public API for {what} (it is only on the Provisioning page)"


class KintoneDriver:
    name = "kintone"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_url!r})"

    def __init__(
        self,
        base_url: str,
        scim_url: str,
        token: str,
        admin_login: str | None,
        admin_password: str | None,
        *,
        timeout: float | None = None,
        ca_file: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.scim_url = scim_url.rstrip("/")
        self.secret_token = token
        self.secrets = [s for s in (token, admin_password) if s]
        self._client = new_client(timeout, verify=ca_file or True)
        self._scim = ScimReader(self.scim_url, token, timeout=timeout, ca_file=ca_file)
        self._users = (
            KintoneUserApi(self._client, self.base_url, admin_login, admin_password)
            if admin_login and admin_password
            else None
        )

    def _unsupported(self, action: str, because: str) -> NotSupported:
        return NotSupported(f"{action}: not supported by target {self.name}, because {because}")

    def _user_api(self, action: str) -> KintoneUserApi:
        if self._users is None:
            raise self._unsupported(
                action, "no administrator login and password are configured for the User API"
            )
        return self._users

    @property
    def witness(self) -> str:
        """Where the checks read users: what a failure message names."""
        return "Kintone's User API" if self._users is not None else "the SCIM endpoint (no administrator)"

    def get_user(self, login_name: str) -> TargetUser | None:
        exact = [u for u in self.find_users(login_name) if u.login_name.lower() == login_name.lower()]
        return exact[0] if exact else None

    def find_users(self, login_name: str) -> list[TargetUser]:
        if self._users is None:
            return self._scim.find(login_name)
        return [TargetUser.from_kintone(user) for user in self._users.find(login_name)]

    def add_user_as_admin(self, login_name: str, display_name: str, *, email: str | None = None) -> None:
        self._user_api("adding a user as administrator").add(login_name, display_name, email)

    def delete_user_as_admin(self, login_name: str) -> None:
        self._user_api("deleting a user as administrator").delete(login_name)

    def set_propagation(self, enabled: bool) -> None:
        raise self._unsupported(
            "switching Propagate Provisioning", _NO_API.format(what="the Propagate Provisioning switch")
        )

    def create_token(self, validity_days: int | None, notes: str) -> str:
        raise self._unsupported(
            "creating an API token", _NO_API.format(what="creating provisioning API tokens")
        )

    def disable_token(self, token: str) -> None:
        raise self._unsupported(
            "disabling an API token", _NO_API.format(what="disabling provisioning API tokens")
        )

    def delete_token(self, token: str) -> None:
        raise self._unsupported(
            "deleting an API token", _NO_API.format(what="deleting provisioning API tokens")
        )

    def expire_token(self, token: str) -> None:
        raise self._unsupported("expiring an API token", "a real Kintone's clock cannot be moved")

    def set_ip_allowlist(self, addresses: list[str]) -> None:
        raise self._unsupported(
            "setting an IP address restriction", _NO_API.format(what="IP address restrictions")
        )

    def remove_user(self, login_name: str) -> None:
        # Deleting through the User API is what an administrator would do to tidy a shared staging tenant;
        # without admin credentials the SCIM DELETE is the only way left.
        if self._users is not None:
            if self._users.exists(login_name):
                self._users.delete(login_name)
        else:
            self._scim.delete(login_name)

    def undo_admin_changes(self) -> None:
        """Nothing to undo: this driver changes no tenant-wide setting on a real Kintone."""

    def close(self) -> None:
        self._scim.close()
        self._client.close()
