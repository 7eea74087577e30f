"""The suite's pytest subprocess loads the plugins it names, and only those (suite_process.SUITE_PLUGINS)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from scim_harness.config import SuiteConfig
from scim_harness.suite_process import SUITE_PLUGINS, ReportPaths, pytest_command, suite_environment


def _command_and_env(tmp_path: Path) -> tuple[list[str], dict[str, str]]:
    config = SuiteConfig.load({"reports": tmp_path})
    paths = ReportPaths(tmp_path)
    return pytest_command(config, paths), suite_environment(config, paths)


def test_installed_plugins_are_not_loaded_on_their_own(tmp_path: Path) -> None:
    _, env = _command_and_env(tmp_path)
    assert env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] == "1"


def test_every_plugin_the_suite_uses_is_named(tmp_path: Path) -> None:
    command, _ = _command_and_env(tmp_path)
    named = {command[i + 1] for i, arg in enumerate(command) if arg == "-p"}
    assert set(SUITE_PLUGINS) <= named


def test_the_suite_collects_with_only_the_named_plugins_and_none_of_the_dev_ones(tmp_path: Path) -> None:
    command, env = _command_and_env(tmp_path)
    # --trace-config lists every plugin pytest registered; --co runs nothing.
    result = subprocess.run(
        [*command, "--co", "--trace-config", "-p", "no:cacheprovider"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "pytest_bdd" in result.stdout and "allure_pytest_bdd" in result.stdout
    dev_plugins = ("_hypothesis_pytestplugin", "faker.contrib.pytest", "pytest_locust", "anyio.pytest_plugin")
    for plugin in dev_plugins:
        assert plugin not in result.stdout
