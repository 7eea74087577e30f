"""The emulator's live state: database, rule switches, clock and the Provisioning page settings."""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
from datetime import UTC, datetime, timedelta

from scim_harness.emulator.assumptions import Assumptions
from scim_harness.emulator.config import EmulatorConfig
from scim_harness.emulator.rules import RuleSwitches
from scim_harness.emulator.store import Database

PROPAGATION_KEY = "propagation_enabled"
ALLOWLIST_KEY = "ip_allowlist"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def parse_allowlist(addresses: list[str], limit: int) -> list[ipaddress.IPv4Network]:
    """IPv4 addresses or CIDR ranges, as Kintone's IP restriction takes them; else ValueError."""
    if not isinstance(addresses, list) or not all(isinstance(item, str) for item in addresses):
        raise ValueError("addresses must be a list of strings")
    if len(addresses) > limit:
        raise ValueError(f"at most {limit} addresses or ranges are allowed")
    networks = []
    for item in addresses:
        try:
            network = ipaddress.ip_network(item.strip(), strict=False)
        except ValueError as exc:
            raise ValueError(f"{item!r} is not an IPv4 address or range") from exc
        if not isinstance(network, ipaddress.IPv4Network):
            raise ValueError(f"{item!r} is IPv6, which Kintone's IP restriction does not support")
        networks.append(network)
    return networks


class EmulatorState:
    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.assumptions: Assumptions = config.assumptions
        self.rules: RuleSwitches = RuleSwitches(**config.rules.to_dict())
        self.db = Database(config.db_path)
        self.clock_offset_seconds = 0.0
        if self.db.get_setting(PROPAGATION_KEY, None) is None:
            self.db.set_setting(PROPAGATION_KEY, config.propagation_enabled)
        if self.db.get_setting(ALLOWLIST_KEY, None) is None:
            self.set_ip_allowlist(list(config.ip_allowlist))
        self._allowlist = parse_allowlist(self.ip_allowlist(), self.assumptions.ip_allowlist_max)

    def close(self) -> None:
        self.db.close()

    # -- clock ---------------------------------------------------------------

    def now(self) -> datetime:
        """Real time moved by the test clock offset, so token expiry can be reached without waiting."""
        return datetime.now(UTC) + timedelta(seconds=self.clock_offset_seconds)

    def now_iso(self) -> str:
        return iso(self.now())

    # -- administrator -------------------------------------------------------

    def is_admin(self, header_value: str | None) -> bool:
        """X-Cybozu-Authorization: base64(login:password), compared in constant time."""
        if not header_value:
            return False
        try:
            decoded = base64.b64decode(header_value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        login, sep, password = decoded.partition(":")
        expected_login = self.config.admin_login.encode()
        expected_password = self.config.admin_password.encode()
        login_ok = hmac.compare_digest(login.encode(), expected_login)
        password_ok = hmac.compare_digest(password.encode(), expected_password)
        return bool(sep) and login_ok and password_ok

    # -- Propagate Provisioning ----------------------------------------------

    def propagation_enabled(self) -> bool:
        return bool(self.db.get_setting(PROPAGATION_KEY, True))

    def set_propagation(self, enabled: bool) -> None:
        """Turning it on after it was off lifts the block on users an administrator deleted (Kintone help)."""
        was_enabled = self.propagation_enabled()
        self.db.set_setting(PROPAGATION_KEY, enabled)
        if enabled and not was_enabled and not self.rules.keep_block_after_propagation_toggle:
            self.db.clear_tombstones()

    # -- IP allow list -------------------------------------------------------

    def ip_allowlist(self) -> list[str]:
        return list(self.db.get_setting(ALLOWLIST_KEY, []))

    def set_ip_allowlist(self, addresses: list[str]) -> None:
        networks = parse_allowlist(addresses, self.assumptions.ip_allowlist_max)
        self.db.set_setting(ALLOWLIST_KEY, [str(network) for network in networks])
        self._allowlist = networks

    def ip_allowed(self, client_host: str | None) -> bool:
        if not self._allowlist or self.rules.ignore_ip_allowlist:
            return True
        try:
            address = ipaddress.ip_address(client_host or "")
        except ValueError:
            return False
        return any(address in network for network in self._allowlist)

    # -- reset ---------------------------------------------------------------

    def reset(self) -> None:
        """Back to a fresh start: no users, tombstones or tokens, startup settings. The caller re-seeds the
        start-up token (TokenService.seed), which needs this state and so is not called from here."""
        self.db.reset()
        self.db.set_setting(PROPAGATION_KEY, self.config.propagation_enabled)
        self.set_ip_allowlist(list(self.config.ip_allowlist))
        self.clock_offset_seconds = 0.0
        self.rules = RuleSwitches(**self.config.rules.to_dict())
