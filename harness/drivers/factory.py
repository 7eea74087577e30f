"""Builds the driver the configuration names."""

from __future__ import annotations

from scim_harness.config import SuiteConfig
from scim_harness.drivers.base import TargetDriver
from scim_harness.drivers.emulator import EmulatorDriver
from scim_harness.drivers.kintone import KintoneDriver
from scim_harness.drivers.scim import ScimDriver

EMULATOR_SCIM_PATH = "/scim/v2"


def open_driver(config: SuiteConfig) -> TargetDriver:
    config.validate_target()
    if config.target == "emulator":
        if not config.url:
            return EmulatorDriver.start(rules=config.emulator_rules, timeout=config.timeout)
        return EmulatorDriver(
            config.url,
            config.scim_url or config.url.rstrip("/") + EMULATOR_SCIM_PATH,
            config.admin_login or "Administrator",
            config.admin_password or "",
            rules=config.emulator_rules,
            timeout=config.timeout,
            token=config.token,
            ca_file=config.ca_file,
        )
    if config.target == "kintone":
        return KintoneDriver(
            config.url or "",
            config.scim_url or "",
            config.token or "",
            config.admin_login,
            config.admin_password,
            timeout=config.timeout,
            ca_file=config.ca_file,
        )
    return ScimDriver(config.url or "", config.token or "", timeout=config.timeout)
