"""The conformance suite as a pytest subprocess: its command line, its report files, and its progress.

The configuration travels whole in the environment (SCIM_HARNESS_*). pytest's own output goes to
`reports/pytest-output.txt` while the terminal shows the progress (scenario counts and the time left, from
the `scim_harness.reporting.events` plugin), unless the caller asks for pytest's output live.
pytest's cache (what `--lf` reads) lives in the reports directory, never inside the installed package.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from scim_harness import steps
from scim_harness.common.errors import HarnessError
from scim_harness.config import SuiteConfig
from scim_harness.progress import JobProgress
from scim_harness.reporting.events import ENV as EVENTS_ENV
from scim_harness.tags import marker_expression

# The installed package's own steps/ (features/ sits beside it, in the repository and in the wheel alike).
STEPS_DIR = Path(steps.__file__).resolve().parent
SUITE_PLUGINS = ("pytest_bdd.plugin", "allure_pytest_bdd.plugin", "xdist.plugin", "xdist.looponfail")
"""The pytest plugins the suite uses, loaded by name: the suite process does not load every installed plugin
(PYTEST_DISABLE_PLUGIN_AUTOLOAD), since the project's own dev plugins (hypothesis, Faker, Locust, anyio) cost
about a second of start-up and are not the suite's (docs/performance.md, "The suite"). A plugin a user adds
is loaded with `-- -p NAME`."""
POLL_S = 0.2
STOP_GRACE_S = 30.0
BUDGET_GRACE_S = 60.0
"""How long past its time budget the suite may run (the scenario at hand winding down, the reports written)
before it is stopped from outside: a backstop; the suite ends itself at its budget (reporting.timing)."""


@dataclass(frozen=True)
class ReportPaths:
    root: Path

    @property
    def allure_results(self) -> Path:
        return self.root / "allure-results"

    @property
    def allure_report(self) -> Path:
        return self.root / "allure-report"

    @property
    def junit(self) -> Path:
        return self.root / "junit.xml"

    @property
    def cucumber(self) -> Path:
        return self.root / "cucumber.json"

    @property
    def har(self) -> Path:
        return self.root / "traffic.har"

    @property
    def summary(self) -> Path:
        return self.root / "summary.md"

    @property
    def history(self) -> Path:
        return self.root / "history.jsonl"

    @property
    def pytest_output(self) -> Path:
        return self.root / "pytest-output.txt"

    @property
    def cache(self) -> Path:
        return self.root / ".pytest_cache"

    @property
    def events(self) -> Path:
        return self.root / ".progress.jsonl"


def pytest_command(config: SuiteConfig, paths: ReportPaths, pytest_args: Sequence[str] = ()) -> list[str]:
    # -P: the caller's working directory is not put on sys.path, so nothing there can shadow a module.
    command = [
        sys.executable,
        "-P",
        "-m",
        "pytest",
        str(STEPS_DIR),
        "-c",
        str(STEPS_DIR / "pytest.ini"),
        "--rootdir",
        str(STEPS_DIR.parent),
        *(arg for plugin in SUITE_PLUGINS for arg in ("-p", plugin)),
        "-p",
        "scim_harness.reporting.events",
        "-o",
        f"cache_dir={paths.cache}",
        "-q",
        "--tb=short",
        "--alluredir",
        str(paths.allure_results),
        "--clean-alluredir",
        "--junitxml",
        str(paths.junit),
        "--junit-scenario-names",
        "-W",
        "ignore::DeprecationWarning",
    ]
    if config.tags:
        command += ["-m", marker_expression(config.tags)]
    if config.workers > 1:
        command += ["-n", str(config.workers)]
    else:  # pytest-bdd writes Cucumber JSON only without xdist (reporting.cucumber)
        command += ["--cucumberjson", str(paths.cucumber)]
    return [*command, *pytest_args]


def suite_environment(config: SuiteConfig, paths: ReportPaths) -> dict[str, str]:
    # A calling pytest's own variables must not leak in, nor stale SCIM_HARNESS_* ones.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCIM_HARNESS_", "PYTEST_"))}
    env.update(config.with_changes(reports=paths.root).to_env())
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # the plugins it needs are named (SUITE_PLUGINS)
    env["SCIM_HARNESS_HAR"] = str(paths.har)
    env[EVENTS_ENV] = str(paths.events)
    return env


class _Events:
    """Reads the events file as it grows; a line still being written is kept for the next read."""

    def __init__(self, path: Path) -> None:
        self._path, self._offset, self._partial = path, 0, ""

    def read(self) -> Iterator[dict]:
        try:
            with self._path.open(encoding="utf-8") as handle:
                handle.seek(self._offset)
                chunk = handle.read()
                self._offset = handle.tell()
        except FileNotFoundError:
            return
        lines = (self._partial + chunk).split("\n")
        self._partial = lines.pop()
        for line in lines:
            try:
                yield json.loads(line)
            except ValueError:
                continue


def _apply(event: dict, progress: JobProgress) -> None:
    if event.get("event") == "collected":
        progress.set_total(int(event.get("total", 0)))
    elif event.get("event") == "done":
        progress.advance(event.get("outcome"))


def run_pytest(
    config: SuiteConfig, paths: ReportPaths, pytest_args: Sequence[str] = (), *, live_output: bool = False
) -> int:
    """Runs the suite; returns pytest's exit code. With `live_output` pytest writes to the terminal itself."""
    paths.events.unlink(missing_ok=True)
    command, env = pytest_command(config, paths, pytest_args), suite_environment(config, paths)
    deadline = time.monotonic() + config.time_budget + BUDGET_GRACE_S
    try:
        if live_output:
            process = subprocess.Popen(command, env=env)
            return _follow(process, None, deadline)
        with paths.pytest_output.open("w", encoding="utf-8") as output:
            process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
            return _follow(process, _Events(paths.events), deadline)
    except OSError as exc:
        raise HarnessError(f"cannot start pytest: {exc.strerror}") from None
    finally:
        paths.events.unlink(missing_ok=True)


def _follow(process: subprocess.Popen, events: _Events | None, deadline: float) -> int:
    progress = (
        JobProgress("scim-harness run", "scenarios", outcomes=("passed", "failed", "skipped"))
        if events is not None
        else None
    )
    try:
        while process.poll() is None:
            if time.monotonic() > deadline:
                _stop(process)
                raise HarnessError(
                    "the suite went on past its time budget and was stopped (see --time-budget and "
                    "pytest-output.txt)"
                )
            if events is not None and progress is not None:
                for event in events.read():
                    _apply(event, progress)
                progress.tick()
            time.sleep(POLL_S)
        if events is not None and progress is not None:
            for event in events.read():
                _apply(event, progress)
    except KeyboardInterrupt:
        _stop(process)
        raise HarnessError("interrupted: the run was stopped") from None
    finally:
        if progress is not None:
            progress.close()
    return process.returncode


def _stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGINT)  # pytest stops after the scenario at hand and writes its reports
    try:
        process.wait(STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def pytest_error_line(paths: ReportPaths) -> str:
    """pytest's own reason for not running (a bad argument, say): its last `error:` line, or a pointer."""
    try:
        lines = paths.pytest_output.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    errors = [line.strip() for line in lines if "error:" in line.lower()]
    return errors[-1] if errors else f"see {paths.pytest_output}"
