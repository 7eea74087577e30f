"""Driver for the Kintone emulator: everything the kintone driver does, plus the Provisioning page's actions
through the emulator's admin surface. Starts an in-process emulator unless pointed at a running one."""

from __future__ import annotations

from typing import Any

from scim_harness.drivers.emulator_admin import EmulatorAdminApi
from scim_harness.drivers.http import new_client
from scim_harness.drivers.kintone import KintoneDriver


class EmulatorDriver(KintoneDriver):
    name = "emulator"

    def __init__(
        self,
        base_url: str,
        scim_url: str,
        admin_login: str,
        admin_password: str,
        *,
        server: Any = None,
        timeout: float | None = None,
        rules: dict[str, bool] | None = None,
        token: str | None = None,
    ) -> None:
        self._server = server
        self._own_token_id: str | None = None
        self._rules_before: dict[str, bool] | None = None
        with new_client(timeout) as setup_client:
            admin = EmulatorAdminApi(setup_client, base_url, admin_login, admin_password)
            if rules:
                self._rules_before = admin.rules()
                admin.set_rules(rules)
            if token is None:
                # An unlimited token of its own: expiring a scenario's token never cuts off the checks.
                created = admin.create_token(None, "scim-harness conformance suite")
                token, self._own_token_id = created["token"], str(created["id"])
        super().__init__(base_url, scim_url, token, admin_login, admin_password, timeout=timeout)
        self._admin = EmulatorAdminApi(self._client, base_url, admin_login, admin_password)
        self._token_ids: dict[str, str] = {}
        self._changed: set[str] = set()

    @classmethod
    def start(cls, *, rules: dict[str, bool] | None = None, timeout: float | None = None) -> EmulatorDriver:
        """An emulator of our own, in this process, on 127.0.0.1 and an ephemeral port."""
        from scim_harness.emulator.config import EmulatorConfig
        from scim_harness.emulator.server import EmulatorServer

        server = EmulatorServer(EmulatorConfig())
        server.start()
        try:
            return cls(
                server.base_url,
                server.scim_url,
                server.admin_login,
                server.admin_password,
                server=server,
                timeout=timeout,
                rules=rules,
            )
        except BaseException:
            server.stop()
            raise

    def set_propagation(self, enabled: bool) -> None:
        self._admin.set_propagation(enabled)
        self._changed.add("propagation")

    def create_token(self, validity_days: int | None, notes: str) -> str:
        created = self._admin.create_token(validity_days, notes)
        token = created["token"]
        self._token_ids[token] = str(created["id"])
        self.secrets.append(token)
        return token

    def disable_token(self, token: str) -> None:
        self._admin.set_token_enabled(self._token_id(token), False)

    def expire_token(self, token: str) -> None:
        self._admin.set_clock_offset(self._admin.seconds_until_expired(self._token_id(token)))
        self._changed.add("clock")

    def set_ip_allowlist(self, addresses: list[str]) -> None:
        self._admin.set_ip_allowlist(addresses)
        self._changed.add("ip-allowlist")

    def undo_admin_changes(self) -> None:
        if "propagation" in self._changed:
            self._admin.set_propagation(True)
        if "clock" in self._changed:
            self._admin.set_clock_offset(0)
        if "ip-allowlist" in self._changed:
            self._admin.set_ip_allowlist([])
        self._changed.clear()
        for token_id in self._token_ids.values():
            self._admin.delete_token(token_id)
        self._token_ids.clear()

    def _token_id(self, token: str) -> str:
        try:
            return self._token_ids[token]
        except KeyError:
            raise ValueError("only a token created by this driver can be changed") from None

    def close(self) -> None:
        """Leaves a shared emulator as it was: the driver's own token deleted, rule switches put back."""
        try:
            if self._server is None:
                if self._own_token_id is not None:
                    self._admin.delete_token(self._own_token_id)
                if self._rules_before is not None:
                    self._admin.set_rules(self._rules_before)
        finally:
            self._close_client_and_server()

    def _close_client_and_server(self) -> None:
        try:
            super().close()
        finally:
            if self._server is not None:
                self._server.stop()
