"""Against a third-party SCIM service (PyPI scim2-server): @scim scenarios run and pass or fail with a clear
reason; @kintone scenarios are reported as not applicable."""

from __future__ import annotations

import pytest

from tests.suite.suite_runs import named, run_suite
from tests.third_party_scim import scim2_server

pytestmark = pytest.mark.slow  # runs the conformance suite itself

TOKEN = "scim2-server-test-token"


@pytest.fixture(scope="module")
def scim2_url():
    with scim2_server(TOKEN) as url:
        yield url


def _env(url: str) -> dict[str, str]:
    return {"SCIM_HARNESS_TARGET": "scim", "SCIM_HARNESS_URL": url, "SCIM_HARNESS_TOKEN": TOKEN}


def test_scim_scenarios_run_and_fail_only_with_a_clear_reason(scim2_url: str, tmp_path) -> None:
    outcomes = run_suite(tmp_path, _env(scim2_url), markers="scim")

    assert len(outcomes) >= 8
    assert not named(outcomes, "skipped"), "every @scim scenario applies to any SCIM service"
    assert named(outcomes, "passed"), "scim2-server meets most of what Entra relies on"
    for name in named(outcomes, "failed"):
        message = outcomes[name].message
        # A clear reason: a check that names what the service did, not a crash inside the harness.
        assert message.startswith("AssertionError"), (name, message)
        assert " is " in message or "answered" in message, (name, message)


def test_kintone_scenarios_are_not_applicable(scim2_url: str, tmp_path) -> None:
    outcomes = run_suite(tmp_path, _env(scim2_url), markers="kintone")

    assert len(outcomes) >= 15
    assert named(outcomes, "skipped") == set(outcomes)
    assert all(o.message.startswith("not applicable: ") for o in outcomes.values())
