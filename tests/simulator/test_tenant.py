"""The source tenant: state transitions, Entra's IsSoftDeleted, the change log, the 30-day purge, files."""

import json
from datetime import timedelta

import pytest

from scim_harness.simulator.clock import VirtualClock
from scim_harness.simulator.scoping import ScopingClause, ScopingFilter
from scim_harness.simulator.tenant import Tenant, TenantError


@pytest.fixture
def clock():
    return VirtualClock()


@pytest.fixture
def tenant(clock):
    return Tenant(clock)


def add(tenant, name="alice", **extra):
    return tenant.add_user(
        userPrincipalName=f"{name}@contoso.com",
        displayName=name.title(),
        mailNickname=name,
        **extra,
    )


def test_new_user_is_enabled_unassigned_and_out_of_scope(tenant):
    user = add(tenant)
    assert user.attributes["accountEnabled"] is True
    assert not tenant.is_assigned(user.id)
    assert not tenant.in_scope(user.id)
    assert tenant.is_soft_deleted(user.id)


def test_source_view_has_graph_attributes_object_id_and_is_soft_deleted(tenant):
    user = add(tenant, assigned=True, department="Sales")
    view = tenant.source_view(user.id)
    assert view["userPrincipalName"] == "alice@contoso.com"
    assert view["department"] == "Sales"
    assert view["objectId"] == user.id
    assert view["IsSoftDeleted"] is False


@pytest.mark.parametrize("event", ["unassign", "scoping", "soft_delete", "block"])
def test_each_deprovisioning_event_makes_is_soft_deleted_true(clock, event):
    tenant = Tenant(
        clock, scoping_filter=ScopingFilter.single(ScopingClause("department", "EQUALS", "Sales"))
    )
    user = add(tenant, assigned=True, department="Sales")
    assert tenant.is_soft_deleted(user.id) is False
    {
        "unassign": lambda: tenant.unassign_user(user.id),
        "scoping": lambda: tenant.update_user(user.id, department="Legal"),
        "soft_delete": lambda: tenant.soft_delete(user.id),
        "block": lambda: tenant.block_sign_in(user.id),
    }[event]()
    assert tenant.is_soft_deleted(user.id) is True
    assert tenant.source_view(user.id)["IsSoftDeleted"] is True
    # A blocked user is still in scope (Entra disables it); the other three leave scope.
    assert tenant.in_scope(user.id) is (event == "block")


def test_reversing_each_event_brings_the_user_back(tenant):
    user = add(tenant, assigned=True)
    tenant.soft_delete(user.id)
    tenant.restore(user.id)
    tenant.block_sign_in(user.id)
    tenant.unblock_sign_in(user.id)
    tenant.unassign_user(user.id)
    tenant.assign_user(user.id)
    assert tenant.in_scope(user.id) and not tenant.is_soft_deleted(user.id)


def test_update_none_removes_an_attribute(tenant):
    user = add(tenant, mobile="+1 555")
    tenant.update_user(user.id, mobile=None, jobTitle="Engineer")
    assert "mobile" not in user.attributes
    assert user.attributes["jobTitle"] == "Engineer"


def test_group_assignment_without_nested_expansion(tenant):
    alice, bob, carol = add(tenant, "alice"), add(tenant, "bob"), add(tenant, "carol")
    sales = tenant.add_group("Sales", members=[alice.id])
    emea = tenant.add_group("EMEA Sales", members=[bob.id])
    # Entra does not expand nested groups, so a member of a group inside an assigned group is not assigned.
    sales.attributes["nested"] = [emea.id]
    tenant.assign_group(sales.id)
    assert tenant.is_assigned(alice.id)
    assert not tenant.is_assigned(bob.id)
    tenant.add_group_member(sales.id, carol.id)
    assert tenant.in_scope(carol.id)
    tenant.remove_group_member(sales.id, carol.id)
    assert not tenant.in_scope(carol.id)
    tenant.unassign_group(sales.id)
    assert not tenant.is_assigned(alice.id)


def test_user_in_two_assigned_groups_stays_assigned_when_one_is_unassigned(tenant):
    alice = add(tenant)
    first = tenant.add_group("A", members=[alice.id], assigned=True)
    tenant.add_group("B", members=[alice.id], assigned=True)
    mark = tenant.watermark()
    tenant.unassign_group(first.id)
    assert tenant.is_assigned(alice.id)
    assert tenant.changes_since(mark) == [first.id]


def test_scope_all_ignores_assignment(clock):
    tenant = Tenant(clock, scope="all")
    user = add(tenant)
    assert tenant.in_scope(user.id) and not tenant.is_soft_deleted(user.id)


def test_changes_since_lists_each_changed_object_once_in_change_order(tenant):
    alice, bob, carol = add(tenant, "alice"), add(tenant, "bob"), add(tenant, "carol")
    mark = tenant.watermark()
    assert tenant.changes_since(mark) == []
    tenant.update_user(bob.id, displayName="Robert")
    tenant.assign_user(alice.id)
    tenant.update_user(bob.id, jobTitle="Boss")
    assert tenant.changes_since(mark) == [alice.id, bob.id]
    assert carol.id not in tenant.changes_since(mark)


def test_changes_since_records_every_kind_of_change(clock, tenant):
    users = {name: add(tenant, name, assigned=True) for name in ("a", "b", "c", "d", "e", "f")}
    group_member = add(tenant, "g")
    group = tenant.add_group("G")
    mark = tenant.watermark()
    tenant.soft_delete(users["a"].id)
    tenant.hard_delete(users["b"].id)
    tenant.block_sign_in(users["c"].id)
    tenant.unassign_user(users["d"].id)
    tenant.update_user(users["e"].id, displayName="E2")
    tenant.add_group_member(group.id, group_member.id)
    tenant.assign_group(group.id)
    changed = tenant.changes_since(mark)
    expected = {users[n].id for n in "abcde"} | {group.id, group_member.id}
    assert set(changed) == expected
    assert users["f"].id not in changed


def test_no_op_changes_are_not_recorded(tenant):
    user = add(tenant, assigned=True)
    mark = tenant.watermark()
    tenant.update_user(user.id, displayName="Alice")
    tenant.assign_user(user.id)
    tenant.restore(user.id)
    assert tenant.changes_since(mark) == []


def test_changes_since_walks_only_the_changes_not_the_tenant(clock):
    """The change log is append-only: entries after a watermark are the changes, whatever the tenant size."""
    small, large = Tenant(clock), Tenant(clock)
    for tenant, size in ((small, 10), (large, 5000)):
        for i in range(size):
            add(tenant, f"user{i}", assigned=True)
    for tenant in (small, large):
        mark = tenant.watermark()
        ids = list(tenant.users)[:5]
        for user_id in ids:
            tenant.update_user(user_id, jobTitle="X")
        assert tenant.changes_since(mark) == ids
        assert tenant.last_changes_scanned == 5


def test_purge_expired_hard_deletes_after_thirty_days(clock, tenant):
    early, late = add(tenant, "early", assigned=True), add(tenant, "late", assigned=True)
    tenant.soft_delete(early.id)
    clock.advance(timedelta(days=10))
    tenant.soft_delete(late.id)
    clock.advance(timedelta(days=19, hours=23))
    assert tenant.purge_expired() == []
    clock.advance(timedelta(hours=1))
    mark = tenant.watermark()
    assert tenant.purge_expired() == [early.id]
    assert early.hard_deleted and not late.hard_deleted
    assert tenant.changes_since(mark) == [early.id]
    clock.advance(timedelta(days=10))
    assert tenant.purge_expired() == [late.id]
    assert tenant.purge_expired() == []


def test_restored_user_is_not_purged(clock, tenant):
    user = add(tenant, assigned=True)
    tenant.soft_delete(user.id)
    clock.advance(timedelta(days=5))
    tenant.restore(user.id)
    clock.advance(timedelta(days=40))
    assert tenant.purge_expired() == []


def test_hard_deleted_user_cannot_be_restored_and_its_upn_is_free(tenant):
    user = add(tenant, assigned=True)
    tenant.hard_delete(user.id)
    with pytest.raises(TenantError, match="permanently deleted"):
        tenant.restore(user.id)
    again = add(tenant, assigned=True)
    assert tenant.find_user("ALICE@contoso.com").id == again.id


def test_duplicate_upn_is_refused_and_restore_conflict_too(tenant):
    user = add(tenant)
    with pytest.raises(TenantError, match="already used"):
        add(tenant)
    tenant.soft_delete(user.id)
    replacement = add(tenant)
    with pytest.raises(TenantError, match="already used"):
        tenant.restore(user.id)
    assert tenant.find_user("alice@contoso.com").id == replacement.id


def test_changing_a_upn_moves_the_lookup_and_refuses_a_taken_one(tenant):
    alice, bob = add(tenant, "alice"), add(tenant, "bob")
    tenant.update_user(alice.id, userPrincipalName="ALICE@contoso.com")
    tenant.update_user(alice.id, userPrincipalName="alice.new@contoso.com")
    assert tenant.find_user("alice.new@contoso.com") is alice
    with pytest.raises(TenantError, match="already used"):
        tenant.update_user(bob.id, userPrincipalName="Alice.New@contoso.com")
    assert tenant.find_user("bob@contoso.com") is bob
    assert bob.attributes["userPrincipalName"] == "bob@contoso.com"
    add(tenant, "alice")  # the old UPN is free again


def test_unknown_user_is_a_clear_error(tenant):
    with pytest.raises(TenantError, match="no user with id 'nope'"):
        tenant.assign_user("nope")


GRAPH_FILE = {
    "scope": "assigned",
    "scopingFilter": {
        "groups": [
            {
                "clauses": [
                    {
                        "sourceOperandName": "department",
                        "operatorName": "NOT EQUALS",
                        "targetOperand": {"values": ["Contractors"]},
                    }
                ]
            }
        ]
    },
    "users": [
        {
            "id": "11111111-1111-4111-8111-111111111111",
            "userPrincipalName": "a@contoso.com",
            "displayName": "A",
            "accountEnabled": True,
            "department": "Sales",
            "@odata.type": "#microsoft.graph.user",
        },
        {
            "id": "22222222-2222-4222-8222-222222222222",
            "userPrincipalName": "b@contoso.com",
            "displayName": "B",
            "accountEnabled": False,
            "department": "Contractors",
        },
        {
            "id": "33333333-3333-4333-8333-333333333333",
            "userPrincipalName": "c@contoso.com",
            "displayName": "C",
            "deletedDateTime": "2025-12-20T00:00:00Z",
            "assigned": True,
        },
    ],
    "groups": [
        {
            "id": "44444444-4444-4444-8444-444444444444",
            "displayName": "Sales",
            "members": [{"id": "11111111-1111-4111-8111-111111111111"}, "b@contoso.com"],
        }
    ],
    "assignments": ["Sales"],
    "timeline": [{"at": "2h", "action": "update", "user": "a@contoso.com", "set": {"displayName": "X"}}],
}


def test_graph_file_loads_users_groups_assignments_and_deletions(clock):
    tenant = Tenant.from_graph_json(GRAPH_FILE, clock)
    a, b, c = (tenant.find_user(f"{x}@contoso.com") for x in "abc")
    assert "@odata.type" not in a.attributes
    assert tenant.in_scope(a.id)
    assert tenant.is_assigned(b.id) and not tenant.in_scope(b.id)  # scoped out
    assert c.soft_deleted_at.isoformat() == "2025-12-20T00:00:00+00:00"
    assert tenant.is_soft_deleted(c.id)
    assert tenant.timeline[0].action == "update"
    # Soft-deleted on 20 Dec; the clock starts on 1 Jan, so 12 days later it is still in the recycle bin.
    assert tenant.purge_expired() == []
    clock.advance(timedelta(days=18))
    assert tenant.purge_expired() == [c.id]


def test_a_deleted_user_in_the_file_may_share_a_live_users_upn(clock):
    tenant = Tenant.from_graph_json(
        {
            "users": [
                {"id": "old", "userPrincipalName": "a@c", "deletedDateTime": "2025-12-31T00:00:00Z"},
                {"id": "new", "userPrincipalName": "a@c", "assigned": True},
            ]
        },
        clock,
    )
    assert tenant.find_user("a@c").id == "new"
    with pytest.raises(TenantError, match="already used"):
        tenant.restore("old")


def test_graph_list_users_answer_assigns_everyone(clock):
    tenant = Tenant.from_graph_json({"value": [{"id": "x", "userPrincipalName": "x@c.com"}]}, clock)
    assert tenant.in_scope("x")


def test_round_trip_through_graph_json(tmp_path, clock):
    tenant = Tenant.from_graph_json(GRAPH_FILE, clock)
    path = tmp_path / "tenant.json"
    tenant.save(path)
    again = Tenant.load(path, clock)
    assert again.to_graph_json() == tenant.to_graph_json()
    assert json.loads(path.read_text())["groups"][0]["assigned"] is True
    for user_id in tenant.users:
        assert again.source_view(user_id) == tenant.source_view(user_id)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"users": [{"displayName": "no upn"}]}, r"users\[0\] has no userPrincipalName"),
        ({"users": "nope"}, "must be JSON lists"),
        ({"users": [], "groups": [{"displayName": "G", "members": ["ghost"]}]}, r"groups\[0\]: no user"),
        ({"users": [], "assignments": ["ghost"]}, r"assignments\[0\]: no user or group 'ghost'"),
        ({"users": [{"userPrincipalName": "a@c", "deletedDateTime": "yesterday"}]}, "not an ISO 8601"),
        ({"scope": "some"}, "scope must be"),
        (
            {"users": [{"userPrincipalName": "a@c"}, {"userPrincipalName": "A@c"}]},
            r"users\[1\]: userPrincipalName 'A@c' is already used",
        ),
    ],
)
def test_bad_tenant_files_get_clear_errors(clock, data, message):
    with pytest.raises(TenantError, match=message):
        Tenant.from_graph_json(data, clock)


def test_load_reports_unreadable_and_invalid_files(tmp_path, clock):
    with pytest.raises(TenantError, match="cannot read tenant file"):
        Tenant.load(tmp_path / "missing.json", clock)
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    with pytest.raises(TenantError, match="not valid JSON"):
        Tenant.load(bad, clock)


def test_example_tenant_file_loads(clock):
    from pathlib import Path

    from scim_harness import simulator

    tenant = Tenant.load(Path(simulator.__file__).parent / "data" / "example-tenant.json", clock)
    assert tenant.users and tenant.groups and tenant.timeline


def test_group_views_and_lookup(tenant):
    alice, bob = add(tenant, "alice"), add(tenant, "bob")
    group = tenant.add_group("Sales", members=[bob.id, alice.id], description="EMEA")
    assert tenant.find_group("sales") is group
    view = tenant.group_source_view(group.id)
    assert view == {
        "description": "EMEA",
        "displayName": "Sales",
        "objectId": group.id,
        "members": sorted([alice.id, bob.id]),
    }
    assert not tenant.group_in_scope(group.id)
    tenant.assign_group(group.id)
    assert tenant.group_in_scope(group.id)


def test_hard_deleted_user_is_soft_deleted_and_out_of_scope(tenant):
    user = add(tenant, assigned=True)
    tenant.hard_delete(user.id)
    assert tenant.is_soft_deleted(user.id) and not tenant.in_scope(user.id)
