"""The self-test's score and command: a defect that turns no scenario red, or a baseline that is not green,
is not a perfect score (exit 1); bad input is one line (exit 2). And the small parts the vendor scenarios
stand on: what "the service offers Groups" means, and a group look-up that cannot tell."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from scim_harness.cli import main
from scim_harness.drivers.protocol_probe import Answer
from scim_harness.selftest.cli import generic_defects
from scim_harness.selftest.score import make_score, markdown_table
from scim_harness.selftest.sweep import DefectRun
from scim_harness.steps.support.protocol import group_listed
from scim_harness.steps.support.service import discover_offer, resource_types_problems

DIALECTS = ["legacy", "aadOptscim062020"]


def _run(defect: str | None, legacy: list[str], compliant: list[str]) -> DefectRun:
    return DefectRun(defect, {"legacy": legacy, "aadOptscim062020": compliant}, passed=10)


def test_every_defect_caught_in_both_dialects_is_a_perfect_score() -> None:
    runs = [_run(None, [], []), _run("filter_ignored", ["a"], ["a", "b"]), _run("slow_answers", ["c"], ["c"])]

    score = make_score(runs, DIALECTS, ["filter_ignored", "slow_answers"])

    assert score.perfect and score.percentage("legacy") == score.percentage("aadOptscim062020") == 100.0
    table = markdown_table(score)
    assert "| `filter_ignored` | filters | 1: a | 2: a; b |" in table
    assert "**Score, legacy: 100%** (2 of 2 defects" in table


def test_a_defect_missed_in_one_dialect_is_not_perfect() -> None:
    runs = [_run(None, [], []), _run("filter_ignored", ["a"], []), _run("slow_answers", ["c"], ["c"])]

    score = make_score(runs, DIALECTS, ["filter_ignored", "slow_answers"])

    assert not score.perfect
    assert score.missed("aadOptscim062020") == ["filter_ignored"]
    assert score.percentage("aadOptscim062020") == 50
    assert "**none: not caught**" in markdown_table(score)


def test_a_baseline_that_is_not_green_is_not_perfect() -> None:
    runs = [_run(None, ["x"], []), _run("filter_ignored", ["a"], ["a"])]

    score = make_score(runs, DIALECTS, ["filter_ignored"])

    assert not score.perfect and score.baseline_red == ["x [legacy]"]
    assert "The baseline is not green" in markdown_table(score)


def test_an_unknown_defect_is_one_line_and_exit_2() -> None:
    result = CliRunner().invoke(main, ["selftest", "--defect", "no_such_defect"])

    assert result.exit_code == 2
    assert "unknown defect(s): no_such_defect" in result.output and "Traceback" not in result.output


class _Probe:
    def __init__(self, answer: Answer) -> None:
        self.answer = answer

    def discover(self, endpoint: str) -> Answer:
        return self.answer


_TYPES = {
    "Resources": [
        {"id": "User", "endpoint": "/Users", "schema": "urn:ietf:params:scim:schemas:core:2.0:User"},
        {"id": "Group", "endpoint": "/Groups", "schema": "urn:ietf:params:scim:schemas:core:2.0:Group"},
    ],
    "totalResults": 2,
}


def test_groups_are_offered_as_resource_types_or_the_configuration_say() -> None:
    listed = _Probe(Answer("read of /ResourceTypes", 200, "application/scim+json", _TYPES))
    one = {"Resources": _TYPES["Resources"][:1], "totalResults": 1}
    users_only = _Probe(Answer("read", 200, "application/scim+json", one))
    missing = _Probe(Answer("read", 404, "application/scim+json", {"detail": "no"}))

    assert discover_offer(listed, "auto").groups is True  # type: ignore[arg-type]
    assert discover_offer(users_only, "auto").groups is False  # type: ignore[arg-type]
    unknown = discover_offer(missing, "auto")  # type: ignore[arg-type]
    assert not unknown.groups and "set groups = true" in unknown.not_applicable
    assert unknown.not_applicable.startswith("not applicable: ")
    assert discover_offer(missing, "true").groups is True  # type: ignore[arg-type]
    assert discover_offer(listed, "false").groups is False  # type: ignore[arg-type]


def test_resource_types_must_describe_what_is_served() -> None:
    answer = Answer("read of /ResourceTypes", 200, "application/scim+json", _TYPES)

    assert resource_types_problems(answer, groups=True) == []
    assert resource_types_problems(answer, groups=False) == [
        "/ResourceTypes lists Group, but /Groups is not served"
    ]


def test_a_group_look_up_answered_404_is_absent_only_without_groups() -> None:
    not_found = Answer("look-up of group 'Sales'", 404, "application/scim+json", {"detail": "no Groups"})
    empty = Answer("look-up", 200, "application/scim+json", {"Resources": [], "totalResults": 0})

    assert group_listed(not_found, groups_offered=False) is False
    assert group_listed(empty, groups_offered=True) is False
    try:
        group_listed(not_found, groups_offered=True)
    except AssertionError as exc:
        assert "cannot tell whether the group exists" in str(exc)
    else:
        raise AssertionError("a 404 from a service that serves Groups passed as 'absent'")


def test_the_documented_score_covers_the_whole_catalogue_at_100_percent() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "detection.md").read_text(encoding="utf-8")
    table = docs.split("<!-- score:begin -->")[1].split("<!-- score:end -->")[0]
    listed = re.findall(r"^\| `([a-z0-9_]+)` \|", table, flags=re.M)
    assert sorted(listed) == sorted(generic_defects()), "the documented score lists every defect once"
    assert "not caught" not in table
    assert "**Score, legacy: 100%**" in table and "**Score, aadOptscim062020: 100%**" in table
