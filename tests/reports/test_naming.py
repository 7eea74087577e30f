"""One name per scenario run (identity), step parameters from the step's words, JUnit named after scenarios,
failures without the framework's frames: each rule on its own."""

from __future__ import annotations

import traceback
from datetime import UTC, datetime
from pathlib import Path

from _pytest import fixtures

from scim_harness.capture.exchange import Exchange
from scim_harness.reporting.allure_bridge import step_parameters
from scim_harness.reporting.failure import failure_sections, without_framework_frames
from scim_harness.reporting.identity import ScenarioIdentity
from scim_harness.reporting.junit import name_cases_after_scenarios


class TestScenarioIdentity:
    def test_a_plain_scenario_is_named_as_written(self) -> None:
        identity = ScenarioIdentity("Adding a user", "A user is added")
        assert identity.name == "A user is added"
        assert identity.title == "Adding a user: A user is added"

    def test_the_variant_of_the_run_is_in_the_name(self) -> None:
        identity = ScenarioIdentity("Adding a user", "A user is added", variant=(("dialect", "legacy"),))
        assert identity.name == "A user is added [legacy]"
        assert identity.properties() == [
            ("feature", "Adding a user"),
            ("scenario", "A user is added [legacy]"),
            ("dialect", "legacy"),
        ]

    def test_an_outline_that_names_its_values_is_not_suffixed_twice(self) -> None:
        identity = ScenarioIdentity("Dialects", "With the legacy dialect", example=(("dialect", "legacy"),))
        assert identity.name == "With the legacy dialect"

    def test_an_outline_whose_name_shows_no_value_gets_them(self) -> None:
        identity = ScenarioIdentity("Limits", "A long name is refused", example=(("length", "129"),))
        assert identity.name == "A long name is refused (129)"


class TestStepParameters:
    def test_only_the_steps_own_words_are_kept(self) -> None:
        shown = step_parameters(
            'the user "pia" exists with display name "Pia Park"',
            {"alias": "pia", "display_name": "Pia Park", "world": object(), "secret_token": "tok-123456"},
        )
        assert shown == {"alias": "pia", "display_name": "Pia Park"}

    def test_values_are_plain_text_not_repr(self) -> None:
        assert step_parameters("a token valid for 30 days", {"days": 30}) == {"days": "30"}

    def test_a_fixture_string_that_is_not_in_the_words_is_dropped(self) -> None:
        assert step_parameters("provisioning runs", {"dialect": "legacy"}) == {}


def _exchange(url: str) -> Exchange:
    return Exchange(
        started=datetime(2026, 11, 26, tzinfo=UTC),
        duration_ms=1.0,
        method="GET",
        url=url,
        request_headers={},
        request_body="",
        status=200,
        response_headers={},
        response_body='{"totalResults": 0}',
        error=None,
        reason="OK",
    )


class TestFailureSections:
    def test_the_failing_step_and_its_last_exchange_in_full(self) -> None:
        sections = dict(
            failure_sections('Then the user "a" exists', [_exchange("http://t/1"), _exchange("http://t/2")])
        )
        assert sections["Failing step"] == 'Then the user "a" exists'
        text = sections["HTTP exchanges of the failing step (2)"]
        assert "#2  GET http://t/2" in text and '"totalResults": 0' in text
        assert "#1   200" in text, "the others as one overview line each"

    def test_a_step_that_sent_nothing_shows_the_last_exchange_before_it(self) -> None:
        sections = dict(failure_sections("Then the answer is an error", [], [_exchange("http://t/earlier")]))
        assert "GET http://t/earlier" in sections["Last HTTP exchange before the failing step"]


def _step_function() -> None:
    raise AssertionError("the user is gone")


def test_a_step_failure_loses_pytests_fixture_frame() -> None:
    try:  # how pytest-bdd calls a step function
        fixtures.call_fixture_func(_step_function, None, {})  # type: ignore[arg-type]
    except AssertionError as exc:
        before = traceback.format_tb(exc.__traceback__)
        without_framework_frames(exc)
        after = traceback.format_tb(exc.__traceback__)
    assert any("_pytest/fixtures.py" in frame for frame in before)
    assert not any("_pytest/fixtures.py" in frame for frame in after)
    assert any("_step_function" in frame for frame in after)


JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" tests="2">
 <testcase classname="steps.test_conformance" name="test_a_user_is_added[legacy]">
  <properties><property name="feature" value="Adding a user"/>
  <property name="scenario" value="A user is added [legacy]"/></properties></testcase>
 <testcase classname="tests.test_plain" name="test_plain"/>
</testsuite></testsuites>
"""


def test_junit_cases_take_the_feature_and_scenario_names(tmp_path: Path) -> None:
    (tmp_path / "junit.xml").write_text(JUNIT)
    assert name_cases_after_scenarios(tmp_path / "junit.xml") == 1
    text = (tmp_path / "junit.xml").read_text()
    assert '<testcase classname="Adding a user" name="A user is added [legacy]">' in text
    assert '<testcase classname="tests.test_plain" name="test_plain"' in text, "not a scenario: as it was"
