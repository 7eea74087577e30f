"""The kintone target (a real Kintone's driver) pointed at an emulator, which serves the same SCIM endpoint
and User API: what the User API can do runs; what only the Provisioning page can do is skipped, with why."""

from __future__ import annotations

import uuid

import pytest

from scim_harness.emulator.config import EmulatorConfig
from scim_harness.emulator.server import EmulatorServer
from tests.suite.suite_runs import named, run_suite

pytestmark = pytest.mark.slow  # runs the conformance suite itself

PAGE_ONLY = {
    "test_the_scim_endpoint_and_api_token_from_token_creation_work_as_tenant_url_and_secret_token",
    "test_test_connection_fails_with_a_disabled_api_token",
    "test_test_connection_fails_with_an_expired_api_token",
    "test_after_propagate_provisioning_is_switched_off_and_on_the_user_is_added_again",
    "test_changes_are_not_applied_while_propagate_provisioning_is_switched_off",
    "test_changes_are_applied_once_propagate_provisioning_is_switched_on_again",
    "test_test_connection_fails_with_an_invalid_certificate_was_entered_when_kintones_ip_restriction_refuses_entra_id",
    "test_users_provision_once_kintones_ip_restriction_no_longer_stands_between_kintone_and_entra_id",
    "test_reissuing_an_api_token_the_new_token_works_the_old_one_fails_once_disabled_and_once_deleted",
    "test_a_user_deleted_in_kintone_is_added_again_by_recreating_it_in_entra_id_once_propagate_provisioning"
    "_is_switched_off_and_on",
}


def test_actions_without_a_public_api_are_skipped_with_the_reason(tmp_path) -> None:
    token, password = f"seed-{uuid.uuid4().hex}", f"pw-{uuid.uuid4().hex}"
    with EmulatorServer(EmulatorConfig(seed_token=token, admin_password=password)) as server:
        env = {
            "SCIM_HARNESS_TARGET": "kintone",
            "SCIM_HARNESS_URL": server.base_url,
            "SCIM_HARNESS_SCIM_URL": server.scim_url,
            "SCIM_HARNESS_TOKEN": token,
            "SCIM_HARNESS_ADMIN_LOGIN": server.admin_login,
            "SCIM_HARNESS_ADMIN_PASSWORD": password,
        }
        outcomes = run_suite(tmp_path, env, markers="kintone")

    assert named(outcomes, "skipped") == PAGE_ONLY
    for name in PAGE_ONLY:
        assert "not supported by target kintone, because" in outcomes[name].message, outcomes[name].message
    assert not named(outcomes, "failed")
    assert "test_a_user_added_in_kintone_first_is_taken_over_by_provisioning" in named(outcomes, "passed")
    assert "test_another_sync_does_not_recreate_a_user_deleted_in_kintone" in named(outcomes, "passed")
