"""Each Kintone rule, broken on purpose in the emulator, turns exactly its scenarios red.

For every test-only rule switch of the emulator, the suite runs the scenarios that check that rule plus a few
control scenarios from other features: the rule's scenarios must fail and every other one must pass.
"""

from __future__ import annotations

import pytest

from scim_harness.emulator.rules import RuleSwitches
from tests.suite.suite_runs import named, run_suite_in_process

pytestmark = pytest.mark.slow  # runs the conformance suite itself

ADD = "test_a_user_assigned_to_the_kintone_app_is_added_to_kintone"
NEXT_CYCLE = "test_a_change_is_applied_by_the_next_cycle_not_before"
VALID_TOKEN = "test_test_connection_succeeds_with_a_valid_api_token"
INVALID_TOKEN = "test_test_connection_fails_with_an_invalid_api_token"
REISSUE = "test_reissuing_an_api_token_the_new_token_works_the_old_one_fails_once_disabled_and_once_deleted"
UNKNOWN_ID = "test_reading_a_user_by_an_unknown_id"
DEACTIVATED = "test_a_user_deleted_in_entra_id_is_deactivated_in_kintone"
CONTROLS = {ADD, NEXT_CYCLE, VALID_TOKEN, INVALID_TOKEN, UNKNOWN_ID, DEACTIVATED}

# rule -> the scenarios that must go red. Controls listed here are ones the rule legitimately breaks too
# (a rule that breaks the user filter, say, breaks every add).
RED: dict[str, set[str]] = {
    "allow_login_name_change": {"test_a_login_name_changed_in_entra_id_is_not_changed_in_kintone"},
    "recreate_deleted_users": {"test_another_sync_does_not_recreate_a_user_deleted_in_kintone"},
    "keep_block_after_propagation_toggle": {
        "test_after_propagate_provisioning_is_switched_off_and_on_the_user_is_added_again",
        "test_a_user_deleted_in_kintone_is_added_again_by_recreating_it_in_entra_id_once_propagate_provisioning"
        "_is_switched_off_and_on",
    },
    "apply_writes_when_propagation_off": {
        "test_changes_are_not_applied_while_propagate_provisioning_is_switched_off"
    },
    # The checks read Kintone's User API, which shows inactive users whatever SCIM's filter does: what breaks
    # is Entra ID finding the inactive user again when it re-matches (assigned again after an unassignment).
    "hide_inactive_users": {"test_a_user_assigned_to_the_kintone_app_again_is_reactivated"},
    "hide_admin_created_users": {"test_a_user_added_in_kintone_first_is_taken_over_by_provisioning"},
    "allow_duplicate_login_names": {"test_creating_the_same_user_twice"},
    "case_sensitive_filter": {"test_the_username_filter_finds_a_user_whatever_the_case"},
    "not_found_on_empty_filter": {
        "test_looking_up_a_login_name_nobody_has_gives_an_empty_list",
        "test_test_connections_lookup_of_a_random_login_name_succeeds",
        ADD,
        NEXT_CYCLE,
        VALID_TOKEN,
        DEACTIVATED,
    },
    "accept_invalid_tokens": {
        INVALID_TOKEN,
        REISSUE,  # a deleted token is an unknown one
        "test_test_connection_fails_with_a_disabled_api_token",
        "test_test_connection_fails_with_an_expired_api_token",
        "test_a_request_without_a_token_is_refused",
        "test_a_create_with_a_wrong_token_is_refused_and_creates_nothing",
    },
    "accept_expired_tokens": {"test_test_connection_fails_with_an_expired_api_token"},
    "accept_disabled_tokens": {"test_test_connection_fails_with_a_disabled_api_token", REISSUE},
    "ignore_ip_allowlist": {
        "test_test_connection_fails_with_an_invalid_certificate_was_entered_when_kintones_ip_restriction_refuses"
        "_entra_id",
        "test_users_provision_once_kintones_ip_restriction_no_longer_stands_between_kintone_and_entra_id",
    },
    "ignore_field_limits": {"test_a_user_whose_display_name_is_too_long_is_not_added"},
    "reject_ignored_attributes": {
        "test_a_users_department_and_job_title_are_not_propagated",
        ADD,
        NEXT_CYCLE,
        DEACTIVATED,
    },
    "reject_string_booleans": {
        DEACTIVATED,
        "test_a_user_blocked_from_signing_in_is_deactivated_in_kintone",
        "test_a_user_unassigned_from_the_kintone_app_is_deactivated",
        "test_changing_the_status_in_entra_id_changes_the_status_in_kintone",
        "test_the_status_sent_as_the_text_false_and_then_true",
    },
    "no_target_on_unmatched_filter_path": {
        "test_a_replace_through_a_filtered_path_adds_a_work_email_the_user_did_not_have",
        "test_a_user_added_in_kintone_first_is_taken_over_by_provisioning",
    },
    "plain_json_responses": {"test_successful_answers_and_errors_use_the_scim_media_type"},
}


def test_every_rule_switch_has_its_scenarios() -> None:
    assert set(RED) == set(RuleSwitches.names())


@pytest.mark.parametrize("rule", sorted(RED))
def test_breaking_a_rule_turns_exactly_its_scenarios_red(rule: str, tmp_path) -> None:
    selection = RED[rule] | CONTROLS
    outcomes = run_suite_in_process(tmp_path, {"SCIM_HARNESS_EMULATOR_RULES": rule}, *sorted(selection))

    assert set(outcomes) == selection, "every selected scenario ran"
    assert named(outcomes, "failed") == RED[rule]
    assert named(outcomes, "passed") == selection - RED[rule]
