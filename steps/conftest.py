"""The conformance suite's configuration, its session fixtures (the target, the capture proxy, the dialect)
and its hooks. The fixtures of one scenario are in steps/fixtures.py; the steps in steps/*_steps.py.

Configuration comes from scim_harness.config (flags of `scim-harness run`, SCIM_HARNESS_* variables,
scim-harness.toml); the pytest options below override it when pytest is run by hand.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from scim_harness.capture import CaptureProxy, har_path_for_worker
from scim_harness.common.errors import HarnessError
from scim_harness.config import DIALECTS, TARGETS, SuiteConfig
from scim_harness.drivers import NotSupported, TargetDriver, open_driver
from scim_harness.drivers.http import trust_ca_file

pytest_plugins = [
    "scim_harness.reporting.plugin",
    "scim_harness.reporting.timing",
    "scim_harness.steps.fixtures",
    "scim_harness.steps.entra_steps",
    "scim_harness.steps.kintone_steps",
    "scim_harness.steps.scim_steps",
    "scim_harness.steps.service_fixtures",
    "scim_harness.steps.service_steps",
    "scim_harness.steps.groups_steps",
    "scim_harness.steps.entra_wire_steps",
]

_CONFIG = pytest.StashKey[SuiteConfig]()
EXTRA_TAGS = {
    "destructive": "changes tenant-wide settings or deletes users for good (think before running on staging)",
    "needs-admin": "needs an administrator action (User API or the Provisioning page)",
}
NOT_APPLICABLE = (
    "not applicable: @kintone scenarios check Kintone's own rules, and the target is a generic SCIM service"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("scim-harness")
    group.addoption("--target", choices=TARGETS, default=None, help="emulator | kintone | scim")
    group.addoption("--target-url", default=None, help="URL of the target (see docs/suite.md)")
    group.addoption("--dialect", choices=DIALECTS, default=None, help=" | ".join(DIALECTS))


def pytest_configure(config: pytest.Config) -> None:
    from scim_harness.reporting.plugin import set_environment
    from scim_harness.reporting.timing import start_budget

    for tag, meaning in EXTRA_TAGS.items():
        config.addinivalue_line("markers", f"{tag}: {meaning}")
    try:
        suite = SuiteConfig.load(
            {
                "target": config.getoption("target"),
                "url": config.getoption("target_url"),
                "dialect": config.getoption("dialect"),
            }
        )
        suite.validate_target()
    except HarnessError as exc:
        raise pytest.UsageError(str(exc)) from None
    config.stash[_CONFIG] = suite
    trust_ca_file(suite.ca_file)  # the protocol probe's client too (the drivers are given it)
    start_budget(config, suite.time_budget)
    register_secrets(config, suite.secrets)
    set_environment(
        config,
        target=suite.target,
        dialect=suite.dialect,
        url=suite.url or "in-process emulator",
        capture="on" if suite.capture else "off",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _one_pass_per_pinned_dialect(config, items)
    if config.stash[_CONFIG].target != "scim":
        return
    for item in items:
        if item.get_closest_marker("kintone"):
            item.add_marker(pytest.mark.skip(reason=NOT_APPLICABLE))


def _one_pass_per_pinned_dialect(config: pytest.Config, items: list[pytest.Item]) -> None:
    """An Examples row with a `dialect` column selects its own dialect (the tenant URL step): with --dialect
    both, it runs in that dialect's pass only, so each such scenario is reported once per dialect it uses."""
    if len(config.stash[_CONFIG].dialects) < 2:
        return
    keep, drop = [], []
    for item in items:
        params = getattr(item, "callspec", None) and item.callspec.params
        pinned = (params.get("_pytest_bdd_example") or {}).get("dialect") if params else None
        (drop if pinned and pinned != params.get("dialect") else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # With --dialect both, every scenario runs once per dialect. First (tryfirst, before the Examples table's
    # parameters), so that a test id always starts with the dialect's own name: `[legacy]`,
    # `[aadOptscim062020-surname-Carter]` (the reports put it in every name; tests/suite checks it).
    dialects = metafunc.config.stash[_CONFIG].dialects
    if "dialect" in metafunc.fixturenames and len(dialects) > 1:
        metafunc.parametrize("dialect", dialects, ids=dialects, scope="session")


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Iterator[None]:
    # An action the target cannot do is a skip with the driver's reason, never a pass and never a failure.
    try:
        return (yield)
    except NotSupported as exc:
        pytest.skip(str(exc))


def register_secrets(config: pytest.Config, secrets: list[str]) -> None:
    """Secrets the report plugin redacts from every attachment and result file."""
    # Imported late: pytest imports the reporting plugin itself (pytest_plugins) to rewrite its asserts.
    from scim_harness.reporting.plugin import register_secrets as register

    register(config, secrets)


# ---- session fixtures --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def suite_config(pytestconfig: pytest.Config) -> SuiteConfig:
    return pytestconfig.stash[_CONFIG]


@pytest.fixture(scope="session")
def dialect(suite_config: SuiteConfig) -> str:
    """The payload dialect of this pass (parametrised by pytest_generate_tests with --dialect both)."""
    return suite_config.dialects[0]


@pytest.fixture(scope="session")
def target_driver(suite_config: SuiteConfig, pytestconfig: pytest.Config) -> Iterator[TargetDriver]:
    """The target (scim_harness.drivers): one per session, shared by every scenario of this process."""
    driver = open_driver(suite_config)
    register_secrets(pytestconfig, driver.secrets)
    try:
        yield driver
    finally:
        driver.close()


@pytest.fixture(scope="session")
def capture_proxy(suite_config: SuiteConfig, target_driver: TargetDriver) -> Iterator[CaptureProxy]:
    """mitmproxy between the simulated Entra ID and the target (the report plugin finds it by this name)."""
    with CaptureProxy(
        target_driver.scim_url,
        secrets=target_driver.secrets,
        har_path=_har_path(suite_config),
        enabled=suite_config.capture,
        upstream_ca_file=suite_config.ca_file,
    ) as proxy:
        yield proxy


def _har_path(config: SuiteConfig) -> Path:
    # One proxy per xdist worker process, so one HAR file each.
    return har_path_for_worker(Path(os.environ.get("SCIM_HARNESS_HAR") or config.reports / "traffic.har"))
