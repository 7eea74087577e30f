"""What keeps the engine's cost per object flat (issue 13), and keeps it right while it is.

A run counts its log entries instead of keeping them, yet an entry a reference changes after it was recorded
is counted as it ends; the cycle's workers take objects from one shared source, each exactly once, and a
failure stops them as Executor.map did; the tenant's change log stays under twice the objects however long
the simulation runs.
"""

from __future__ import annotations

import pytest

from scim_harness.simulator.engine import EngineSettings
from scim_harness.simulator.quarantine import EscrowThresholds
from scim_harness.simulator.source import ChangeLog
from scim_harness.simulator.tenant import Tenant
from scim_harness.simulator.user_sync import UserSync
from tests.simulator.fake_scim import FakeScim, add_person
from tests.simulator.test_golden import ENTERPRISE, mapping_set


def test_an_entry_a_reference_changes_is_counted_as_it_ends(tenant: Tenant, make_job, scim: FakeScim) -> None:
    """Only the manager changed: the user's own PATCH is redundant (Other/Skipped) until the reference
    resolves after the users and makes the entry an Update (D-HOW step 5). The summary counts the end."""
    worker = add_person(tenant, "worker", manager="boss@contoso.com")
    add_person(tenant, "boss")
    mappings = mapping_set(("displayName", "[displayName]"), (f"{ENTERPRISE}:manager", "[manager]"))
    job = make_job(mappings=mappings)
    assert job.run_cycle().count("Create", "Success") == 2
    add_person(tenant, "newboss")
    tenant.update_user(worker, manager="newboss@contoso.com")
    summary = job.run_cycle()
    entry = job.logs.for_user(worker)[-1]
    assert (entry.action, entry.status) == ("Update", "Success")
    assert summary.by_action_status == {"Create/Success": 1, "Update/Success": 1}
    assert summary.objects == 2


def test_a_failed_reference_is_left_out_of_the_escrow_proportion(
    tenant: Tenant, make_job, scim: FakeScim
) -> None:
    """Reference failures are escrowed but not counted toward the quarantine proportion (D-QUAR)."""
    for i in range(6):
        add_person(tenant, f"user{i}", manager="boss@contoso.com")
    add_person(tenant, "boss")
    mappings = mapping_set(("displayName", "[displayName]"), (f"{ENTERPRISE}:manager", "[manager]"))
    scim.fail("PATCH", "/Users/", 500, times=6)  # every manager PATCH fails
    settings = EngineSettings(escrow_thresholds=EscrowThresholds(evaluation_starts_at=5, proportion=0.4))
    job = make_job(mappings=mappings, settings=settings)
    job.start()
    summary = job.run_cycle()
    assert summary.count(status="Failure") == 6 and job.status.escrows == 6
    assert job.status.quarantine_reason is None


def test_each_object_is_synced_exactly_once_by_the_workers(tenant: Tenant, make_job, scim: FakeScim) -> None:
    ids = [add_person(tenant, f"user{i}") for i in range(60)]
    job = make_job(settings=EngineSettings(max_connections=7))
    summary = job.run_cycle()
    assert summary.count("Create", "Success") == 60 and len(scim.sent("POST")) == 60
    assert len({job.target_id(user_id) for user_id in ids}) == 60
    assert job.progress.cycles == 1 and summary.objects == 60


def test_a_failing_sync_stops_the_workers_and_reaches_the_caller(
    tenant: Tenant, make_job, scim: FakeScim, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(40):
        add_person(tenant, f"user{i}")
    job = make_job(settings=EngineSettings(max_connections=4))
    original = UserSync.sync
    synced: list[str] = []

    def broken(self: UserSync, run, user_id: str):  # type: ignore[no-untyped-def]
        synced.append(user_id)
        if len(synced) == 5:
            raise RuntimeError("an engine bug")
        return original(self, run, user_id)

    monkeypatch.setattr(UserSync, "sync", broken)
    with pytest.raises(RuntimeError, match="an engine bug"):
        job.run_cycle()
    assert len(synced) < 40  # the other workers took no more objects after the failure


def test_the_change_log_stays_under_twice_the_objects() -> None:
    log = ChangeLog()
    for i in range(100):
        log.touch(f"user{i}")
    mark = log.watermark()
    for _ in range(200):  # 20,000 changes of the same 100 objects
        for i in range(100):
            log.touch(f"user{i}")
        assert len(log._ids) <= 2 * 100 + 1024 + 1
    log.touch("user7")
    assert log.since(mark)[-1] == "user7" and sorted(log.since(mark)) == sorted(
        f"user{i}" for i in range(100)
    )
    assert log.since(log.watermark()) == []
