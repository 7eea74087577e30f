"""The vendor suite catches the catalogue's defects: one defect of each category, switched on in the
emulator's generic profile, turns the scenario that checks it red in both dialects, and that scenario is green
with no defect. The full sweep (every defect, the score) is `scim-harness selftest`, run by `make selftest`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scim_harness.emulator.defects import BY_NAME, Category
from scim_harness.selftest.cli import QUICK
from scim_harness.selftest.sweep import Sweeper

pytestmark = pytest.mark.slow  # runs the conformance suite itself

DIALECTS = ["legacy", "aadOptscim062020"]
# defect -> the scenario function that must go red (one of those the full sweep lists for it)
CAUGHT_BY = {
    "filter_no_match_404": "test_looking_up_a_login_name_nobody_has_gives_an_empty_list",
    "paging_start_index_ignored": "test_account_discovery_pages_through_every_user",
    "patch_value_filter_no_target": (
        "test_a_replace_through_a_filtered_path_adds_a_work_email_the_user_did_not_have"
    ),
    "group_legacy_member_remove_removes_all": "test_the_form_member_removal_removes_that_member_only",
    "delete_200_with_body": "test_a_user_deleted_for_good_in_entra_id_is_read_deleted_and_then_not_found",
    "accept_header_required": "test_reading_a_user_by_an_unknown_id",
    "error_status_integer": "test_reading_a_user_by_an_unknown_id",
    "missing_token_accepted": "test_a_request_without_a_token_is_refused",
    "slow_answers": "test_reading_a_user_by_an_unknown_id",
    "resource_types_without_groups": "test_the_resource_types_are_the_ones_served",
}


@pytest.fixture(scope="module")
def sweeper(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sweeper]:
    with Sweeper(tmp_path_factory.mktemp("selftest"), DIALECTS) as one:
        yield one


def test_one_defect_of_each_category() -> None:
    assert set(CAUGHT_BY) == set(QUICK)
    assert {BY_NAME[name].category for name in CAUGHT_BY} == set(Category)


def test_without_a_defect_the_scenarios_are_green(sweeper: Sweeper) -> None:
    run = sweeper.run(None, sorted(set(CAUGHT_BY.values())))

    assert run.red == {d: [] for d in DIALECTS}
    assert run.passed == 2 * (len(set(CAUGHT_BY.values())) + 1)  # the member removal outline has two rows


@pytest.mark.parametrize("defect", sorted(CAUGHT_BY))
def test_a_defect_turns_its_scenario_red_in_both_dialects(sweeper: Sweeper, defect: str) -> None:
    run = sweeper.run(defect, [CAUGHT_BY[defect]])

    assert all(len(run.red[d]) == 1 for d in DIALECTS), run.red


def test_each_run_starts_from_a_clean_service(sweeper: Sweeper, tmp_path: Path) -> None:
    """A defect switched on for one run is off again for the next."""
    sweeper.run("filter_no_match_404", [CAUGHT_BY["filter_no_match_404"]])
    after = sweeper.run(None, [CAUGHT_BY["filter_no_match_404"]])

    assert after.red == {d: [] for d in DIALECTS} and after.passed == 2
