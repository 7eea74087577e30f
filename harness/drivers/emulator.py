"""Driver for the Kintone emulator: everything the kintone driver does, plus the Provisioning page's actions
through the emulator's admin surface (scim_harness.emulator.admin_client, the one client of /_emulator/*).
Starts an in-process emulator unless pointed at a running one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from scim_harness.drivers.http import tls_trust
from scim_harness.drivers.kintone import KintoneDriver
from scim_harness.emulator.admin_client import DEFAULT_TIMEOUT_S, AdminClient

EXPIRY_MARGIN_S = 3600
"""How far past a token's expiry the emulator's clock is moved, so no rounding keeps it valid."""


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
        ca_file: str | None = None,
    ) -> None:
        self._server = server
        self._own_token_id: str | None = None
        self._rules_before: dict[str, bool] | None = None
        self._admin = AdminClient(
            base_url,
            admin_login,
            admin_password,
            timeout=timeout or DEFAULT_TIMEOUT_S,
            verify=tls_trust(ca_file) if ca_file else True,
        )
        try:
            if rules:
                self._rules_before = self._admin.rules()
                self._admin.rules(rules)
            if token is None:
                # An unlimited token of its own: expiring a scenario's token never cuts off the checks.
                created = self._admin.create_token(None, "scim-harness conformance suite")
                token, self._own_token_id = created.token, created.info.id
        except BaseException:
            self._admin.close()
            raise
        super().__init__(
            base_url, scim_url, token, admin_login, admin_password, timeout=timeout, ca_file=ca_file
        )
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
        self._admin.propagation(enabled)
        self._changed.add("propagation")

    def create_token(self, validity_days: int | None, notes: str) -> str:
        created = self._admin.create_token(validity_days, notes)
        token = created.token
        self._token_ids[token] = created.info.id
        self.secrets.append(token)
        return token

    def disable_token(self, token: str) -> None:
        self._admin.disable_token(self._token_id(token))

    def delete_token(self, token: str) -> None:
        self._admin.delete_token(self._token_ids.pop(token, None) or self._token_id(token))

    def expire_token(self, token: str) -> None:
        self._admin.clock(self._seconds_until_expired(self._token_id(token)))
        self._changed.add("clock")

    def set_ip_allowlist(self, addresses: list[str]) -> None:
        self._admin.ip_allowlist(addresses)
        self._changed.add("ip-allowlist")

    def undo_admin_changes(self) -> None:
        if "propagation" in self._changed:
            self._admin.propagation(True)
        if "clock" in self._changed:
            self._admin.clock(0)
        if "ip-allowlist" in self._changed:
            self._admin.ip_allowlist([])
        self._changed.clear()
        for token_id in self._token_ids.values():
            self._admin.delete_token(token_id)
        self._token_ids.clear()

    def _token_id(self, token: str) -> str:
        try:
            return self._token_ids[token]
        except KeyError:
            raise ValueError("only a token created by this driver can be changed") from None

    def _seconds_until_expired(self, token_id: str) -> float:
        """How far the emulator's clock must move for this token to be past its expiry."""
        token = next((t for t in self._admin.list_tokens() if t.id == token_id), None)
        if token is None or not token.expires_at:
            raise ValueError("the token has no expiry")
        expires_at = datetime.fromisoformat(token.expires_at.replace("Z", "+00:00"))
        if expires_at.tzinfo is None:
            expires_at = expires_at.replace(tzinfo=UTC)
        return (expires_at - datetime.now(UTC)).total_seconds() + EXPIRY_MARGIN_S

    def close(self) -> None:
        """Leaves a shared emulator as it was: the driver's own token deleted, rule switches put back."""
        try:
            if self._server is None:
                if self._own_token_id is not None:
                    self._admin.delete_token(self._own_token_id)
                if self._rules_before is not None:
                    self._admin.rules(self._rules_before)
        finally:
            try:
                self._admin.close()
                super().close()
            finally:
                if self._server is not None:
                    self._server.stop()
