"""The one module that reaches into allure-pytest-bdd (pinned 2.16.2): what its public API cannot do.

allure-pytest-bdd opens a test result when pytest-bdd starts a scenario, so a scenario skipped or broken in
set-up (not applicable to the target, a fixture that failed) never reached Allure while JUnit counted it;
it records every step argument, fixtures included, quoted with repr(); and it names a test after its scenario
only, so the two dialect runs of one scenario look like one test run twice. Here, through its listener and
lifecycle: open the result of a scenario that never started, set the title and the run's parameters, keep
only the step's own arguments as step parameters, and drop "Skipped: " from a skip reason.
Each function does nothing when Allure is off (no `--alluredir`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import pytest
from allure_commons.model2 import Parameter, Status, TestResult
from allure_pytest_bdd.pytest_bdd_listener import PytestBDDListener
from allure_pytest_bdd.steps import get_step_uuid

from scim_harness.reporting.identity import ScenarioIdentity, scenario_of

_LISTENER = pytest.StashKey[PytestBDDListener | None]()


def _listener(config: pytest.Config) -> PytestBDDListener | None:
    if _LISTENER not in config.stash:
        found = [p for p in config.pluginmanager.get_plugins() if isinstance(p, PytestBDDListener)]
        if not found:
            return None  # not yet registered (allure's pytest_configure runs after ours) or Allure is off
        config.stash[_LISTENER] = found[0]
    return config.stash[_LISTENER]


@contextmanager
def test_result(item: pytest.Item) -> Iterator[TestResult | None]:
    """The item's open Allure test result, or None."""
    listener = _listener(item.config)
    if listener is None or item.nodeid not in listener.nodeid_to_uuid:  # (a defaultdict: `in` adds nothing)
        yield None
        return
    with listener.lifecycle.update_test_case(uuid=listener.nodeid_to_uuid[item.nodeid]) as result:
        yield result


class _Deferred:
    """The item, as the listener sees it, with its finalizers kept for later: an item skipped by a mark never
    entered pytest's set-up stack, so pytest would refuse a finalizer on it."""

    def __init__(self, item: pytest.Item) -> None:
        self._item = item
        self.finalizers: list[Callable[[], object]] = []

    def addfinalizer(self, finalizer: Callable[[], object]) -> None:
        self.finalizers.append(finalizer)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._item, name)


_DEFERRED = pytest.StashKey[_Deferred]()


def open_unstarted(item: pytest.Item) -> bool:
    """Opens the Allure result of a scenario that ends before it starts (skipped or broken in set-up), the way
    allure-pytest-bdd opens a started one. True if one was opened; `close_unstarted` reports its steps."""
    listener = _listener(item.config)
    found = scenario_of(item)
    if listener is None or found is None or item.nodeid in listener.nodeid_to_uuid:
        return False
    feature, scenario = found
    node = item.stash[_DEFERRED] = _Deferred(item)
    request = SimpleNamespace(node=node, config=item.config)  # what the listener reads of a FixtureRequest
    listener.pytest_bdd_before_scenario(request=request, feature=feature, scenario=scenario)
    return True


def close_unstarted(item: pytest.Item) -> None:
    """At tear-down, before allure-pytest-bdd writes the result: its steps, reported as skipped."""
    node = item.stash.get(_DEFERRED, None)
    if node is not None:
        del item.stash[_DEFERRED]
        for finalizer in node.finalizers:
            finalizer()


def name_the_run(item: pytest.Item, identity: ScenarioIdentity) -> None:
    """Title with the variant; parameters as plain text (no repr quotes); a variant parameter that shares an
    outline column's name kept apart, so both enter Allure's history id (one per scenario run)."""
    with test_result(item) as result:
        if result is None:
            return
        result.name = identity.name
        columns = {name for name, _ in identity.example}
        result.parameters = [
            *(Parameter(name=name, value=value) for name, value in identity.example),
            *(
                Parameter(name=f"{name} of the run" if name in columns else name, value=value)
                for name, value in identity.variant
            ),
        ]


def plain_skip_reason(item: pytest.Item) -> None:
    """ "Skipped: not applicable: ..." -> "not applicable: ...": the reason as the suite wrote it, and no
    "trace" (for a skip, pytest's (file, line, reason) tuple as text)."""
    with test_result(item) as result:
        details = result.statusDetails if result is not None and result.status == Status.SKIPPED else None
        if details is not None and details.message:
            details.message = details.message.removeprefix("Skipped: ")
            details.trace = None


def step_parameters(step_text: str, arguments: Mapping[str, Any]) -> dict[str, str]:
    """The step's own arguments, as plain text: those parsed from the step's words. A fixture (a driver, a
    job, a "world", a token) is never a step parameter, whatever the step functions' signatures are."""
    shown: dict[str, str] = {}
    for name, value in arguments.items():
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            continue
        text = str(value)
        if text and text in step_text:
            shown[name] = text
    return shown


def keep_step_parameters(item: pytest.Item, step: Any, arguments: Mapping[str, Any]) -> None:
    """Replaces the parameters allure-pytest-bdd recorded for the running step (every argument, repr'd)."""
    listener = _listener(item.config)
    if listener is None:
        return
    with listener.lifecycle.update_step(uuid=get_step_uuid(step)) as result:
        if result is not None:
            result.parameters = [
                Parameter(name=name, value=value)
                for name, value in step_parameters(step.name, arguments).items()
            ]
