"""The run's time budget and the calls that timed out, in the suite's pytest process (docs/detection.md).

- `start_budget(config, seconds)` (steps/conftest.py calls it with SuiteConfig.time_budget) sets the session's
  deadline. Once it has passed, the scenario at hand fails at its next step, its provisioning job is cancelled
  at once by a timer (ProvisioningJob.cancel: a cycle against a hung target ends within one call's deadline),
  and every scenario after it is not run: skipped with `not run: the run's time budget ...`. The session then
  exits 1 and its JUnit XML carries the testsuite property `time_budget_used_up`, so summary.md and
  `scim-harness run` say so. With pytest-xdist each worker keeps its own deadline; the controller learns that
  the budget ran out from the workers' reports.
- Each scenario's calls that got no answer within the per-call timeout are named in its report (JUnit property
  `timed_out`, an Allure attachment; summary.md lists them): the provisioning job's, from its `entra_wire`,
  and the probe's and the driver's, raised as `CallTimedOut` (which have `call` and `seconds`).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import allure
import pytest
from _pytest.junitxml import xml_key

from scim_harness.reporting.evidence import fixture_if_used
from scim_harness.reporting.properties import TIMED_OUT, USED_UP

NOT_RUN = "not run: the run's time budget was used up (--time-budget)"
_NOT_RUN_PREFIX = "not run: the run's time budget"
_USED_UP_HERE = "was used up during this scenario (--time-budget)"
MAX_CALLS_NAMED = 20
"""Per scenario: a hung target times out every call, and the first few say it all."""


@dataclass
class _Budget:
    seconds: float
    deadline: float
    used_up: bool = False
    job: Any = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    timer: threading.Timer | None = None

    def expired(self) -> bool:
        if time.monotonic() >= self.deadline:
            self.run_out()
        return self.used_up

    def run_out(self) -> None:
        """The deadline passed: stop the scenario's provisioning job now (its calls end within their own)."""
        with self.lock:
            self.used_up = True
            job = self.job
        if job is not None and callable(getattr(job, "cancel", None)):
            job.cancel()

    def follow(self, job: Any) -> None:
        with self.lock:
            self.job = job
        if self.used_up and job is not None:
            self.run_out()


class _Reports:
    """Sees every test report (also in xdist's controller, which runs no scenario itself): did the budget
    run out in this process or in a worker?"""

    def __init__(self) -> None:
        self.used_up = False

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        text = str(report.longrepr) if report.longrepr is not None else ""
        if (report.skipped and _NOT_RUN_PREFIX in text) or (report.failed and _USED_UP_HERE in text):
            self.used_up = True


_BUDGET = pytest.StashKey[_Budget]()
_REPORTS = pytest.StashKey[_Reports]()


def start_budget(config: pytest.Config, seconds: float) -> None:
    """The session's time budget starts now (called from the suite's pytest_configure)."""
    budget = _Budget(seconds, time.monotonic() + seconds)
    budget.timer = threading.Timer(seconds, budget.run_out)
    budget.timer.daemon = True
    budget.timer.start()
    config.stash[_BUDGET] = budget


def _budget(config: pytest.Config) -> _Budget | None:
    return config.stash.get(_BUDGET, None)


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_REPORTS] = reports = _Reports()
    config.pluginmanager.register(reports, "scim-harness-time-budget-reports")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    budget = _budget(item.config)
    if budget is not None and budget.expired():
        pytest.skip(NOT_RUN)


def pytest_bdd_before_step(request: pytest.FixtureRequest) -> None:
    budget = _budget(request.config)
    if budget is None:
        return
    budget.follow(fixture_if_used(request, "provisioning_job"))
    if budget.expired():
        pytest.fail(f"the run's time budget {_USED_UP_HERE}", pytrace=False)


def pytest_bdd_after_step(request: pytest.FixtureRequest) -> None:
    budget = _budget(request.config)
    if budget is not None:
        budget.follow(fixture_if_used(request, "provisioning_job"))


def pytest_bdd_step_error(request: pytest.FixtureRequest, exception: BaseException) -> None:
    call, seconds = getattr(exception, "call", None), getattr(exception, "seconds", None)
    if isinstance(call, str) and isinstance(seconds, int | float):
        _timed_out(request.node, f"{call} (no answer within {seconds:g} s)")


def pytest_bdd_after_scenario(request: pytest.FixtureRequest) -> None:
    budget = _budget(request.config)
    if budget is not None:
        budget.follow(None)
    if fixture_if_used(request, "provisioning") is None:
        return
    wire = fixture_if_used(request, "entra_wire")
    if wire is None:
        wire = request.getfixturevalue("entra_wire")
    for exchange in getattr(wire, "exchanges", []):
        if exchange.outcome == "timeout":
            query = f"?{exchange.query}" if exchange.query else ""
            _timed_out(request.node, f"{exchange.method} {exchange.path}{query} (sent by Entra's job)")
    calls = [value for name, value in request.node.user_properties if name == TIMED_OUT]
    if calls:
        text, kind = "\n".join(calls), allure.attachment_type.TEXT
        allure.attach(text, name="Calls that got no answer in time", attachment_type=kind)


def _timed_out(item: pytest.Item, call: str) -> None:
    named = [value for name, value in item.user_properties if name == TIMED_OUT]
    if call not in named and len(named) < MAX_CALLS_NAMED:
        item.user_properties.append((TIMED_OUT, call))


@pytest.hookimpl(tryfirst=True)  # before pytest's JUnit writer, so the XML carries the property
def pytest_sessionfinish(session: pytest.Session) -> None:
    budget = _budget(session.config)
    if budget is not None and budget.timer is not None:
        budget.timer.cancel()
    reports = session.config.stash.get(_REPORTS, None)
    used_up = bool(budget and budget.used_up) or bool(reports and reports.used_up)
    if not used_up or hasattr(session.config, "workerinput"):
        return
    xml = session.config.stash.get(xml_key, None)
    if xml is not None:
        xml.add_global_property(USED_UP, "true")
    if session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
