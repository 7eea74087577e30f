"""Cucumber JSON (`--cucumberjson`), written by pytest-bdd 9 itself, with the scenario names of the other
reports: the variant of the run (the dialect) in each name, so the two runs of a scenario stay apart.

pytest-bdd's writer has two limits that are its own: it writes only the scenarios that started (one skipped
before it starts, such as a not-applicable one, is absent), and with pytest-xdist it writes none (it reads
what it needs in the process that ran the scenario), so `scim-harness run` asks for it with one worker only.
"""

from __future__ import annotations

from collections.abc import Generator

import pytest
from pytest_bdd.reporting import test_report_context_registry

from scim_harness.reporting.identity import identify


class CucumberNames:
    @pytest.hookimpl(wrapper=True, tryfirst=True)  # outermost: after pytest-bdd has stored the scenario
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        context = test_report_context_registry.get(report)
        identity = identify(item)
        if context is not None and identity is not None:
            context.scenario["name"] = identity.name
        return report


def register(config: pytest.Config) -> None:
    if getattr(config.option, "cucumber_json_path", None):
        config.pluginmanager.register(CucumberNames(), "scim-harness-cucumber-names")
