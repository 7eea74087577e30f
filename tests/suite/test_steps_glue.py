"""The suite's glue keeps its shape: steps take plain values and narrow fixtures, nothing a step hands on
shows a secret, and with both dialects every test id names its dialect first."""

from __future__ import annotations

import inspect
import os
from types import ModuleType
from typing import ClassVar

import pytest

from scim_harness.common.scim_wire import DIALECT_NAMES
from scim_harness.drivers.protocol_probe import Answer, ProtocolProbe
from scim_harness.steps import (
    entra_steps,
    entra_wire_steps,
    groups_steps,
    kintone_steps,
    scim_steps,
    service_steps,
)
from scim_harness.steps.support.directory import Directory
from scim_harness.steps.support.kintone import IssuedToken, Kintone, KintoneAdmin
from scim_harness.steps.support.notes import ReportNotes
from scim_harness.steps.support.paging import Walk
from scim_harness.steps.support.people import People
from scim_harness.steps.support.protocol import AnswerLog
from scim_harness.steps.support.provisioning import Provisioning
from scim_harness.steps.support.service import ServiceOffer
from scim_harness.steps.support.wire import EntraWire
from tests.suite.suite_runs import MODULE, STEPS_DIR

# The fixtures a step may take (steps/fixtures.py), and the results steps hand on with target_fixture.
SCENARIO_FIXTURES = {
    "people",
    "directory",
    "provisioning",
    "kintone",
    "kintone_admin",
    "scim_answers",
    "protocol_probe",
    "entra_wire",  # what the job sent (steps/support/wire.py)
    "notes",  # report notes
    "datatable",  # pytest-bdd's table under a step: plain text from the feature file
    "target_service",  # what the target serves (Groups or not)
}
HANDED_ON = {
    "provisioning_job",
    "created_token",
    "connection_test",
    "on_demand_result",
    "scim_answer",
    "user_pages",
}
STEP_MODULES = [entra_steps, kintone_steps, scim_steps, service_steps, groups_steps, entra_wire_steps]
PLAIN = {"str", "int"}
SECRET = "s3cret-token-value"


def _step_functions(module: ModuleType) -> list:
    return [
        f
        for _, f in inspect.getmembers(module, inspect.isfunction)
        if f.__module__ == module.__name__ and not f.__name__.startswith("_")
    ]


@pytest.mark.parametrize("module", STEP_MODULES, ids=lambda m: m.__name__)
def test_steps_take_plain_values_and_narrow_fixtures_only(module: ModuleType) -> None:
    wrong = [
        f"{function.__name__}({name})"
        for function in _step_functions(module)
        for name, parameter in inspect.signature(function).parameters.items()
        if parameter.annotation not in PLAIN and name not in SCENARIO_FIXTURES | HANDED_ON
    ]
    assert not wrong, f"steps taking something other than a plain value or a narrow fixture: {wrong}"


class _Driver:
    """A target driver stand-in with a secret, for the reprs."""

    name = "emulator"
    scim_url = "http://127.0.0.1:1/scim/v2"
    secret_token = SECRET
    secrets: ClassVar[list[str]] = [SECRET]


def test_nothing_a_step_can_take_shows_a_secret() -> None:
    notes = ReportNotes(lambda title, text: None)
    people = People()
    directory = Directory(people)
    directory.add_user("alice", "Alice Adams")
    provisioning = Provisioning(directory, _Driver.scim_url, "legacy", SECRET, notes)
    probe = ProtocolProbe(_Driver.scim_url, SECRET)
    try:
        shown = [
            people,
            directory,
            provisioning,
            Kintone(_Driver(), people),
            KintoneAdmin(_Driver(), people, lambda value: None),
            AnswerLog(notes),
            probe,
            notes,
            IssuedToken("notes", SECRET),
            provisioning.wire,
            Answer("read", 401, "application/scim+json", {"detail": "no"}),
            EntraWire(),
            ServiceOffer(False, "its /ResourceTypes lists no Group"),
            Walk(ids=[str(i) for i in range(5000)], pages=2500, total=5000),
        ]
        assert not [type(o).__name__ for o in shown if SECRET in repr(o)]
        assert all(len(repr(o)) < 200 for o in shown), "short, so the report stays readable"
    finally:
        probe.close()
        provisioning.close()


class _Ids:
    """A pytest plugin noting each collected test's id and the dialect it runs in."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []
        self.pinned: list[tuple[str, str]] = []
        """(the row's own dialect, the pass it runs in) of each Examples row with a `dialect` column."""

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.seen = [(item.callspec.id, item.callspec.params["dialect"]) for item in session.items]
        rows = [(item.callspec.params.get("_pytest_bdd_example") or {}, item) for item in session.items]
        self.pinned = [(row["dialect"], i.callspec.params["dialect"]) for row, i in rows if "dialect" in row]


def test_with_both_dialects_every_test_id_starts_with_its_dialect(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith(("SCIM_HARNESS_", "PYTEST_XDIST"))]:
        monkeypatch.delenv(name)
    ids = _Ids()
    arguments = [str(MODULE), "--collect-only", "-q", "--dialect", "both", "-p", "no:cacheprovider"]
    arguments += ["-p", "no:xdist", "-c", str(STEPS_DIR / "pytest.ini"), "--rootdir", str(STEPS_DIR.parent)]
    assert pytest.main(arguments, plugins=[ids]) == 0

    assert len(ids.seen) >= 2 * 71
    # Outline rows add their own values after it ("[aadOptscim062020-surname-Carter]").
    assert not [(i, d) for i, d in ids.seen if i.split("-")[0] != d]
    assert {d for _, d in ids.seen} == set(DIALECT_NAMES)
    # A row that selects its own dialect runs only in that dialect's pass: once per dialect it uses.
    assert ids.pinned and all(row == run for row, run in ids.pinned), ids.pinned
