"""Targets for the vendor tools: Kintone emulators and python-scim's scim2-server, on loopback ports."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scim_harness.emulator.config import EmulatorConfig
from scim_harness.emulator.rules import RuleSwitches
from scim_harness.emulator.server import EmulatorServer
from tests import third_party_scim

TOKEN_A = "vendor-token-a-0123456789abcdef"
TOKEN_B = "vendor-token-b-fedcba9876543210"
ADMIN_PASSWORD = "vendor-admin-password-0123"


def emulator(token: str, rules: RuleSwitches | None = None) -> EmulatorServer:
    """A fresh Kintone emulator (in memory) with one API token, not yet started."""
    return EmulatorServer(
        EmulatorConfig(seed_token=token, admin_password=ADMIN_PASSWORD, rules=rules or RuleSwitches())
    )


@pytest.fixture
def emulator_a() -> Iterator[EmulatorServer]:
    with emulator(TOKEN_A) as server:
        yield server


@pytest.fixture
def emulator_b() -> Iterator[EmulatorServer]:
    with emulator(TOKEN_B) as server:
        yield server


@pytest.fixture
def scim2_server_b() -> Iterator[str]:
    with third_party_scim.scim2_server(TOKEN_B) as url:
        yield url
