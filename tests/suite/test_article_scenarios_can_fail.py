"""Every scenario issue 9 added or changed can fail: each breakage below turns exactly its scenarios red, and
a control scenario stays green (docs: "Every check can fail").

Breakages are of three kinds: an emulator answering otherwise (one of its documented assumptions changed, on
an emulator this test starts), a simulator step broken in this process (monkeypatched; the suite runs
in-process), or a Kintone that keeps what it must not (the emulator's writer of the user JSON patched). Rule
switches that break the new scenarios are mapped in test_rules_break_scenarios.py.
"""

from __future__ import annotations

import dataclasses
import socket
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from scim_harness.emulator.assumptions import Assumptions, ScimRefusal
from scim_harness.emulator.config import EmulatorConfig
from scim_harness.emulator.server import EmulatorServer
from scim_harness.simulator import payloads
from scim_harness.simulator.engine import EngineSettings
from scim_harness.simulator.mappings import AttributeMapping, MappingSet
from scim_harness.steps.support import provisioning
from tests.suite.suite_runs import named, run_suite_in_process

pytestmark = pytest.mark.slow  # runs the conformance suite itself

ADD = "test_a_user_assigned_to_the_kintone_app_is_added_to_kintone"
IP_MESSAGE = (
    "test_test_connection_fails_with_an_invalid_certificate_was_entered_when_kintones_ip_restriction_refuses"
    "_entra_id"
)
IP_RECOVERY = (
    "test_users_provision_once_kintones_ip_restriction_no_longer_stands_between_kintone_and_entra_id"
)
SET_UP_ORDER = "test_test_connection_then_group_provisioning_switched_off_then_users_provision_dialect"
SEVEN = "test_entra_ids_create_carries_the_seven_mapped_attributes_and_nothing_else"
SWITCH = "test_the_switch_on_issoftdeleted_sets_active_in_the_dialect_dialects_form"
ROLE = "test_a_users_role_is_sent_by_entra_id_and_not_kept_by_kintone"
DEPARTMENT = "test_a_users_department_and_job_title_are_not_propagated"
SCOPE = "test_with_a_scoping_filter_only_the_assigned_users_it_selects_are_added"
HARD_DELETE = {
    "test_after_30_days_in_the_recycle_bin_the_user_is_deleted_in_kintone",
    "test_a_user_purged_from_the_recycle_bin_is_deleted_in_kintone_at_the_next_cycle",
}


def _only(selection: set[str], red: set[str], outcomes: dict) -> None:
    assert set(outcomes) == selection, "every selected scenario ran"
    assert named(outcomes, "failed") == red
    assert named(outcomes, "passed") == selection - red


@contextmanager
def _emulator(assumptions: Assumptions) -> Iterator[dict[str, str]]:
    """An emulator answering with these assumptions, and the suite's settings to reach it."""
    password = f"pw-{uuid.uuid4().hex}"
    with EmulatorServer(EmulatorConfig(assumptions=assumptions, admin_password=password)) as server:
        yield {"SCIM_HARNESS_URL": server.base_url, "SCIM_HARNESS_ADMIN_PASSWORD": password}


# ---- the article's error, verbatim, and no other (G18) ---------------------------------------------------


@pytest.mark.parametrize(
    "detail",
    [
        "Forbidden",  # another text: what a generic refusal says
        "An invalid certificate was entered. Ask your administrator.",  # the message, and more
        "",  # no text at all
    ],
)
def test_another_refusal_text_turns_the_ip_scenarios_red(detail: str, tmp_path: Path) -> None:
    selection = {IP_MESSAGE, IP_RECOVERY, ADD}
    refusal = ScimRefusal(403, None, detail)
    with _emulator(Assumptions(ip_blocked=refusal)) as env:
        outcomes = run_suite_in_process(tmp_path, env, *sorted(selection))
    _only(selection, {IP_MESSAGE, IP_RECOVERY}, outcomes)
    assert "An invalid certificate was entered" in outcomes[IP_MESSAGE].message


def test_a_timeout_instead_of_the_refusal_turns_the_ip_scenario_red(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The old check passed on any failure message, an unrelated timeout included: Entra ID pointed at a socket
    # that never answers (1 s deadline) fails Test Connection with a Timeout, and the scenario must go red.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/scim/v2"
        monkeypatch.setattr(provisioning, "tenant_url", lambda scim_url, dialect: url)
        monkeypatch.setattr(
            provisioning, "EngineSettings", lambda **kw: EngineSettings(**{**kw, "timeout_seconds": 1.0})
        )
        outcomes = run_suite_in_process(tmp_path, {}, IP_MESSAGE)
    assert named(outcomes, "failed") == {IP_MESSAGE}
    assert "not the message" in outcomes[IP_MESSAGE].message


# ---- the set-up order (A10, G14, G15) ---------------------------------------------------------------------


def test_a_test_connection_that_fails_on_groups_turns_the_set_up_order_red(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Entra's strict reading: Test Connection fails on the /Groups 404 while group provisioning is still on.
    strict = EngineSettings(test_connection_group_probe="strict")
    monkeypatch.setattr(provisioning, "EngineSettings", lambda **kw: dataclasses.replace(strict, **kw))
    selection = {SET_UP_ORDER, ADD}
    outcomes = run_suite_in_process(tmp_path, {}, *sorted(selection))
    _only(selection, {SET_UP_ORDER}, outcomes)


# ---- the seven mappings on the wire (G16) -----------------------------------------------------------------


def test_a_wrong_mapping_turns_the_seven_mappings_red(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # externalId from the object id instead of the mail nickname: Kintone cannot tell, the wire can.
    kept = MappingSet.default()
    wrong = [
        AttributeMapping(target="externalId", source="[objectId]") if m.target == "externalId" else m
        for m in kept.user_mappings
    ]
    monkeypatch.setattr(
        MappingSet, "default", classmethod(lambda cls: dataclasses.replace(kept, user_mappings=wrong))
    )
    selection = {SEVEN, ADD}
    outcomes = run_suite_in_process(tmp_path, {}, *sorted(selection))
    _only(selection, {SEVEN}, outcomes)


def test_a_boolean_in_the_legacy_disable_turns_its_switch_row_red(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Legacy Entra sends "False", a string (D-COMPAT); the emulator takes a boolean as well, so only the wire
    # shows the difference. The compliant row still passes.
    monkeypatch.setattr(payloads, "_legacy_value", payloads._json_value)
    outcomes = run_suite_in_process(tmp_path, {}, SWITCH, ADD)
    assert named(outcomes, "failed") == {SWITCH}
    assert 'not {"op":"Replace","path":"active","value":"False"}' in outcomes[SWITCH].message
    rows = {
        case.get("name"): case.find("failure") is None
        for case in _cases(tmp_path)
        if SWITCH in case.get("name")
    }
    assert sorted(rows.values()) == [False, True]  # the legacy row red, the compliant row green
    assert [passed for name, passed in rows.items() if "aadOptscim062020" in name] == [True]


# ---- roles are not kept (A8) ------------------------------------------------------------------------------


def test_a_kintone_that_keeps_roles_turns_the_role_scenario_red(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scim_harness.emulator import hot_paths, scim_service, user_json

    def keeping_roles(record, location):
        return {**user_json.user_body(record, location), "roles": [{"value": "Admin"}]}

    for module in (hot_paths, scim_service):
        monkeypatch.setattr(module, "user_body", keeping_roles)
    selection = {ROLE, DEPARTMENT, ADD}
    outcomes = run_suite_in_process(tmp_path, {}, *sorted(selection))
    _only(selection, {ROLE, DEPARTMENT}, outcomes)
    assert "roles" in outcomes[ROLE].message


# ---- a hard delete reaches Kintone (X1) -------------------------------------------------------------------


def test_a_kintone_refusing_delete_turns_the_hard_delete_scenarios_red(tmp_path: Path) -> None:
    selection = HARD_DELETE | {ADD}
    with _emulator(Assumptions(scim_delete="refuse")) as env:
        outcomes = run_suite_in_process(tmp_path, env, *sorted(selection))
    _only(selection, HARD_DELETE, outcomes)


def test_an_engine_that_never_deletes_turns_the_hard_delete_scenarios_red(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_delete = EngineSettings(delete_enabled=False)
    monkeypatch.setattr(provisioning, "EngineSettings", lambda **kw: dataclasses.replace(no_delete, **kw))
    selection = HARD_DELETE | {ADD}
    outcomes = run_suite_in_process(tmp_path, {}, *sorted(selection))
    _only(selection, HARD_DELETE, outcomes)


def _cases(tmp_path: Path) -> list[ET.Element]:
    return list(ET.parse(tmp_path / "junit.xml").getroot().iter("testcase"))


# ---- who is in scope (M9) ---------------------------------------------------------------------------------


def test_an_engine_ignoring_the_scoping_filter_turns_the_scope_scenario_red(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scim_harness.simulator.scoping import ScopingFilter

    monkeypatch.setattr(ScopingFilter, "matches", lambda self, attributes: True)
    selection = {SCOPE, ADD}
    outcomes = run_suite_in_process(tmp_path, {}, *sorted(selection))
    _only(selection, {SCOPE}, outcomes)
