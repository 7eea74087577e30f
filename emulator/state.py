"""The emulator's live state: database, rule switches, clock and the Provisioning page settings."""

from __future__ import annotations

import base64
import binascii
import hmac
from datetime import UTC, datetime, timedelta
from typing import Any

from scim_harness.emulator import kintone_rules
from scim_harness.emulator.admin_throttle import AdminThrottle
from scim_harness.emulator.assumptions import Assumptions
from scim_harness.emulator.config import EmulatorConfig
from scim_harness.emulator.defects import DefectSwitches
from scim_harness.emulator.meta import iso, parse_iso
from scim_harness.emulator.rules import RuleSwitches
from scim_harness.emulator.store import Database

PROPAGATION_KEY = "propagation_enabled"
ALLOWLIST_KEY = "ip_allowlist"
PROFILE_KEY = "profile"

__all__ = ["EmulatorState", "iso", "parse_iso"]


class EmulatorState:
    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.assumptions: Assumptions = config.assumptions
        self.rules: RuleSwitches = RuleSwitches(**config.rules.to_dict())
        self.defects: DefectSwitches = config.defects.copy()
        self.in_flight = 0
        """Requests in progress that count toward Kintone's REST limit (limits.ConnectionLimit)."""
        self.admin_throttle = AdminThrottle(self.assumptions.admin_login_throttle)
        """Failed administrator logins per address (admin_throttle)."""
        self.defect_memory: dict[str, Any] = {}
        """What switched-on defects remember between requests (defects.layer); emptied by reset."""
        self.db = Database(config.db_path)
        self._check_profile()
        self.clock_offset_seconds = 0.0
        if self.db.settings.get(PROPAGATION_KEY, None) is None:
            self.db.settings.set(PROPAGATION_KEY, config.propagation_enabled)
        if self.db.settings.get(ALLOWLIST_KEY, None) is None:
            self.set_ip_allowlist(list(config.ip_allowlist))
        self._allowlist = kintone_rules.parse_allowlist(
            self.ip_allowlist(), self.assumptions.ip_allowlist_max
        )

    @property
    def profile(self) -> str:
        return self.config.profile

    @property
    def kintone(self) -> bool:
        """Kintone's rules apply (the kintone profile); the generic profile has none of them."""
        return self.config.profile == "kintone"

    def _check_profile(self) -> None:
        """A database file belongs to the profile that created it: the two keep users in other tables."""
        stored = self.db.settings.get(PROFILE_KEY, None)
        if stored is None:
            self.db.settings.set(PROFILE_KEY, self.config.profile)
        elif stored != self.config.profile:
            self.db.close()
            raise ValueError(
                f"the database {self.config.db_path} holds the {stored} profile's data, not the "
                f"{self.config.profile} profile's"
            )

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
        except (binascii.Error, ValueError):  # ValueError: not base64 text at all (non-ASCII)
            return False
        login, sep, password = decoded.partition(":")
        expected_login = self.config.admin_login.encode()
        expected_password = self.config.admin_password.encode()
        login_ok = hmac.compare_digest(login.encode(), expected_login)
        password_ok = hmac.compare_digest(password.encode(), expected_password)
        return bool(sep) and login_ok and password_ok

    # -- Propagate Provisioning ----------------------------------------------

    def propagation_enabled(self) -> bool:
        return bool(self.db.settings.get(PROPAGATION_KEY, True))

    def set_propagation(self, enabled: bool) -> None:
        was_enabled = self.propagation_enabled()
        self.db.settings.set(PROPAGATION_KEY, enabled)
        if kintone_rules.propagation_toggle_lifts_block(was_enabled, enabled, self.rules):
            self.db.tombstones.clear()

    # -- IP allow list -------------------------------------------------------

    def ip_allowlist(self) -> list[str]:
        return list(self.db.settings.get(ALLOWLIST_KEY, []))

    def set_ip_allowlist(self, addresses: object) -> None:
        networks = kintone_rules.parse_allowlist(addresses, self.assumptions.ip_allowlist_max)
        self.db.settings.set(ALLOWLIST_KEY, [str(network) for network in networks])
        self._allowlist = networks

    def ip_allowed(self, peer: str | None) -> bool:
        return kintone_rules.ip_allowed(peer, self._allowlist, self.rules)

    # -- reset ---------------------------------------------------------------

    def reset(self) -> None:
        """Back to a fresh start: no users, tombstones or tokens, startup settings. The caller re-seeds the
        start-up token (TokenService.seed), which needs this state and so is not called from here."""
        self.db.reset()
        self.db.settings.set(PROFILE_KEY, self.config.profile)
        self.db.settings.set(PROPAGATION_KEY, self.config.propagation_enabled)
        self.set_ip_allowlist(list(self.config.ip_allowlist))
        self.clock_offset_seconds = 0.0
        self.rules = RuleSwitches(**self.config.rules.to_dict())
        self.defects = self.config.defects.copy()
        self.defect_memory.clear()
        self.admin_throttle.clear()
