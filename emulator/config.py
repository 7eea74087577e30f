"""How an emulator is set up: where it stores data, where SCIM lives, who the administrator is."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field

from scim_harness.emulator.assumptions import Assumptions
from scim_harness.emulator.rules import RuleSwitches

MEMORY_DB = ":memory:"
ADMIN_PASSWORD_ENV = "SCIM_HARNESS_ADMIN_PASSWORD"
TOKEN_ENV = "SCIM_HARNESS_TOKEN"


def _default_admin_password() -> str:
    return os.environ.get(ADMIN_PASSWORD_ENV) or secrets.token_urlsafe(18)


@dataclass
class EmulatorConfig:
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

    def __post_init__(self) -> None:
        path = "/" + self.base_path.strip("/")
        if path == "/":
            raise ValueError("base_path must not be the root: the admin surface lives there")
        self.base_path = path
