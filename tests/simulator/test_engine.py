"""Engine behaviour over real HTTP on loopback: cycles, updates, deprovisioning, control, on demand."""

from __future__ import annotations

from datetime import timedelta

from scim_harness.simulator.engine import EngineSettings
from scim_harness.simulator.scoping import ScopingFilter
from scim_harness.simulator.tenant import Tenant
from tests.simulator.fake_scim import BASE_PATH, FakeScim, add_person, decoded_filter

USERS = f"{BASE_PATH}/Users"


def test_initial_cycle_matches_creates_and_links_in_scope_users(
    tenant: Tenant, make_job, scim: FakeScim
) -> None:
    alice = add_person(tenant, "alice")
    bob = add_person(tenant, "bob")
    outsider = add_person(tenant, "carol", assigned=False)
    job = make_job()
    summary = job.run_cycle()

    assert summary.kind == "initial"
    assert summary.count("Create", "Success") == 2
    assert {decoded_filter(r) for r in scim.sent("GET", USERS)[1:]} == {
        'userName eq "alice@contoso.com"',
        'userName eq "bob@contoso.com"',
    }
    assert scim.user_named("alice@contoso.com")["id"] == job.target_id(alice)
    assert scim.user_named("bob@contoso.com")["active"] is True
    assert job.target_id(bob) and job.target_id(outsider) is None
    assert scim.user_named("carol@contoso.com") is None
    assert job.logs.for_user(outsider) == []  # the initial cycle imports only what is in scope
    assert job.status.initial_cycle_done


def test_existing_target_user_is_linked_not_created(tenant: Tenant, make_job, scim: FakeScim) -> None:
    target_id = scim.seed_user(
        userName="alice@contoso.com",
        displayName="Alice",
        externalId="alice",
        name={"givenName": "Alice", "familyName": "Smith"},
        emails=[{"type": "work", "value": "alice@contoso.com", "primary": True}],
    )
    alice = add_person(tenant, "alice")
    job = make_job()
    job.run_cycle()
    assert job.target_id(alice) == target_id
    assert scim.sent("POST") == [] and scim.sent("PATCH") == []  # nothing differs: nothing sent
    entry = job.logs.for_user(alice)[0]
    assert (entry.action, entry.status) == ("Other", "Skipped")


def test_incremental_cycle_touches_only_changes(tenant: Tenant, make_job, scim: FakeScim) -> None:
    ids = [add_person(tenant, f"user{i}") for i in range(30)]
    job = make_job()
    job.run_cycle()
    tenant.update_user(ids[7], displayName="Renamed")
    scim.clear()
    summary = job.run_cycle()

    assert summary.kind == "incremental"
    target = job.target_id(ids[7])
    assert [(r.method, r.path) for r in scim.requests[1:]] == [
        ("GET", f"{USERS}/{target}"),
        ("PATCH", f"{USERS}/{target}"),
    ]
    assert scim.requests[2].body["Operations"] == [
        {"op": "Replace", "path": "displayName", "value": "Renamed"}
    ]
    assert summary.count("Update", "Success") == 1 and summary.objects == 1
    scim.clear()
    assert job.run_cycle().objects == 0
    assert len(scim.requests) == 1  # the probe only


def test_update_sends_only_the_difference(tenant: Tenant, make_job, scim: FakeScim) -> None:
    alice = add_person(tenant, "alice")
    job = make_job()
    job.run_cycle()
    target = scim.user_named("alice@contoso.com")
    target["name"]["familyName"] = "Changed in target"
    del target["externalId"]
    tenant.update_user(alice, department="Sales")  # unmapped: contributes nothing to the PATCH
    scim.clear()
    job.run_cycle()
    (patch,) = scim.sent("PATCH")
    assert patch.body["Operations"] == [
        {"op": "Replace", "path": "name.familyName", "value": "Smith"},
        {"op": "Add", "path": "externalId", "value": "alice"},
    ]
    entry = job.logs.for_user(alice)[-1]
    assert [(p.displayName, p.oldValue, p.newValue) for p in entry.modifiedProperties] == [
        ("name.familyName", "Changed in target", "Smith"),
        ("externalId", None, "alice"),
    ]


def test_add_when_missing_setting_sends_replace(tenant: Tenant, make_job, scim: FakeScim) -> None:
    scim.seed_user(userName="alice@contoso.com")
    add_person(tenant, "alice")
    make_job(settings=EngineSettings(add_when_missing=False)).run_cycle()
    assert {op["op"] for op in scim.sent("PATCH")[0].body["Operations"]} == {"Replace"}


def _provisioned(tenant: Tenant, make_job, scim: FakeScim, **kwargs):
    alice = add_person(tenant, "alice", department="Sales")
    job = make_job(**kwargs)
    job.run_cycle()
    scim.clear()
    return alice, job


def test_deprovisioning_events_disable_with_patch(tenant: Tenant, make_job, scim: FakeScim) -> None:
    events = {
        "unassign": tenant.unassign_user,
        "soft_delete": tenant.soft_delete,
        "block": tenant.block_sign_in,
        "scope": lambda uid: tenant.update_user(uid, department="Contractors"),
    }
    tenant.set_scoping_filter(
        ScopingFilter.from_dict(
            {
                "groups": [
                    {
                        "clauses": [
                            {"attribute": "department", "operator": "NOT EQUALS", "value": "Contractors"}
                        ]
                    }
                ]
            }
        )
    )
    people = {name: add_person(tenant, name, department="Sales") for name in events}
    job = make_job()
    job.run_cycle()
    for name, event in events.items():
        event(people[name])
    scim.clear()
    summary = job.run_cycle()
    assert summary.count("Disable", "Success") == 4
    for name in events:
        assert scim.user_named(f"{name}@contoso.com")["active"] is False, name
    assert scim.sent("POST") == [] and scim.sent("DELETE") == []
    bodies = [r.body["Operations"] for r in scim.sent("PATCH")]
    assert all({"op": "Replace", "path": "active", "value": "False"} in ops for ops in bodies)


def test_reassignment_matches_and_patches_active_true(tenant: Tenant, make_job, scim: FakeScim) -> None:
    alice, job = _provisioned(tenant, make_job, scim)
    tenant.unassign_user(alice)
    job.run_cycle()
    assert scim.user_named("alice@contoso.com")["active"] is False
    tenant.assign_user(alice)
    scim.clear()
    job.run_cycle()
    methods = [(r.method, r.path) for r in scim.requests[1:]]
    target = scim.user_named("alice@contoso.com")["id"]
    assert methods == [("GET", USERS), ("PATCH", f"{USERS}/{target}")]  # matched again, no POST (Q-READD)
    assert scim.requests[2].body["Operations"] == [{"op": "Replace", "path": "active", "value": "True"}]
    assert scim.user_named("alice@contoso.com")["active"] is True


def test_hard_delete_after_30_days_sends_delete_when_still_managed(
    tenant: Tenant, make_job, scim: FakeScim
) -> None:
    alice, job = _provisioned(tenant, make_job, scim)
    job.start()
    tenant.soft_delete(alice)
    job.advance(timedelta(days=29))
    assert scim.sent("DELETE") == [] and scim.user_named("alice@contoso.com")["active"] is False
    job.advance(timedelta(days=1, hours=1))
    assert len(scim.sent("DELETE")) == 1 and scim.user_named("alice@contoso.com") is None
    assert job.target_id(alice) is None
    assert any(e.action == "Delete" and e.status == "Success" for e in job.logs.for_user(alice))


def test_unassigned_then_deleted_user_gets_no_delete(tenant: Tenant, make_job, scim: FakeScim) -> None:
    alice, job = _provisioned(tenant, make_job, scim)
    tenant.unassign_user(alice)
    job.run_cycle()
    tenant.hard_delete(alice)
    job.run_cycle()
    assert scim.sent("DELETE") == []
    assert scim.user_named("alice@contoso.com")["active"] is False


def test_unassigned_and_deleted_while_stopped_gets_no_delete(
    tenant: Tenant, make_job, scim: FakeScim
) -> None:
    alice, job = _provisioned(tenant, make_job, scim)
    tenant.unassign_user(alice)
    tenant.hard_delete(alice)
    job.run_cycle()
    assert scim.sent("DELETE") == []


def test_users_disabled_in_entra_are_never_created(tenant: Tenant, make_job, scim: FakeScim) -> None:
    blocked = add_person(tenant, "blocked", accountEnabled=False)
    job = make_job()
    job.run_cycle()
    assert scim.sent("POST") == []
    assert job.logs.for_user(blocked)[0].status == "Skipped"


def test_null_source_values_are_not_sent(tenant: Tenant, make_job, scim: FakeScim) -> None:
    tenant.add_user(assigned=True, userPrincipalName="min@contoso.com", displayName="Min")
    make_job().run_cycle()
    body = scim.sent("POST")[0].body
    assert "emails" not in body and "name" not in body and "externalId" not in body
    assert body["userName"] == "min@contoso.com" and body["active"] is True


def test_cycles_fall_due_every_40_minutes_and_stop_start_catches_up(
    tenant: Tenant, make_job, scim: FakeScim
) -> None:
    alice = add_person(tenant, "alice")
    job = make_job()
    job.start()
    cycles = job.advance(timedelta(hours=2))
    assert [c.kind for c in cycles] == ["initial", "incremental", "incremental", "incremental"]
    assert [c.started_at.minute + 60 * c.started_at.hour for c in cycles] == [0, 40, 80, 120]
    job.stop()
    tenant.update_user(alice, displayName="While stopped")
    scim.clear()
    assert job.advance(timedelta(hours=5)) == [] and scim.requests == []
    assert job.status.state == "Stopped"
    job.start()
    (cycle,) = job.advance(timedelta(minutes=1))
    assert cycle.kind == "incremental" and cycle.count("Update", "Success") == 1
    assert scim.user_named("alice@contoso.com")["displayName"] == "While stopped"


def test_stop_during_a_cycle_lets_it_finish(tenant: Tenant, make_job, scim: FakeScim) -> None:
    for i in range(6):
        add_person(tenant, f"user{i}")
    job = make_job()
    job.start()
    original = job.client.send

    def send_then_stop(method, path, **kwargs):
        if method == "POST":
            job.stop()
        return original(method, path, **kwargs)

    job.client.send = send_then_stop
    summary = job.run_cycle()
    assert summary.count("Create", "Success") == 6
    assert job.status.state == "Stopped" and job.status.next_cycle_at is None


def test_restart_runs_a_new_initial_cycle_keeping_links(tenant: Tenant, make_job, scim: FakeScim) -> None:
    alice, job = _provisioned(tenant, make_job, scim)
    target = job.target_id(alice)
    job.restart()
    summary = job.run_cycle()
    assert summary.kind == "initial"
    assert [(r.method, r.path) for r in scim.requests[1:]] == [("GET", f"{USERS}/{target}")]
    assert job.target_id(alice) == target


def test_invalid_anchor_then_full_restart_rematches(tenant: Tenant, make_job, scim: FakeScim) -> None:
    alice, job = _provisioned(tenant, make_job, scim)
    del scim.users[job.target_id(alice)]  # someone deleted it in the target
    tenant.update_user(alice, displayName="Changed")
    job.run_cycle()
    entry = job.logs.for_user(alice)[-1]
    assert (entry.status, entry.statusInfo.errorCode) == ("Failure", "InvalidAnchor")
    assert scim.sent("POST") == []  # Entra does not silently re-create
    assert job.status.escrows == 1

    job.restart("Full")
    scim.clear()
    summary = job.run_cycle()
    assert summary.count("Create", "Success") == 1
    assert job.target_id(alice) == scim.user_named("alice@contoso.com")["id"]
    assert job.status.escrows == 0


def test_restart_scopes(tenant: Tenant, make_job, scim: FakeScim) -> None:
    alice, job = _provisioned(tenant, make_job, scim)
    job.restart("Escrows")
    assert job.run_cycle().kind == "incremental"  # the watermark stays
    job.restart("ConnectorDataStore")
    assert job.target_id(alice) is None
    scim.clear()
    summary = job.run_cycle()
    assert summary.kind == "incremental"
    job.restart(["Watermark"])
    summary = job.run_cycle()
    assert summary.kind == "initial"
    assert job.target_id(alice) == scim.user_named("alice@contoso.com")["id"]  # re-matched, not re-created
    assert len(scim.users) == 1


def test_on_demand_reports_entra_steps_and_ignores_the_flag(tenant: Tenant, make_job, scim: FakeScim) -> None:
    alice = add_person(tenant, "alice")
    job = make_job(flag=True)
    result = job.provision_on_demand(alice)
    assert (result.action, result.status) == ("Create", "Success")
    assert [s.provisioningStepType for s in result.steps] == [
        "import",
        "scoping",
        "matching",
        "processing",
        "export",
    ]
    assert "TestConnection" not in [s.name for s in result.steps]  # shown only when it fails
    assert len(scim.sent("GET", USERS)) == 3 + 1  # three probes (I-PROBE) then the match

    tenant.block_sign_in(alice)
    result = job.provision_on_demand(alice)
    assert result.action == "Disable"
    # On-demand ignores aadOptscim062020: the legacy string form is sent (D-COMPAT).
    assert scim.sent("PATCH")[-1].body["Operations"] == [
        {"op": "Replace", "path": "active", "value": "False"}
    ]
    assert [(p.displayName, p.newValue) for p in result.modified_properties] == [("active", "False")]


def test_on_demand_shows_failed_test_connection(tenant: Tenant, make_job, scim: FakeScim) -> None:
    alice = add_person(tenant, "alice")
    result = make_job(token="wrong").provision_on_demand(alice)
    assert result.status == "Failure" and [s.name for s in result.steps] == ["TestConnection"]
    assert result.error_code == "SystemForCrossDomainIdentityManagementCredentialValidationFailure"


def test_bounded_parallel_connections(tenant: Tenant, make_job, scim: FakeScim) -> None:
    for i in range(24):
        add_person(tenant, f"user{i}")
    for _ in range(24):
        scim.fail("POST", "/Users$", 201, delay=0.05, body={"id": "x"})
    job = make_job(settings=EngineSettings(max_connections=3))
    job.run_cycle()
    assert 1 < scim.max_in_flight <= 3


def test_tenant_url_query_is_kept_and_flag_stripped(tenant: Tenant, make_job, scim: FakeScim) -> None:
    job = make_job(url=scim.url + "?code=abc%2F1&aadOptscim062020")
    assert job.dialect.value == "aadOptscim062020"
    job.test_connection()
    assert scim.requests[0].raw_query.endswith("&code=abc%2F1")
    assert "aadOptscim062020" not in scim.requests[0].raw_query
