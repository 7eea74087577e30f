"""Target drivers: one contract (TargetDriver) over the emulator, a real Kintone and any SCIM service."""

from harness.drivers.base import NotSupported, TargetDriver, TargetUser
from harness.drivers.emulator import EmulatorDriver
from harness.drivers.factory import open_driver
from harness.drivers.kintone import KintoneDriver
from harness.drivers.scim import ScimDriver

__all__ = [
    "EmulatorDriver",
    "KintoneDriver",
    "NotSupported",
    "ScimDriver",
    "TargetDriver",
    "TargetUser",
    "open_driver",
]
