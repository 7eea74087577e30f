"""One name per scenario run, the same in Allure, JUnit, the summary, the HAR pages and the progress lines.

A scenario run is a feature's scenario (an outline's example rendered into its name) in one variant of the
run: the values of the pytest parameters that are not the outline's example, which in the conformance suite
is the payload dialect when `--dialect both` runs every scenario twice. The variant is in every name, so the
two runs of one scenario never look like one test run twice (Allure folded them into "retries" before).

Known at collection, from pytest-bdd's own registry of scenario functions (as `pytest --generate-missing`
reads it), so a scenario skipped before it starts (not applicable to the target) has its name too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from pytest_bdd.parser import Feature, Scenario
from pytest_bdd.scenario import scenario_wrapper_template_registry

EXAMPLE_PARAM = "_pytest_bdd_example"
"""pytest-bdd's parameter holding an outline's example row."""


@dataclass(frozen=True, slots=True)
class ScenarioIdentity:
    feature: str
    scenario: str
    """The scenario's name, an outline's placeholders filled in."""
    variant: tuple[tuple[str, str], ...] = ()
    """(parameter, value) of the run's own parametrisation, e.g. (("dialect", "legacy"),)."""
    example: tuple[tuple[str, str], ...] = ()
    """(column, value) of an outline's example row."""

    @property
    def name(self) -> str:
        """The scenario's name with the variant: `A user is added [legacy]` (JUnit's name, Allure's title)."""
        name = self.scenario
        unnamed = [value for _, value in self.example if value not in name]
        if self.example and len(unnamed) == len(self.example):
            name += f" ({', '.join(unnamed)})"  # an outline whose name shows none of its example's values
        if self.variant:
            name += f" [{', '.join(value for _, value in self.variant)}]"
        return name

    @property
    def title(self) -> str:
        """`Feature: scenario [variant]`: the summary's and the HAR page's name."""
        return f"{self.feature}: {self.name}"

    def properties(self) -> list[tuple[str, str]]:
        """For JUnit's <properties>: the feature, the named scenario and each variant parameter."""
        return [("feature", self.feature), ("scenario", self.name), *self.variant]


_IDENTITY = pytest.StashKey[ScenarioIdentity]()


def scenario_of(item: pytest.Item) -> tuple[Feature, Scenario] | None:
    """pytest-bdd's feature and (rendered) scenario of a test item, or None for a plain test."""
    function = getattr(item, "obj", None)
    try:
        template = scenario_wrapper_template_registry.get(function) if function is not None else None
    except TypeError:  # not weak-referenceable: not a scenario function
        return None
    if template is None:
        return None
    return template.feature, template.render(_params(item).get(EXAMPLE_PARAM) or {})


def identify(item: pytest.Item) -> ScenarioIdentity | None:
    """The item's identity, computed once (at collection) and kept in its stash."""
    if _IDENTITY in item.stash:
        return item.stash[_IDENTITY]
    found = scenario_of(item)
    if found is None:
        return None
    feature, scenario = found
    params = _params(item)
    example = params.get(EXAMPLE_PARAM) or {}
    identity = ScenarioIdentity(
        feature=feature.name or feature.rel_filename,
        scenario=scenario.name,
        variant=tuple((name, _text(value)) for name, value in params.items() if name != EXAMPLE_PARAM),
        example=tuple((str(name), _text(value)) for name, value in example.items()),
    )
    item.stash[_IDENTITY] = identity
    return identity


def _params(item: pytest.Item) -> Mapping[str, Any]:
    callspec = getattr(item, "callspec", None)
    return callspec.params if callspec is not None else {}


def _text(value: object) -> str:
    return value if isinstance(value, str) else repr(value)
