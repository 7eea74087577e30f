"""The rules of `load` that need no Locust: slices, cycles, Entra's flow, pacing, verdict, verification.

Nothing here imports Locust or gevent (they monkey-patch the interpreter); the end-to-end runs are in
test_load_run.py, in subprocesses.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from scim_harness.common.errors import HarnessError
from scim_harness.load.flow import CREATE, MATCH, PROBE, READ, UPDATE, Answer, Call, EntraFlow, Source
from scim_harness.load.plan import LoadPlan, Slice, parse_share
from scim_harness.load.report import FAIL, NOT_ASSESSED, PASS, WARN, Figures, KindFigures, checks, passed
from scim_harness.load.verify import verify_exactly_once
from scim_harness.load.work import DONE, WAIT, Pacer, Progress, Work
from scim_harness.simulator.answers import parse_retry_after

TARGET = "http://127.0.0.1:9/scim/v2"


def plan(**changes: Any) -> LoadPlan:
    return LoadPlan(**{"target": TARGET, "users": 20, **changes})


class FakeTarget:
    """A SCIM target in a dict, answering Entra's flow; records every call."""

    def __init__(self) -> None:
        self.users: dict[str, dict[str, Any]] = {}
        self.calls: list[Call] = []

    def __call__(self, call: Call) -> Answer:
        self.calls.append(call)
        if call.method == "GET" and "filter=" in call.path:
            name = call.path.split("%22")[1].replace("%40", "@")
            found = [u for u in self.users.values() if u["userName"].casefold() == name.casefold()]
            return Answer(200, {"totalResults": len(found), "Resources": found})
        if call.method == "POST":
            assert call.body is not None
            user = {**call.body, "id": str(len(self.users) + 1)}
            self.users[user["id"]] = user
            return Answer(201, user)
        target_id = call.path.rsplit("/", 1)[1]
        if call.method == "GET":
            return Answer(200, self.users[target_id])
        if call.method == "PATCH":
            return Answer(204)
        raise AssertionError(call)


class TestPlan:
    @pytest.mark.parametrize(("users", "count"), [(0, 1), (1, 3), (10, 1), (10, 3), (101, 7)])
    def test_slices_are_disjoint_and_cover_the_tenant(self, users: int, count: int) -> None:
        owned = [p for index in range(count) for p in Slice(index, count).positions(users)]
        assert sorted(owned) == list(range(users))

    def test_a_slice_outside_the_count_is_refused(self) -> None:
        with pytest.raises(HarnessError):
            Slice(2, 2)

    def test_the_changed_users_are_the_same_in_every_process_and_differ_per_cycle(self) -> None:
        one, two = plan(users=1000, changes_per_cycle=0.1), plan(users=1000, changes_per_cycle=0.1)
        assert one.changed_positions(1) == two.changed_positions(1)
        assert len(one.changed_positions(1)) == 100
        assert one.changed_positions(1) != one.changed_positions(2)

    def test_the_plan_travels_as_a_message(self) -> None:
        original = plan(rate=30.0, dialect="aadOptscim062020", cycles=3)
        assert LoadPlan.from_message(json.loads(json.dumps(original.to_message()))) == original

    @pytest.mark.parametrize(("text", "share"), [("0.1", 0.1), ("10%", 0.1), ("0", 0.0), ("100%", 1.0)])
    def test_shares(self, text: str, share: float) -> None:
        assert parse_share(text) == pytest.approx(share)

    @pytest.mark.parametrize(
        "bad",
        [{"changes_per_cycle": 1.5}, {"dialect": "x"}, {"rate": 0.0}, {"users": -1}, {"concurrency": 0}],
    )
    def test_bad_plans_are_refused(self, bad: dict[str, Any]) -> None:
        with pytest.raises(HarnessError):
            plan(**bad)


class TestSource:
    def test_each_slice_changes_exactly_its_share_of_the_cycles_changes(self) -> None:
        whole = plan(users=60, changes_per_cycle=0.5)
        changed = {p for p in whole.changed_positions(1)}
        sources = [Source(whole, Slice(i, 3)) for i in range(3)]
        per_slice = [set(s.changes(1)) for s in sources]
        assert sum(len(s) for s in per_slice) == len(changed) == 30
        assert set().union(*per_slice) == {sources[0].ids[p] for p in changed}

    def test_a_change_is_applied_once_and_changes_what_entra_would_send(self) -> None:
        source = Source(plan(users=10, changes_per_cycle=1.0), Slice())
        before = {u: source.desired(u, on_create=False) for u in source.ids}
        source.changes(1)
        source.changes(1)
        after = {u: source.desired(u, on_create=False) for u in source.ids}
        assert all(before[u] != after[u] for u in source.ids)

    def test_every_process_builds_the_same_tenant(self) -> None:
        assert Source(plan(), Slice(0, 2)).user_names() == Source(plan(), Slice(1, 2)).user_names()


class TestFlow:
    def test_initial_cycle_matches_by_user_name_then_creates_with_entras_body(self) -> None:
        source = Source(plan(users=1), Slice())
        target = FakeTarget()
        outcome = EntraFlow(source).run(source.ids[0], 0, target)
        assert outcome.action == "Create" and outcome.status == "Success"
        assert [c.kind for c in target.calls] == [MATCH, CREATE]
        assert target.calls[0].path.startswith("/Users?filter=userName+eq+%22")
        body = target.calls[1].body
        assert body is not None and body["active"] is True and body["meta"] == {"resourceType": "User"}

    def test_an_existing_user_is_matched_and_only_its_difference_patched(self) -> None:
        source = Source(plan(users=1), Slice())
        target = FakeTarget()
        user = source.ids[0]
        EntraFlow(source).run(user, 0, target)
        source.links.clear()  # a second run against the same target: nothing cached
        target.users["1"]["displayName"] = "Someone Else"
        EntraFlow(source).run(user, 0, target)
        patch = target.calls[-1]
        assert [c.kind for c in target.calls[2:]] == [MATCH, UPDATE]
        assert patch.body is not None
        assert patch.body["Operations"] == [
            {"op": "Replace", "path": "displayName", "value": user_display(source)}
        ]

    def test_nothing_is_sent_when_nothing_differs(self) -> None:
        source = Source(plan(users=1), Slice())
        target = FakeTarget()
        EntraFlow(source).run(source.ids[0], 0, target)
        outcome = EntraFlow(source).run(source.ids[0], 1, target)
        assert [c.kind for c in target.calls[2:]] == [READ]
        assert outcome.status == "Skipped"

    @pytest.mark.parametrize(
        ("dialect", "op", "active"), [("legacy", "Replace", "False"), ("aadOptscim062020", "replace", False)]
    )
    def test_an_incremental_disable_reads_by_id_then_patches_in_the_dialect(
        self, dialect: str, op: str, active: object
    ) -> None:
        source = Source(plan(users=3, changes_per_cycle=1.0, dialect=dialect), Slice())
        target = FakeTarget()
        flow = EntraFlow(source)
        for user in source.ids:
            flow.run(user, 0, target)
        source.changes(1)
        blocked = [u for u in source.ids if source.tenant.users[u].attributes.get("accountEnabled") is False]
        assert blocked, "one of three users is blocked in cycle 1"
        target.calls.clear()
        flow.run(blocked[0], 1, target)
        assert [c.kind for c in target.calls] == [READ, UPDATE]
        assert target.calls[1].body == {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": op, "path": "active", "value": active}],
        }

    def test_several_matches_are_a_failure_and_nothing_is_created(self) -> None:
        source = Source(plan(users=1), Slice())

        def twice(call: Call) -> Answer:
            return Answer(200, {"totalResults": 2, "Resources": [{"id": "1"}, {"id": "2"}]})

        outcome = EntraFlow(source).run(source.ids[0], 0, twice)
        assert (outcome.status, outcome.detail) == ("Failure", "DuplicateTargetEntries")

    def test_the_probe_is_a_random_guid_filter(self) -> None:
        one, two = EntraFlow.probe(), EntraFlow.probe()
        assert (
            one.kind == PROBE
            and one.path != two.path
            and one.path.startswith("/Users?filter=userName+eq+%22")
        )


def user_display(source: Source) -> str:
    return str(source.tenant.users[source.ids[0]].attributes["displayName"])


class TestWork:
    def test_a_cycle_starts_when_every_user_of_the_previous_one_is_done(self) -> None:
        source = Source(plan(users=2, changes_per_cycle=0.5, cycles=1), Slice())
        work = Work(source, cycles=1, probes=True)
        first, second = work.next(), work.next()
        assert not isinstance(first, str) and not isinstance(second, str)
        assert first.probe and not second.probe and first.cycle == 0
        assert work.next() == WAIT
        work.done(first, None)
        assert work.next() == WAIT
        work.done(second, None)
        third = work.next()
        assert not isinstance(third, str) and third.cycle == 1 and third.probe
        work.done(third, None)
        assert work.next() == DONE
        assert work.progress.finished and work.progress.users_done == work.progress.users_planned == 3

    def test_only_slice_zero_probes(self) -> None:
        work = Work(Source(plan(users=4), Slice(1, 2)), cycles=0, probes=False)
        items = [work.next() for _ in range(2)]
        assert not any(getattr(i, "probe", False) for i in items)


class TestPacer:
    def test_requests_are_spaced_to_the_rate(self) -> None:
        now = [0.0]
        slept: list[float] = []
        pacer = Pacer(4.0, clock=lambda: now[0], sleep=slept.append)
        for _ in range(3):
            pacer.wait()
        assert slept == pytest.approx([0.25, 0.5])

    def test_a_retry_after_suspends_every_request(self) -> None:
        now = [10.0]
        slept: list[float] = []
        pacer = Pacer(None, clock=lambda: now[0], sleep=slept.append)
        pacer.suspend(2.0)
        pacer.wait()
        assert slept == [pytest.approx(2.0)]

    @pytest.mark.parametrize(
        ("value", "seconds"),
        [("3", 3.0), (None, None), ("soon", None), ("", None)],
    )
    def test_retry_after_values(self, value: str | None, seconds: float | None) -> None:
        assert parse_retry_after(value) == seconds

    def test_retry_after_as_an_http_date(self) -> None:
        later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
        assert 25 <= (parse_retry_after(later) or 0) <= 31


def figures(**changes: Any) -> Figures:
    total = KindFigures("all requests", "", 3000, 0, 50.0, 10, 20, 30, 12, 100)
    values: dict[str, Any] = {
        "plan": plan(),
        "mode": "one process",
        "wall_seconds": 60.0,
        "total": total,
        "kinds": [total],
        "errors": {},
        "progress": Progress(users_done=20, users_planned=20, finished=True),
    }
    values.update(changes)
    return Figures(**values)


def results(f: Figures) -> dict[str, str]:
    return {c.requirement.split(" (")[0].split(",")[0]: c.result for c in checks(f)}


class TestVerdict:
    def test_a_clean_fast_run_passes(self) -> None:
        assert passed(figures())

    def test_under_25_requests_per_second_fails_the_gallery_bar(self) -> None:
        slow = figures(wall_seconds=200.0)  # 3000 requests in 200 s = 15/s
        assert results(slow)["at least 25 requests/s per tenant"] == FAIL and not passed(slow)

    def test_an_offered_rate_under_25_is_not_assessed(self) -> None:
        limited = figures(plan=plan(rate=10.0), wall_seconds=300.0)
        assert results(limited)["at least 25 requests/s per tenant"] == NOT_ASSESSED and passed(limited)

    def test_an_answer_over_60_seconds_fails(self) -> None:
        total = KindFigures("all requests", "", 3000, 0, 50.0, 10, 20, 30, 12, 61_000)
        assert results(figures(total=total))["every answer within Entra's 60 s timeout"] == FAIL

    def test_errors_fail_and_429s_alone_do_not(self) -> None:
        assert not passed(figures(errors={"POST /Users (create): HTTP 409 uniqueness": 3}))
        throttled = figures(
            errors={"POST /Users (create): HTTP 429 Too Many Requests": 2},
            progress=Progress(
                20, 20, 20, throttled=2, retried_after_wait=2, retried_after_wait_accepted=2, finished=True
            ),
        )
        assert passed(throttled) and results(throttled)["429 answers carry Retry-After"] == PASS

    def test_a_429_without_retry_after_is_a_warning(self) -> None:
        f = figures(
            progress=Progress(20, 20, 20, throttled=1, throttled_without_retry_after=1, finished=True)
        )
        assert results(f)["429 answers carry Retry-After"] == WARN

    def test_a_user_missing_from_the_target_fails(self) -> None:
        from scim_harness.load.verify import Verification

        f = figures(
            verification=Verification(expected=20, once=19, missing=1, duplicated=0, listed=19, pages=1)
        )
        assert results(f)["every source user exists exactly once in the target"] == FAIL

    def test_a_run_stopped_early_fails(self) -> None:
        assert not passed(figures(stopped_early="--duration ran out"))


class TestVerification:
    @staticmethod
    def _target(names: list[str], page_limit: int = 2) -> httpx.MockTransport:
        def handler(request: httpx.Request) -> httpx.Response:
            start = int(request.url.params["startIndex"])
            chunk = names[start - 1 : start - 1 + page_limit]
            body = {"totalResults": len(names), "Resources": [{"userName": n} for n in chunk]}
            return httpx.Response(200, json=body)

        return httpx.MockTransport(handler)

    def test_pages_through_a_target_that_answers_fewer_than_asked(self) -> None:
        result = verify_exactly_once(
            TARGET, "t", ["a", "b", "c"], transport=self._target(["A", "b", "c", "other"])
        )
        assert result.passed and result.pages == 2 and result.listed == 4

    def test_missing_and_duplicated_users_are_counted_without_regard_to_case(self) -> None:
        result = verify_exactly_once(TARGET, "t", ["a", "b", "c"], transport=self._target(["a", "B", "b"]))
        assert (result.once, result.missing, result.duplicated) == (1, 1, 1) and not result.passed

    def test_a_target_that_cannot_list_is_a_clear_error(self) -> None:
        transport = httpx.MockTransport(lambda request: httpx.Response(404, json={"status": "404"}))
        with pytest.raises(HarnessError, match="cannot list"):
            verify_exactly_once(TARGET, "t", ["a"], transport=transport)
