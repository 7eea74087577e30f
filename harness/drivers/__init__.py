"""Target drivers: one contract (TargetDriver) over the emulator, a real Kintone and any SCIM service."""

from scim_harness.drivers.base import NotSupported, TargetDriver, TargetUser
from scim_harness.drivers.emulator import EmulatorDriver
from scim_harness.drivers.factory import open_driver
from scim_harness.drivers.kintone import KintoneDriver
from scim_harness.drivers.scim import ScimDriver

__all__ = [
    "EmulatorDriver",
    "KintoneDriver",
    "NotSupported",
    "ScimDriver",
    "TargetDriver",
    "TargetUser",
    "open_driver",
]
