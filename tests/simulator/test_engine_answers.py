"""How the engine reacts to answers: conflicts, duplicates, throttling, errors, timeouts, quarantine."""

from __future__ import annotations

from datetime import timedelta

from scim_harness.simulator.engine import EngineSettings
from scim_harness.simulator.mappings import MappingSet
from scim_harness.simulator.quarantine import EscrowThresholds
from scim_harness.simulator.tenant import Tenant
from tests.simulator.fake_scim import TOKEN, FakeScim, add_person

CREDENTIALS = "SystemForCrossDomainIdentityManagementCredentialValidationFailure"


def _last(job, user_id):
    return job.logs.for_user(user_id)[-1]


def test_409_on_create_is_entry_conflict_without_auto_link(tenant: Tenant, make_job, scim: FakeScim) -> None:
    alice = add_person(tenant, "alice")
    scim.fail(
        "POST",
        "/Users$",
        409,
        body={
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": "409",
            "scimType": "uniqueness",
        },
    )
    job = make_job()
    job.start()
    job.run_cycle()
    entry = _last(job, alice)
    assert (entry.action, entry.status, entry.statusInfo.errorCode) == ("Create", "Failure", "EntryConflict")
    assert "StatusCode: Conflict" in entry.statusInfo.reason
    assert (
        "This operation was retried 0 times. It will be retried again after this date"
        in entry.statusInfo.reason
    )
    assert job.target_id(alice) is None and job.status.escrows == 1
    # Retried in a later cycle (escrow), then it succeeds and the escrow clears.
    job.advance(timedelta(minutes=40))
    assert job.target_id(alice) is not None and job.status.escrows == 0


def test_several_matches_are_duplicate_target_entries(tenant: Tenant, make_job, scim: FakeScim) -> None:
    scim.seed_user(userName="alice@contoso.com")
    scim.seed_user(userName="ALICE@contoso.com")
    alice = add_person(tenant, "alice")
    job = make_job()
    job.run_cycle()
    assert _last(job, alice).statusInfo.errorCode == "DuplicateTargetEntries"
    assert scim.sent("POST") == [] and scim.sent("PATCH") == []


def test_429_honouring_retry_after_suspends_and_retries_in_cycle(
    tenant: Tenant, make_job, scim: FakeScim, clock
) -> None:
    alice = add_person(tenant, "alice")
    scim.fail("POST", "/Users$", 429, headers={"Retry-After": "120"})
    job = make_job(settings=EngineSettings(retry_after_behaviour="honour"))
    before = clock.now()
    job.run_cycle()
    assert _last(job, alice).status == "Success"
    assert len(scim.sent("POST")) == 2
    assert clock.now() - before == timedelta(seconds=120)  # all activity waited out the Retry-After period


def test_429_next_cycle_behaviour_escrows(tenant: Tenant, make_job, scim: FakeScim) -> None:
    alice = add_person(tenant, "alice")
    scim.fail("POST", "/Users$", 429, headers={"Retry-After": "1"})
    job = make_job(settings=EngineSettings(retry_after_behaviour="next_cycle"))
    job.start()
    job.run_cycle()
    assert _last(job, alice).statusInfo.errorCode == "TooManyRequests"
    assert len(scim.sent("POST")) == 1 and job.status.escrows == 1
    job.advance(timedelta(minutes=40))
    assert _last(job, alice).status == "Success"


def test_5xx_is_escrowed_and_retried_with_growing_gaps(tenant: Tenant, make_job, scim: FakeScim) -> None:
    alice = add_person(tenant, "alice")
    scim.fail("POST", "/Users$", 503, times=2)
    job = make_job()
    job.start()
    job.run_cycle()
    assert _last(job, alice).statusInfo.errorCode == "InternalServerError"
    job.advance(timedelta(minutes=40))  # first retry: the next cycle
    assert len(scim.sent("POST")) == 2
    assert "retried 1 times" in _last(job, alice).statusInfo.reason
    job.advance(timedelta(minutes=40))  # the gap doubled: no retry yet
    assert len(scim.sent("POST")) == 2
    job.advance(timedelta(minutes=40))
    assert len(scim.sent("POST")) == 3 and _last(job, alice).status == "Success"


def test_timeout_is_logged_and_escrowed(tenant: Tenant, make_job, scim: FakeScim) -> None:
    alice = add_person(tenant, "alice")
    scim.fail("POST", "/Users$", 201, delay=0.6, body={"id": "late"})
    job = make_job(settings=EngineSettings(timeout_seconds=0.2))
    job.run_cycle()
    entry = _last(job, alice)
    assert (entry.status, entry.statusInfo.errorCode) == ("Failure", "Timeout")
    assert job.status.escrows == 1


def test_unparseable_answer_is_service_incompatible(tenant: Tenant, make_job, scim: FakeScim) -> None:
    alice = add_person(tenant, "alice")
    scim.fail("POST", "/Users$", 201, raw=b"<html>created</html>")
    job = make_job()
    job.run_cycle()
    assert (
        _last(job, alice).statusInfo.errorCode == "SystemForCrossDomainIdentityManagementServiceIncompatible"
    )


def test_unreachable_target_is_a_protocol_error(make_job) -> None:
    result = make_job(url="http://127.0.0.1:9/scim").test_connection()
    assert not result.success and result.error_code == "WebExceptionProtocolError"


def test_test_connection_wording(tenant: Tenant, make_job, scim: FakeScim) -> None:
    bad = make_job(token="wrong").test_connection()
    assert not bad.success and bad.error_code == CREDENTIALS
    assert bad.message.startswith("You appear to have entered invalid credentials.")
    assert "wrong" not in bad.message
    scim.seed_user(userName="anything")
    scim.fail(
        "GET",
        "/Users$",
        200,
        body={
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": 1,
            "Resources": [{"id": "1", "userName": "x"}],
        },
    )
    assert not make_job().test_connection().success  # success needs an EMPTY ListResponse
    scim.fail("GET", "/Users$", 404)
    assert "SCIM Compliance issue" in make_job().test_connection().message
    assert make_job().test_connection().success


def test_test_connection_shows_the_targets_own_words(make_job, scim: FakeScim) -> None:
    """A Kintone refusal's detail reaches the result verbatim, after Entra's wording (issue 9)."""
    scim.fail(
        "GET",
        "/Users$",
        403,
        body={
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": "403",
            "detail": "An invalid certificate was entered",
        },
    )
    result = make_job().test_connection()
    assert not result.success and result.error_code == CREDENTIALS
    assert result.message.startswith("You appear to have entered invalid credentials.")
    assert result.message.endswith(
        "Details: GET /Users answered HTTP 403 (Forbidden): An invalid certificate was entered"
    )
    scim.fail(
        "GET",
        "/Users$",
        503,
        raw=b"Service Unavailable: maintenance\x1b[0m",
        headers={"Content-Type": "text/plain"},
    )
    result = make_job().test_connection()
    assert result.message.endswith("(ServiceUnavailable): Service Unavailable: maintenance\\x1b[0m")


def test_bad_credentials_quarantine_then_one_success_leaves(
    tenant: Tenant, make_job, scim: FakeScim, clock
) -> None:
    alice = add_person(tenant, "alice")
    scim.token = "rotated"
    job = make_job()
    job.start()
    (cycle,) = job.advance(timedelta(minutes=1))
    status = job.status
    assert status.state == "Quarantined" and cycle.aborted
    assert status.quarantine_reason == "EncounteredQuarantineException"
    assert status.quarantine_error_code == CREDENTIALS
    assert status.next_cycle_at == cycle.started_at + timedelta(hours=6)
    assert job.advance(timedelta(hours=5)) == []  # backed off: no 40-minute cycles
    (retry,) = job.advance(timedelta(hours=1))
    assert retry.aborted and job.status.next_cycle_at == retry.started_at + timedelta(hours=12)
    scim.token = TOKEN
    (fixed,) = job.advance(timedelta(hours=12))
    assert not fixed.aborted and fixed.kind == "initial"
    assert job.status.state == "Active" and job.target_id(alice)
    assert job.status.next_cycle_at == fixed.started_at + timedelta(minutes=40)


def test_credentials_failing_mid_cycle_quarantines(tenant: Tenant, make_job, scim: FakeScim) -> None:
    add_person(tenant, "alice")
    scim.fail("POST", "/Users$", 401)
    job = make_job()
    job.start()
    job.run_cycle()
    assert job.status.state == "Quarantined" and job.status.quarantine_error_code == CREDENTIALS


def test_quarantine_for_28_days_disables_the_job(tenant: Tenant, make_job, scim: FakeScim) -> None:
    scim.token = "rotated"
    job = make_job()
    job.start()
    cycles = job.advance(timedelta(days=29))
    assert job.status.state == "Disabled"
    assert 25 <= len(cycles) <= 31  # 6h, 12h, then daily
    assert job.advance(timedelta(days=2)) == []


def test_groups_404_quarantines_after_the_users_are_provisioned(
    tenant: Tenant, make_job, scim: FakeScim
) -> None:
    """§7 "Target without /Groups": SCIM-compliance quarantine, "even if users were provisioned" (I-SNIPE)."""
    scim.groups_enabled = False
    alice = add_person(tenant, "alice")
    group = tenant.add_group("Sales", [alice], assigned=True)
    job = make_job(mappings=MappingSet.entra_default_scim())
    job.start()
    job.run_cycle()
    status = job.status
    assert status.state == "Quarantined"
    assert status.quarantine_message.startswith("SCIM Compliance issue: An HTTP/404 Not Found")
    assert scim.user_named("alice@contoso.com") is not None  # a /Groups refusal never stops users
    assert _last(job, group.id).status == "Failure" and job.status.escrows == 1
    assert scim.sent("POST", ".*/Groups") == []


def test_groups_404_setting_escrows_without_quarantine(tenant: Tenant, make_job, scim: FakeScim) -> None:
    scim.groups_enabled = False
    alice = add_person(tenant, "alice")
    group = tenant.add_group("Sales", [alice], assigned=True)
    job = make_job(
        mappings=MappingSet.entra_default_scim(),
        settings=EngineSettings(groups_not_found="escrow", timeout_seconds=5.0),
    )
    job.start()
    job.run_cycle()
    assert job.status.state == "Active" and _last(job, group.id).status == "Failure"
    assert scim.user_named("alice@contoso.com") is not None


def test_the_help_articles_set_up_order(tenant: Tenant, make_job, scim: FakeScim) -> None:
    """Kintone's article: Test Connection, then group provisioning off, then users provision (no /Groups)."""
    scim.groups_enabled = False
    alice = add_person(tenant, "alice")
    job = make_job(mappings=MappingSet.entra_default_scim())  # a new app provisions groups
    assert job.test_connection().success  # the group probe's 404 does not fail Test Connection [U]
    assert [r.path.rsplit("/", 1)[-1] for r in scim.requests] == ["Users", "Groups"]
    job.configure(provision_groups=False)
    job.start()
    job.run_cycle()
    assert job.status.state == "Active" and job.target_id(alice)
    assert scim.sent(path=".*/Groups") == [scim.requests[1]]  # only Test Connection's probe


def test_strict_group_probe_fails_test_connection(make_job, scim: FakeScim) -> None:
    scim.groups_enabled = False
    job = make_job(
        mappings=MappingSet.entra_default_scim(),
        settings=EngineSettings(test_connection_group_probe="strict", timeout_seconds=5.0),
    )
    result = job.test_connection()
    assert not result.success and "SCIM Compliance issue" in result.message
    off = make_job(
        mappings=MappingSet.entra_default_scim(),
        settings=EngineSettings(test_connection_group_probe="off", timeout_seconds=5.0),
    )
    scim.clear()
    assert off.test_connection().success and scim.sent(path=".*/Groups") == []


def test_escrow_proportion_threshold_quarantines(tenant: Tenant, make_job, scim: FakeScim) -> None:
    for i in range(10):
        add_person(tenant, f"user{i}")
    scim.fail("POST", "/Users$", 500, times=6)
    settings = EngineSettings(escrow_thresholds=EscrowThresholds(evaluation_starts_at=5, proportion=0.4))
    job = make_job(settings=settings)
    job.start()
    job.run_cycle()
    assert job.status.quarantine_reason == "EncounteredEscrowProportionThreshold"


def test_accidental_deletion_threshold_holds_then_force_deletes(
    tenant: Tenant, make_job, scim: FakeScim
) -> None:
    ids = [add_person(tenant, f"user{i}") for i in range(5)]
    job = make_job(settings=EngineSettings(accidental_deletion_threshold=2))
    job.start()
    job.run_cycle()
    for user_id in ids[:3]:
        tenant.unassign_user(user_id)
    scim.clear()
    job.run_cycle()
    assert scim.sent("PATCH") == []
    assert job.status.quarantine_reason == "TooManyDeletes"
    assert {e.action for e in job.logs.entries if e.status == "Skipped"} == {"StagedDelete"}
    job.restart("ForceDeletes")
    job.run_cycle()
    assert len(scim.sent("PATCH")) == 3 and job.status.state == "Active"
    assert all(scim.user_named(f"user{i}@contoso.com")["active"] is False for i in range(3))


def test_manual_quarantine_stays_until_restart(tenant: Tenant, make_job, scim: FakeScim) -> None:
    job = make_job()
    job.start()
    job.quarantine()
    job.run_cycle()
    assert job.status.quarantine_reason == "QuarantinedOnDemand"
    job.restart("QuarantineState")
    assert job.status.state == "Active"
