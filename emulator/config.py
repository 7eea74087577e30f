"""How an emulator is set up: where it stores data, where SCIM lives, who the administrator is."""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from typing import Literal

from scim_harness.emulator.assumptions import Assumptions
from scim_harness.emulator.defects import DefectSwitches
from scim_harness.emulator.rules import RuleSwitches

MEMORY_DB = ":memory:"
ADMIN_PASSWORD_ENV = "SCIM_HARNESS_ADMIN_PASSWORD"
TOKEN_ENV = "SCIM_HARNESS_TOKEN"

Profile = Literal["kintone", "generic"]
PROFILES: tuple[str, ...] = ("kintone", "generic")


def _default_admin_password() -> str:
    return os.environ.get(ADMIN_PASSWORD_ENV) or secrets.token_urlsafe(18)


@dataclass
class EmulatorConfig:
    profile: Profile = "kintone"
    """kintone: Kintone's SCIM endpoint and rules (Users only). generic: a plain, correct SCIM 2.0 service
    (RFC 7643/7644) with Users and Groups and none of Kintone's rules, for vendors and for the defects."""
    db_path: str = MEMORY_DB
    """SQLite file, or ":memory:" for a database that lives as long as the app."""
    base_path: str = "/scim/v2"
    """Where SCIM is served (Kintone's real path is unpublished)."""
    admin_login: str = "Administrator"
    admin_password: str = field(default_factory=_default_admin_password, repr=False)
    """The Kintone administrator's password: config, else $SCIM_HARNESS_ADMIN_PASSWORD, else random."""
    seed_token: str | None = field(default=None, repr=False)
    """An API token value to create at start (no expiry), so CI can start the emulator unattended."""
    propagation_enabled: bool = True
    """Propagate Provisioning at start; on, so a fresh emulator accepts provisioning."""
    ip_allowlist: list[str] = field(default_factory=list)
    assumptions: Assumptions = field(default_factory=Assumptions)
    rules: RuleSwitches = field(default_factory=RuleSwitches)
    """Test-only switches that break one Kintone rule each (kintone profile)."""
    defects: DefectSwitches = field(default_factory=DefectSwitches)
    """Test-only switches that each inject one realistic SCIM-service defect (docs/emulator.md)."""
    trusted_proxies: list[str] = field(default_factory=list)
    """Addresses whose X-Forwarded-For is believed. Empty (the default): only the socket's peer counts, so
    no header can get around the IP allow list."""

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ValueError(f"profile must be one of: {', '.join(PROFILES)}")
        if not isinstance(self.defects, DefectSwitches):
            self.defects = DefectSwitches(set(self.defects))
        self.defects.check_profile(self.profile)
        for proxy in self.trusted_proxies:
            ipaddress.ip_address(proxy)  # ValueError names a bad entry
        path = "/" + self.base_path.strip("/")
        if path == "/":
            raise ValueError("base_path must not be the root: the admin surface lives there")
        self.base_path = path
