"""Each behaviour of the simulated Entra ID that a scenario relies on, broken on purpose, turns it red.

The engine is monkeypatched in this process and the suite runs in-process (pytest.main), so the suite drives
the broken engine: a restart that does nothing, a stop that keeps cycling, a start that never catches up, an
on-demand run that sends nothing, a mapping change that never reaches the job, an unassignment that disables
nobody, the legacy PATCH forms in the compliant dialect (and the reverse), group sync that does nothing, the
legacy member removal in the compliant dialect, a delete without the read before it, a hard delete never sent.
A scenario that stayed green with its behaviour broken would pass whatever the simulator does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from scim_harness.common.scim_wire import Dialect
from scim_harness.emulator.config import EmulatorConfig
from scim_harness.emulator.server import EmulatorServer
from scim_harness.simulator import engine, group_sync, payloads, user_sync
from scim_harness.simulator.configuration import JobConfiguration
from scim_harness.simulator.engine import ProvisioningJob
from scim_harness.simulator.results import OnDemandResult
from scim_harness.simulator.tenant import Tenant
from tests.suite.suite_runs import named, run_suite_in_process

pytestmark = pytest.mark.slow  # runs the conformance suite itself

TOKEN = "engine-breakage-token"
BOTH = {"SCIM_HARNESS_DIALECT": "both"}

RESTART = "test_restarting_provisioning_applies_every_user_again"
STOPPED = "test_changes_made_while_provisioning_is_stopped_are_applied_when_it_starts_again"
ON_DEMAND = "test_a_selected_user_is_added_to_kintone_on_demand"
NOT_PROPAGATED = "test_a_users_department_and_job_title_are_not_propagated"
UNASSIGNED = "test_a_user_unassigned_from_the_kintone_app_is_deactivated"
UPDATE_FORMS = "test_several_items_changed_at_once_all_reach_the_service"
DEACTIVATION_FORM = "test_a_deactivation_in_the_form_of_the_dialect"
DELETED = "test_a_user_deleted_for_good_in_entra_id_is_read_deleted_and_then_not_found"
GROUP_CREATED = "test_an_assigned_group_is_created_then_its_members_are_added"
GROUP_LEAVE = "test_a_user_who_leaves_the_group_in_entra_id_is_removed_from_it_and_only_that_user"


def _restart_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ProvisioningJob, "restart", lambda self, scope=None: None)


def _stop_keeps_cycling(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ProvisioningJob, "stop", lambda self: None)


def _start_never_catches_up(monkeypatch: pytest.MonkeyPatch) -> None:
    started = ProvisioningJob.start

    def start(self: ProvisioningJob) -> None:
        first = not hasattr(self, "_breakage_started")
        started(self)
        self._breakage_started = True  # type: ignore[attr-defined]
        if not first:
            self._next_cycle_at = None  # started again, but no cycle is ever due

    monkeypatch.setattr(ProvisioningJob, "start", start)


def _on_demand_sends_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def nothing(*args: Any) -> OnDemandResult:
        return OnDemandResult([], "Create", "Success", None, [], None)

    monkeypatch.setattr(engine, "provision_on_demand", nothing)


def _mapping_change_never_reaches_the_job(monkeypatch: pytest.MonkeyPatch) -> None:
    # The bug the issue found: mappings set after the job copied them, so the POST carries no new item.
    configure = JobConfiguration.configure

    def without_mappings(self: JobConfiguration, **changes: Any) -> None:
        changes.pop("mappings", None)
        configure(self, **changes)

    monkeypatch.setattr(JobConfiguration, "configure", without_mappings)


def _unassignment_disables_nobody(monkeypatch: pytest.MonkeyPatch) -> None:
    # The engine no longer sees assignment: an unassigned user stays entitled, IsSoftDeleted false.
    monkeypatch.setattr(user_sync.UserSync, "entitled", lambda self, user: True)

    def in_scope(self: Tenant, user_id: str) -> bool:
        user = self.user(user_id)
        return not user.hard_deleted and user.soft_deleted_at is None

    monkeypatch.setattr(Tenant, "in_scope", in_scope)


def _patch_forms_of(dialect: Dialect) -> Callable[[pytest.MonkeyPatch], None]:
    def breakage(monkeypatch: pytest.MonkeyPatch) -> None:
        body = payloads.user_patch_body
        monkeypatch.setattr(
            user_sync, "user_patch_body", lambda changes, _d, **kw: body(changes, dialect, **kw)
        )

    return breakage


def _delete_without_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    def call(self: Any, method: str, path: str, **kwargs: Any) -> Any:
        if method == "GET" and path.startswith("/Users/") and self.entry.action == "Delete":
            return self.ctx.calls.request("DELETE", path)  # the delete straight away, no read first
        return original(self, method, path, **kwargs)

    original = user_sync.Export.call
    monkeypatch.setattr(user_sync.Export, "call", call)


def _hard_delete_never_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(user_sync.UserSync, "_delete", lambda self, run, user: None)


def _group_sync_does_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(group_sync.GroupSync, "sync", lambda self, run, group_id: None)


def _legacy_member_removal_in_both(monkeypatch: pytest.MonkeyPatch) -> None:
    body = payloads.group_members_body
    monkeypatch.setattr(
        group_sync, "group_members_body", lambda op, ids, _d, **kw: body(op, ids, Dialect.LEGACY, **kw)
    )


# breakage -> (the scenarios it must turn red, extra settings of the run, on the generic profile?)
BREAKAGES: dict[str, tuple[Callable[[pytest.MonkeyPatch], None], set[str], dict[str, str], bool]] = {
    "restart does nothing": (_restart_does_nothing, {RESTART}, {}, False),
    "stop keeps cycling": (_stop_keeps_cycling, {STOPPED}, {}, False),
    "start again never catches up": (_start_never_catches_up, {STOPPED}, {}, False),
    "on demand sends nothing": (_on_demand_sends_nothing, {ON_DEMAND}, {}, False),
    "a mapping change never reaches the job": (
        _mapping_change_never_reaches_the_job,
        {NOT_PROPAGATED},
        {},
        False,
    ),
    "unassignment disables nobody": (_unassignment_disables_nobody, {UNASSIGNED}, {}, False),
    "legacy forms in the compliant dialect": (
        _patch_forms_of(Dialect.LEGACY),
        {UPDATE_FORMS, DEACTIVATION_FORM},
        BOTH,
        False,
    ),
    "compliant forms in the legacy dialect": (
        _patch_forms_of(Dialect.COMPLIANT),
        {UPDATE_FORMS, DEACTIVATION_FORM},
        BOTH,
        False,
    ),
    "a delete without the read before it": (_delete_without_reading, {DELETED}, {}, False),
    "a hard delete never sent": (_hard_delete_never_sent, {DELETED}, {}, False),
    "group sync does nothing": (_group_sync_does_nothing, {GROUP_CREATED, GROUP_LEAVE}, {}, True),
    "legacy member removal in the compliant dialect": (
        _legacy_member_removal_in_both,
        {GROUP_LEAVE},
        BOTH,
        True,
    ),
}


@pytest.fixture(scope="module")
def generic_url() -> Iterator[str]:
    with EmulatorServer(EmulatorConfig(profile="generic", seed_token=TOKEN)) as server:
        yield server.scim_url


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_breaking_an_engine_behaviour_turns_its_scenarios_red(
    breakage: str, monkeypatch: pytest.MonkeyPatch, tmp_path, request: pytest.FixtureRequest
) -> None:
    breaks, red, settings, generic = BREAKAGES[breakage]
    env = dict(settings)
    if generic:
        env |= {
            "SCIM_HARNESS_TARGET": "scim",
            "SCIM_HARNESS_URL": request.getfixturevalue("generic_url"),
            "SCIM_HARNESS_TOKEN": TOKEN,
        }
    breaks(monkeypatch)

    outcomes = run_suite_in_process(tmp_path, env, *sorted(red))

    assert set(outcomes) == red, "every selected scenario ran"
    assert named(outcomes, "failed") == red, {name: o.message[:300] for name, o in outcomes.items()}


@pytest.mark.parametrize("generic", [False, True], ids=["kintone emulator", "generic profile"])
def test_the_same_scenarios_are_green_with_the_engine_whole(
    generic: bool, tmp_path, request: pytest.FixtureRequest
) -> None:
    red = set().union(*(r for _, r, _, g in BREAKAGES.values() if g is generic))
    env = {**BOTH}
    if generic:
        env |= {
            "SCIM_HARNESS_TARGET": "scim",
            "SCIM_HARNESS_URL": request.getfixturevalue("generic_url"),
            "SCIM_HARNESS_TOKEN": TOKEN,
        }

    outcomes = run_suite_in_process(tmp_path, env, *sorted(red))

    assert named(outcomes, "passed") == red, {name: o.message[:300] for name, o in outcomes.items()}
