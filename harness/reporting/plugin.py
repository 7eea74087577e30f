"""pytest plugin for the conformance suite: one name per scenario run everywhere, Allure labels, links,
evidence, failures without the framework's internals, JUnit in the scenario's words, redaction.

Register it in steps/conftest.py with `pytest_plugins = ["scim_harness.reporting.plugin"]`. It works with
allure-pytest-bdd (active when pytest gets `--alluredir`) and does nothing harmful without it. It holds
whatever the step functions' signatures are: step parameters are the arguments parsed from the step's words.

The suite provides fixtures it looks up by name (see `reporting.evidence`): `capture_proxy` and
`provisioning_job`. Secrets that are not the proxy's are registered with `register_secrets(config, values)`;
target, dialect and other environment facts with `set_environment(config, target=..., dialect=...)`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import allure
import pytest

from scim_harness.capture.exchange import Exchange
from scim_harness.common.redact import Redactor
from scim_harness.reporting import allure_bridge, cucumber
from scim_harness.reporting.environment import write_environment
from scim_harness.reporting.evidence import attach_exchanges, attach_provisioning_logs, capture_proxy
from scim_harness.reporting.failure import failure_sections, without_framework_frames
from scim_harness.reporting.identity import identify, scenario_of
from scim_harness.reporting.junit import name_cases_after_scenarios
from scim_harness.reporting.labels import (
    DEFAULT_HELP_URL,
    HELP_MARK,
    HELP_TAG_PREFIX,
    LAYERS,
    help_url,
    layers_of,
)
from scim_harness.reporting.report_redaction import redact_report
from scim_harness.reporting.results import redact_results_dir
from scim_harness.reporting.verdicts import explain

HELP_URL_INI = "help_base_url"


@dataclass
class _ReportState:
    redactor: Redactor = field(default_factory=Redactor)
    environment: dict[str, str] = field(default_factory=dict)


@dataclass
class _ScenarioRun:
    """What one running scenario's hooks hand each other."""

    proxy: Any = None
    step_mark: int = 0
    failure: list[tuple[str, str]] = field(default_factory=list)


_STATE = pytest.StashKey[_ReportState]()
_RUN = pytest.StashKey[_ScenarioRun]()


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


# -- collection: the name of each scenario run --


JUNIT_NAMES_OPTION = "--junit-scenario-names"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        HELP_URL_INI, "help article that `@help:<anchor>` tags point into", default=DEFAULT_HELP_URL
    )
    parser.getgroup("scim-harness reports").addoption(
        JUNIT_NAMES_OPTION,
        action="store_true",
        dest="junit_scenario_names",
        help="JUnit XML test cases named after the scenarios: classname = feature, name = scenario "
        "(scim-harness run sets it; by default pytest's module and function names)",
    )


def pytest_configure(config: pytest.Config) -> None:
    _state(config)
    cucumber.register(config)
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


def pytest_itemcollected(item: pytest.Item) -> None:
    # At collection, so every report of the item (a skip before it starts too) carries it, across xdist.
    identity = identify(item)
    if identity is not None:
        item.user_properties += identity.properties()


# -- a scenario's life --


def _label(item: pytest.Item, feature: Any) -> None:
    """Allure labels and links of the scenario whose result was just opened."""
    identity = identify(item)
    if identity is not None:
        allure_bridge.name_the_run(item, identity)
    layers = layers_of({mark.name for mark in item.iter_markers()})
    for layer in layers:
        allure.dynamic.label("layer", layer)
    if layers:
        allure.dynamic.epic(LAYERS[layers[0]])
        allure.dynamic.parent_suite(LAYERS[layers[0]])
    allure.dynamic.suite(feature.name)
    allure.dynamic.story(identity.name if identity else item.name)
    base_url = item.config.getini(HELP_URL_INI) or DEFAULT_HELP_URL
    anchors = dict.fromkeys(mark.args[0] for mark in item.iter_markers(HELP_MARK) if mark.args)
    for anchor in anchors:
        allure.dynamic.link(help_url(anchor, base_url), name=f"Help: {anchor}")


@pytest.hookimpl(trylast=True)  # after allure-pytest-bdd has opened the test result
def pytest_bdd_before_scenario(request: pytest.FixtureRequest, feature: Any, scenario: Any) -> None:
    item = request.node
    _label(item, feature)
    item.stash[_RUN] = run = _ScenarioRun()
    _follow_capture(item, run)


def _follow_capture(item: pytest.Item, run: _ScenarioRun) -> None:
    """Opens the scenario's HAR page as soon as a capture proxy runs (a step's fixture may start it)."""
    if run.proxy is None and (proxy := capture_proxy()) is not None:
        run.proxy = proxy
        identity = identify(item)
        proxy.start_page(item.nodeid, identity.title if identity else item.nodeid)
    if run.proxy is not None:
        run.step_mark = run.proxy.mark()


@pytest.hookimpl(trylast=True)  # the step's fixtures are set up; allure-pytest-bdd recorded every argument
def pytest_bdd_before_step_call(
    request: pytest.FixtureRequest, step: Any, step_func_args: dict[str, Any]
) -> None:
    item = request.node
    run = item.stash.get(_RUN, None)
    if run is not None:
        _follow_capture(item, run)
    allure_bridge.keep_step_parameters(item, step, step_func_args)


@pytest.hookimpl(tryfirst=True)  # while the failing step is still open in Allure
def pytest_bdd_step_error(
    request: pytest.FixtureRequest, step: Any, step_func: Any, exception: BaseException
) -> None:
    without_framework_frames(exception)
    item = request.node
    explain(item, step_func, exception)  # what Entra will do, next to the failure (reporting.verdicts)
    run = item.stash.get(_RUN, None)
    if run is None:
        return
    step_exchanges: list[Exchange] = []
    earlier: list[Exchange] = []
    if run.proxy is not None:
        step_exchanges = [e for e in run.proxy.exchanges_since(run.step_mark) if e.page == item.nodeid]
        earlier = run.proxy.exchanges_on_page(item.nodeid)
        attach_exchanges(step_exchanges, _state(item.config).redactor, "HTTP exchanges of this step")
    run.failure = failure_sections(f"{step.keyword} {step.name}", step_exchanges, earlier)


def pytest_bdd_after_scenario(request: pytest.FixtureRequest) -> None:
    run = request.node.stash.get(_RUN, None)
    redactor = _state(request.config).redactor
    if run is not None and run.proxy is not None:
        run.proxy.end_page()
        for secret in run.proxy.redactor.secrets:
            redactor.add(secret)
        attach_exchanges(run.proxy.exchanges_on_page(request.node.nodeid), redactor)
    attach_provisioning_logs(request, redactor)


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    # The innermost wrapper: what is done here is seen by allure-pytest-bdd, the terminal and JUnit.
    report: pytest.TestReport = yield
    run = item.stash.get(_RUN, None)
    if call.when == "call" and report.failed and run is not None and run.failure:
        if hasattr(report.longrepr, "addsection"):
            for title, text in run.failure:
                report.longrepr.addsection(title, text)  # type: ignore[union-attr]
        elif isinstance(report.longrepr, str):  # pytest.fail(..., pytrace=False): text only
            report.longrepr += "".join(f"\n\n--- {title} ---\n{text}" for title, text in run.failure)
    elif call.when == "setup" and not report.passed and allure_bridge.open_unstarted(item):
        _label(item, scenario_of(item)[0])  # type: ignore[index]
    elif call.when == "teardown":
        allure_bridge.close_unstarted(item)
        allure_bridge.plain_skip_reason(item)
    redactor = _state(item.config).redactor
    if redactor.secrets:
        redact_report(report, redactor)
    return report


@pytest.hookimpl(trylast=True)  # after pytest has written the JUnit XML
def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    junit = getattr(config.option, "xmlpath", None)
    renaming = config.getoption("junit_scenario_names", default=False)
    if renaming and junit and not hasattr(config, "workerinput") and Path(junit).is_file():
        name_cases_after_scenarios(Path(junit))
    directory = getattr(config.option, "allure_report_dir", None)
    if not directory:
        return
    state = _state(config)
    environment = {
        key: str(value)
        for key in ("target", "dialect")
        if (value := config.getoption(key, default=None)) is not None
    }
    write_environment(Path(directory), {**environment, **state.environment}, state.redactor)
    redact_results_dir(Path(directory), state.redactor.secrets)
