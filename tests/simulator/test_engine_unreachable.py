"""A target that stops answering ends the cycle, not one timeout per object (issue 10).

The rule is the setting `timeouts_end_cycle`; one rule per test. Each check also runs with the rule
switched off (`timeouts_end_cycle=0`), which turns it red: the objects are then tried one after
another, each costing its own timeout.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from scim_harness.simulator.engine import EngineSettings
from tests.simulator.fake_scim import FakeScim, add_person
from tests.simulator.faults import FaultServer

TIMEOUT = 1.0  # seconds, so that a prompt answer never times out on a loaded machine; delays are twice it


def _people(tenant, count: int) -> list[str]:
    return [add_person(tenant, f"user{n:02d}") for n in range(count)]


def _settings(limit: int) -> EngineSettings:
    return EngineSettings(timeout_seconds=TIMEOUT, max_connections=1, timeouts_end_cycle=limit)


@pytest.mark.parametrize(("limit", "ends"), [(8, True), (0, False)])
def test_a_probe_with_no_answer_ends_the_cycle(
    tenant, make_job, scim: FakeScim, limit: int, ends: bool
) -> None:
    _people(tenant, 3)
    scim.fail("GET", "/Users$", 200, times=100, delay=2 * TIMEOUT)  # every GET (the probe first) times out
    job = make_job(settings=_settings(limit))
    summary = job.run_cycle()
    if ends:
        assert summary.unreachable and "the cycle's probe timed out" in summary.unreachable
        assert summary.aborted and summary.objects == 0 and job.status.escrows == 0
        assert len(scim.sent()) == 1  # the probe, and nothing after it
    else:
        assert summary.unreachable is None and summary.objects == 3 and job.status.escrows == 3


@pytest.mark.parametrize(("limit", "ends"), [(2, True), (0, False)])
def test_calls_in_a_row_with_no_answer_end_the_cycle(tenant, make_job, limit: int, ends: bool) -> None:
    _people(tenant, 6)
    with FaultServer("never", healthy=1) as target:  # the probe is answered, then nothing is
        job = make_job(settings=_settings(limit), url=target.url)
        summary = job.run_cycle()
    if ends:
        assert summary.unreachable and summary.unreachable.startswith("2 calls in a row timed out")
        assert "got no complete answer within 1 s" in summary.unreachable
        assert summary.objects == 2 and job.status.escrows == 2
    else:
        assert summary.unreachable is None and summary.objects == 6 and job.status.escrows == 6


def test_an_answer_resets_the_count(tenant, make_job, scim: FakeScim) -> None:
    _people(tenant, 4)
    # Each user's GET answers at once, so no two calls in a row go unanswered: every user is tried.
    scim.fail("POST", "/Users$", 201, times=100, delay=2 * TIMEOUT, body={"id": "late"})
    job = make_job(settings=_settings(2))
    summary = job.run_cycle()
    assert summary.unreachable is None and summary.objects == 4 and job.status.escrows == 4


def test_the_objects_not_reached_wait_for_the_next_cycle(tenant, make_job, scim: FakeScim) -> None:
    _people(tenant, 3)
    scim.fail("GET", "/Users$", 200, times=1, delay=2 * TIMEOUT)  # only the first cycle's probe hangs
    job = make_job(settings=_settings(8))
    job.start()
    first = job.advance(timedelta(0))
    assert first and first[-1].unreachable
    later = job.advance(timedelta(minutes=40))
    assert later and later[-1].unreachable is None
    assert later[-1].count("Create", "Success") == 3  # the watermark stayed: the next cycle took them all
