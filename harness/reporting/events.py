"""pytest plugin `-p scim_harness.reporting.events`: the run's progress as JSON lines, for `scim-harness run`.

Writes to the file named by $SCIM_HARNESS_PROGRESS_FILE, from the process that sees every test report (the
only one, or pytest-xdist's controller): `{"event": "collected", "total": N}` once the scenarios are
selected, then `{"event": "done", "name": ..., "outcome": "passed" | "failed" | "skipped"}` as each finishes.
Without the variable it does nothing.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

ENV = "SCIM_HARNESS_PROGRESS_FILE"


class ProgressEvents:
    def __init__(self, path: str) -> None:
        self._file = open(path, "a", encoding="utf-8", buffering=1)  # noqa: SIM115 (closed at unconfigure)
        self._outcomes: dict[str, str] = {}
        self._collected = False

    def _emit(self, **event: Any) -> None:
        self._file.write(json.dumps(event) + "\n")

    def _total(self, total: int) -> None:
        if not self._collected:
            self._collected = True
            self._emit(event="collected", total=total)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if not session.config.pluginmanager.hasplugin("dsession"):  # xdist's controller collects nothing
            self._total(len(session.items))

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        self._total(len(ids))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        previous = self._outcomes.get(report.nodeid, "passed")
        if report.failed or previous == "failed":
            outcome = "failed"
        elif report.skipped or previous == "skipped":
            outcome = "skipped"
        else:
            outcome = "passed"
        self._outcomes[report.nodeid] = outcome
        if report.when == "teardown":
            del self._outcomes[report.nodeid]
            properties = dict(report.user_properties)
            name = properties.get("scenario") or report.nodeid
            if properties.get("feature"):
                name = f"{properties['feature']}: {name}"
            self._emit(event="done", name=name, outcome=outcome)

    def pytest_unconfigure(self) -> None:
        self._file.close()


def pytest_configure(config: pytest.Config) -> None:
    path = os.environ.get(ENV)
    if path and not hasattr(config, "workerinput"):
        config.pluginmanager.register(ProgressEvents(path), "scim-harness-progress-events")
