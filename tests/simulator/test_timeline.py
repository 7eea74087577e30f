"""Timelines: durations, event parsing with clear errors, and directory events applied to a tenant."""

from datetime import timedelta

import pytest

from scim_harness.simulator.clock import VirtualClock
from scim_harness.simulator.runner import apply_directory_event
from scim_harness.simulator.tenant import Tenant
from scim_harness.simulator.timeline import (
    TimelineError,
    format_duration,
    is_admin_action,
    parse_duration,
    parse_timeline,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("40m", timedelta(minutes=40)),
        ("2h", timedelta(hours=2)),
        ("3d", timedelta(days=3)),
        ("1h30m", timedelta(minutes=90)),
        ("90s", timedelta(seconds=90)),
        ("PT1H", timedelta(hours=1)),
        ("P1DT2H30M", timedelta(days=1, hours=2, minutes=30)),
        (120, timedelta(minutes=2)),
    ],
)
def test_durations(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["soon", "5x", "", "PT", "-3h", True])
def test_bad_durations(text):
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def test_format_duration_round_trips():
    for delta in (timedelta(minutes=40), timedelta(days=3, hours=1), timedelta(0)):
        assert parse_duration(format_duration(delta)) == delta


def test_events_are_sorted_by_time_keeping_file_order():
    events = parse_timeline(
        [
            {"at": "2h", "action": "stop"},
            {"at": "40m", "action": "block", "user": "a@c"},
            {"at": "2h", "action": "start"},
        ]
    )
    assert [e.action for e in events] == ["block", "stop", "start"]
    assert [e.index for e in events] == [1, 0, 2]
    assert [is_admin_action(e) for e in events] == [False, True, True]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("nope", "must be a JSON object"),
        ({"action": "stop"}, "needs 'at'"),
        ({"at": "2x", "action": "stop"}, "not a duration"),
        ({"at": "2h", "action": "explode"}, "unknown action 'explode'"),
        ({"at": "2h", "action": "assign"}, "needs a 'user'"),
        ({"at": "2h", "action": "update", "user": "a@c"}, "needs 'set'"),
        ({"at": "2h", "action": "add_user"}, "needs 'attributes'"),
        ({"at": "2h", "action": "add_member", "group": "G"}, "needs 'group' and 'member'"),
        ({"at": "2h", "action": "restart", "scope": "Watermark, Everything"}, "restart scope 'Everything'"),
    ],
)
def test_bad_events_name_their_index(raw, message):
    with pytest.raises(TimelineError, match=rf"timeline\[1\]: .*{message}") as caught:
        parse_timeline([{"at": "1m", "action": "stop"}, raw])
    assert caught.value.index == 1


def test_directory_events_change_the_tenant():
    tenant = Tenant(VirtualClock())
    alice = tenant.add_user(userPrincipalName="alice@c", displayName="Alice")
    group = tenant.add_group("Sales")
    events = parse_timeline(
        [
            {"at": "1m", "action": "assign", "user": "alice@c"},
            {
                "at": "2m",
                "action": "update",
                "user": "ALICE@c",
                "set": {"displayName": "Alicia", "mobile": None},
            },
            {"at": "3m", "action": "block", "user": alice.id},
            {
                "at": "4m",
                "action": "add_user",
                "assigned": False,
                "attributes": {"userPrincipalName": "bob@c", "displayName": "Bob"},
            },
            {"at": "5m", "action": "add_member", "group": "Sales", "member": "bob@c"},
            {"at": "6m", "action": "assign", "group": group.id},
            {"at": "7m", "action": "soft_delete", "user": "alice@c"},
            {"at": "8m", "action": "restore", "user": "alice@c"},
            {"at": "9m", "action": "hard_delete", "user": "alice@c"},
        ]
    )
    for event in events:
        apply_directory_event(tenant, event)
    bob = tenant.find_user("bob@c")
    assert alice.attributes["displayName"] == "Alicia" and alice.attributes["accountEnabled"] is False
    assert alice.hard_deleted
    assert tenant.in_scope(bob.id)


def test_admin_actions_are_left_to_the_engine_and_unknown_users_are_clear_errors():
    tenant = Tenant(VirtualClock())
    stop, block = parse_timeline(
        [{"at": "1m", "action": "stop"}, {"at": "2m", "action": "block", "user": "x@c"}]
    )
    with pytest.raises(TimelineError, match="admin action"):
        apply_directory_event(tenant, stop)
    with pytest.raises(
        TimelineError, match=r"timeline\[1\]: block: no user with id or userPrincipalName 'x@c'"
    ):
        apply_directory_event(tenant, block)


def test_to_dict_round_trips():
    raw = [
        {"at": "2h", "action": "update", "user": "a@c", "set": {"displayName": "X"}},
        {"at": "1d", "action": "restart", "scope": "Full"},
        {"at": "3d", "action": "unassign", "group": "Sales"},
    ]
    events = parse_timeline(raw)
    assert [e.to_dict() for e in events] == raw
