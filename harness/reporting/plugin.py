"""pytest plugin for the conformance suite: Allure labels, links, attachments, environment and redaction.

Register it in steps/conftest.py with `pytest_plugins = ["scim_harness.reporting.plugin"]`. It works with
allure-pytest-bdd (active when pytest gets `--alluredir`) and does nothing harmful without it.

It finds the run's objects lazily through the suite's fixtures, and only if a scenario used them:
- `capture_proxy` (session, a harness.capture.CaptureProxy): the scenario's exchanges are attached;
- `provisioning_job` (function, has `.logs.to_json()`): the simulator's provisioning logs are attached.
Secrets that are not the proxy's are registered with `register_secrets(config, values)`; target, dialect and
other environment facts with `set_environment(config, target=..., dialect=...)`.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import allure
import pytest

from scim_harness.common.redact import Redactor
from scim_harness.reporting.attachments import (
    exchange_overview,
    format_exchanges,
    plain_text,
    provisioning_logs_json,
)
from scim_harness.reporting.environment import write_environment
from scim_harness.reporting.labels import (
    DEFAULT_HELP_URL,
    HELP_MARK,
    HELP_TAG_PREFIX,
    LAYERS,
    help_url,
    layers_of,
)
from scim_harness.reporting.results import redact_results_dir

logger = logging.getLogger(__name__)

CAPTURE_FIXTURE = "capture_proxy"
JOB_FIXTURE = "provisioning_job"
HELP_URL_INI = "help_base_url"


@dataclass
class _ReportState:
    redactor: Redactor = field(default_factory=Redactor)
    environment: dict[str, str] = field(default_factory=dict)


_STATE = pytest.StashKey[_ReportState]()
_STARTED = pytest.StashKey[datetime]()


def _state(config: pytest.Config) -> _ReportState:
    if _STATE not in config.stash:
        config.stash[_STATE] = _ReportState()
    return config.stash[_STATE]


def register_secrets(config: pytest.Config, secrets: Iterable[str]) -> None:
    """Secrets to redact from attachments and, after the run, from every file of the results directory."""
    for secret in secrets:
        _state(config).redactor.add(secret)


def set_environment(config: pytest.Config, **entries: object) -> None:
    """Facts for Allure's Environment panel (target, dialect, URL...); values are redacted when written."""
    _state(config).environment.update({key: str(value) for key, value in entries.items()})


def _results_dir(config: pytest.Config) -> Path | None:
    directory = getattr(config.option, "allure_report_dir", None)
    return Path(directory) if directory else None


# -- hooks --


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        HELP_URL_INI, "help article that `@help:<anchor>` tags point into", default=DEFAULT_HELP_URL
    )


def pytest_configure(config: pytest.Config) -> None:
    _state(config)
    config.addinivalue_line("markers", f"{HELP_MARK}(anchor): help article section the scenario checks")
    for layer, title in LAYERS.items():
        config.addinivalue_line("markers", f"{layer}: {title}")


@pytest.hookimpl(tryfirst=True)
def pytest_bdd_apply_tag(tag: str, function: Any) -> bool | None:
    # "@help:x" cannot be a marker under --strict-markers; it becomes one registered mark with an argument.
    if tag.startswith(HELP_TAG_PREFIX):
        getattr(pytest.mark, HELP_MARK)(tag.removeprefix(HELP_TAG_PREFIX))(function)
        return True
    return None


@pytest.hookimpl(trylast=True)  # after allure-pytest-bdd has opened the test result
def pytest_bdd_before_scenario(request: pytest.FixtureRequest, feature: Any, scenario: Any) -> None:
    item = request.node
    item.stash[_STARTED] = datetime.now(UTC)
    item.user_properties += [("feature", feature.name), ("scenario", scenario.name)]

    tags = {mark.name for mark in item.iter_markers()}
    layers = layers_of(tags)
    for layer in layers:
        allure.dynamic.label("layer", layer)
    if layers:
        allure.dynamic.epic(LAYERS[layers[0]])
        allure.dynamic.parent_suite(LAYERS[layers[0]])
    allure.dynamic.suite(feature.name)
    allure.dynamic.story(scenario.name)

    base_url = request.config.getini(HELP_URL_INI) or DEFAULT_HELP_URL
    anchors = dict.fromkeys(mark.args[0] for mark in item.iter_markers(HELP_MARK) if mark.args)
    for anchor in anchors:
        allure.dynamic.link(help_url(anchor, base_url), name=f"Help: {anchor}")


def pytest_bdd_after_scenario(request: pytest.FixtureRequest, feature: Any, scenario: Any) -> None:
    try:
        _attach_scenario_evidence(request)
    except Exception:
        # Reporting must never turn a scenario red; the reason goes to the log (which Allure attaches too).
        logger.warning("could not attach the scenario's traffic or logs", exc_info=True)


@pytest.hookimpl(hookwrapper=True, trylast=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    # Innermost wrapper: the report is redacted before allure-pytest-bdd, the terminal and the JUnit writer
    # read it. Tracebacks show step arguments: a fixture holding a token (a context dict) would leak there.
    outcome = yield
    redactor = _state(item.config).redactor
    if redactor.secrets:
        _redact_report(outcome.get_result(), redactor)


def _redact_report(report: pytest.TestReport, redactor: Redactor) -> None:
    if isinstance(report.longrepr, tuple):  # a skip: (path, line, reason)
        path, line, reason = report.longrepr
        report.longrepr = (path, line, redactor.text(reason))
    elif isinstance(report.longrepr, str):
        report.longrepr = redactor.text(report.longrepr)
    elif report.longrepr is not None:
        # Redacted in place, so pytest keeps its structure (crash line for JUnit's message, xdist transport).
        _redact_repr(report.longrepr, redactor)
    report.sections = [(title, redactor.text(content)) for title, content in report.sections]


def _redact_repr(value: Any, redactor: Redactor) -> Any:
    """Redacts every string inside pytest's failure representation (dataclasses, lists, tuples)."""
    if isinstance(value, str):
        return redactor.text(value)
    if isinstance(value, list):
        value[:] = [_redact_repr(item, redactor) for item in value]
        return value
    if isinstance(value, tuple):
        return tuple(_redact_repr(item, redactor) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field_ in dataclasses.fields(value):
            object.__setattr__(value, field_.name, _redact_repr(getattr(value, field_.name), redactor))
    return value


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    results_dir = _results_dir(config)
    if results_dir is None:
        return
    state = _state(config)
    environment = {
        key: str(value)
        for key in ("target", "dialect")
        if (value := config.getoption(key, default=None)) is not None
    }
    write_environment(results_dir, {**environment, **state.environment}, state.redactor)
    redact_results_dir(results_dir, state.redactor.secrets)


# -- evidence --


def _fixture_if_used(request: pytest.FixtureRequest, name: str) -> Any | None:
    """The fixture's value if this scenario set it up (statically or from a step); never starts it anew."""
    if name not in request.fixturenames:
        return None
    try:
        return request.getfixturevalue(name)
    except (Exception, pytest.skip.Exception):
        return None


def _attach_scenario_evidence(request: pytest.FixtureRequest) -> None:
    state = _state(request.config)
    redactor = state.redactor

    proxy = _fixture_if_used(request, CAPTURE_FIXTURE)
    if proxy is not None:
        for secret in proxy.redactor.secrets:
            redactor.add(secret)
        started = request.node.stash.get(_STARTED, None)
        # By time rather than by mark: the session proxy may have been started by this very scenario.
        exchanges = [e for e in proxy.exchanges() if started is None or e.started >= started]
        if exchanges:
            text = exchange_overview(exchanges) + "\n\n" + "=" * 100 + "\n\n" + format_exchanges(exchanges)
            allure.attach(
                redactor.text(text),
                name=f"HTTP exchanges ({len(exchanges)})",
                attachment_type=allure.attachment_type.TEXT,
            )

    job = _fixture_if_used(request, JOB_FIXTURE)
    logs = getattr(job, "logs", None) if job is not None else None
    if logs is not None:
        allure.attach(
            provisioning_logs_json(logs, redactor),
            name="Provisioning logs",
            attachment_type=allure.attachment_type.JSON,
        )
        as_table = getattr(logs, "as_table", None)
        if callable(as_table):
            allure.attach(
                redactor.text(plain_text(as_table())),
                name="Provisioning logs (table)",
                attachment_type=allure.attachment_type.TEXT,
            )
