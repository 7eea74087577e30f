"""The fixtures of one scenario: one job each, no shared "world" object.

    people            the scenario's people by alias; removes their users from the target afterwards
    directory         Entra ID's directory: tenant and virtual clock, users and groups by alias
    provisioning      Entra ID's provisioning job and its configuration; closes the job afterwards
    provisioning_job  the scenario's ProvisioningJob (the report plugin finds its logs by this name)
    entra_wire        every request the job sent in this scenario and its answer (checks on the wire)
    kintone           what Kintone holds, read through the target driver
    kintone_admin     what a Kintone administrator does; puts tenant-wide settings back afterwards
    scim_answers      every answer of the protocol probe in this scenario
    protocol_probe    single SCIM requests shaped as Entra ID sends them
    notes             notes for the report

Results one step hands to a later one travel as fixtures set by the step (pytest-bdd's `target_fixture`):
`provisioning_job`, `created_token`, `connection_test`, `on_demand_result` and `scim_answer`; docs/suite.md
lists which step sets each. Every value here has a short repr without secrets, because allure-pytest-bdd
records each step's arguments with repr().
"""

from __future__ import annotations

from collections.abc import Iterator

import allure
import pytest

from scim_harness.capture import CaptureProxy
from scim_harness.config import SuiteConfig
from scim_harness.drivers import TargetDriver
from scim_harness.drivers.protocol_probe import ProtocolProbe
from scim_harness.simulator.engine import ProvisioningJob
from scim_harness.steps.support.directory import Directory
from scim_harness.steps.support.kintone import Kintone, KintoneAdmin, remove_people
from scim_harness.steps.support.notes import ReportNotes
from scim_harness.steps.support.people import People
from scim_harness.steps.support.protocol import AnswerLog
from scim_harness.steps.support.provisioning import Provisioning
from scim_harness.steps.support.wire import EntraWire


def _attach(title: str, text: str) -> None:
    allure.attach(text, name=title, attachment_type=allure.attachment_type.TEXT)


@pytest.fixture
def notes() -> ReportNotes:
    return ReportNotes(_attach)


# ---- the Kintone side ------------------------------------------------------------------------------------


@pytest.fixture
def people(target_driver: TargetDriver, notes: ReportNotes) -> Iterator[People]:
    roster = People()
    yield roster
    # Torn down after kintone_admin (which needs people, so it is set up later and undone first): an IP
    # restriction or a switched-off propagation is lifted before the users are removed.
    problems = remove_people(target_driver, roster)
    if problems:
        notes.note("clean-up problems", "\n".join(problems))


@pytest.fixture
def kintone(target_driver: TargetDriver, people: People) -> Kintone:
    return Kintone(target_driver, people)


@pytest.fixture
def kintone_admin(
    target_driver: TargetDriver,
    people: People,
    capture_proxy: CaptureProxy,
    pytestconfig: pytest.Config,
    notes: ReportNotes,
) -> Iterator[KintoneAdmin]:
    # Imported late: pytest imports the reporting plugin itself (pytest_plugins) to rewrite its asserts.
    from scim_harness.reporting.plugin import register_secrets

    def new_secret(value: str) -> None:
        capture_proxy.add_secret(value)
        register_secrets(pytestconfig, [value])

    admin = KintoneAdmin(target_driver, people, new_secret)
    yield admin
    try:
        admin.undo()
    except Exception as exc:
        notes.note("clean-up problems", f"putting back tenant settings: {exc}")


# ---- the Entra ID side -----------------------------------------------------------------------------------


@pytest.fixture
def directory(people: People) -> Directory:
    return Directory(people)


@pytest.fixture
def provisioning(
    directory: Directory,
    capture_proxy: CaptureProxy,
    target_driver: TargetDriver,
    dialect: str,
    notes: ReportNotes,
    suite_config: SuiteConfig,
) -> Iterator[Provisioning]:
    # Entra ID reaches the target through the capture proxy, with the token the target issued (and, over
    # HTTPS without capture, trusting the configured test CA besides the public roots); each of its calls
    # has the suite's per-call timeout (docs/detection.md, "Time").
    entra = Provisioning(
        directory,
        capture_proxy.url,
        dialect,
        target_driver.secret_token,
        notes,
        timeout_seconds=suite_config.timeout,
        ca_file=suite_config.ca_file,
    )
    yield entra
    entra.close()


@pytest.fixture
def provisioning_job(provisioning: Provisioning) -> ProvisioningJob:
    """The scenario's job (built and started on first use); the connection steps also set it."""
    return provisioning.job


@pytest.fixture
def entra_wire(provisioning: Provisioning) -> EntraWire:
    """What Entra ID sent in this scenario, as the job's own client saw it (capture on or off)."""
    return provisioning.wire


# ---- the protocol probe ----------------------------------------------------------------------------------


@pytest.fixture
def scim_answers(notes: ReportNotes) -> AnswerLog:
    return AnswerLog(notes)


@pytest.fixture
def protocol_probe(
    capture_proxy: CaptureProxy,
    target_driver: TargetDriver,
    scim_answers: AnswerLog,
    suite_config: SuiteConfig,
) -> Iterator[ProtocolProbe]:
    probe = ProtocolProbe(
        capture_proxy.url,
        target_driver.secret_token,
        timeout=suite_config.timeout,
        on_answer=scim_answers.record,
    )
    yield probe
    probe.close()
