"""scim2-server's own storage contract (scim2_server.testing.AsyncScimStorageContract, shipped with the pinned
0.8.3) run against the emulator's two storages, one rule per test.

Generic profile: every rule holds, except those of features the service does not announce (sort, cursors,
searching several resource types at once), which the contract skips itself.

Kintone profile: the tests that need Groups are skipped (Kintone serves none), and the two that rename a
user are expected to fail, because Kintone refuses a login-name change by provisioning (kintone-scim.md §3).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from scim2_models import ResourceType, ScimProvider
from scim2_server.testing import AsyncScimStorageContract

from scim_harness.emulator.config import EmulatorConfig
from scim_harness.emulator.errors import ScimRefusalError
from scim_harness.emulator.generic_model import build_generic_provider, model
from scim_harness.emulator.generic_storage import GenericStorage
from scim_harness.emulator.scim_model import build_provider
from scim_harness.emulator.scim_storage import KintoneStorage
from scim_harness.emulator.state import EmulatorState

KINTONE_RENAME = "Kintone refuses a login-name change by provisioning (kintone-scim.md §3)"


class TestKintoneStorage(AsyncScimStorageContract):
    @pytest.fixture
    def provider(self) -> ScimProvider:
        return build_provider(100)

    @pytest.fixture
    def group_type(self) -> ResourceType:
        pytest.skip("Kintone serves no Groups (kintone-scim.md §2)")

    @pytest.fixture
    def async_storage(self) -> Iterator[KintoneStorage]:
        state = EmulatorState(EmulatorConfig(admin_password="unused"))
        yield KintoneStorage(state)
        state.close()

    def search_users(self) -> list[dict[str, Any]]:
        """The contract's users with what Kintone's User has (no title, no enterprise extension)."""
        kept = {"userName", "displayName", "name", "active", "emails"}
        return [{k: v for k, v in user.items() if k in kept} for user in super().search_users()]

    @pytest.mark.xfail(strict=True, raises=ScimRefusalError, reason=KINTONE_RENAME)
    def test_update_with_a_taken_unique_value(self, storage: Any, user_type: Any, user_model: Any) -> None:
        super().test_update_with_a_taken_unique_value(storage, user_type, user_model)

    @pytest.mark.xfail(strict=True, raises=ScimRefusalError, reason=KINTONE_RENAME)
    def test_update_frees_the_former_unique_values(
        self, storage: Any, user_type: Any, user_model: Any
    ) -> None:
        super().test_update_frees_the_former_unique_values(storage, user_type, user_model)


class TestGenericStorage(AsyncScimStorageContract):
    """The generic profile's storage, on RFC 7643's own User and Group (scim2-server's default provider,
    announcing what the emulator supports: no sort, no root search)."""

    supports_root_search = False

    @pytest.fixture
    def provider(self) -> ScimProvider:
        return build_generic_provider(100)

    @pytest.fixture
    def async_storage(self, provider: ScimProvider) -> Iterator[GenericStorage]:
        state = EmulatorState(EmulatorConfig(profile="generic", admin_password="unused"))
        yield GenericStorage(state, {name: model(provider, name) for name in ("User", "Group")})
        state.close()
