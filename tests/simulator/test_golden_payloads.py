"""Payload rules beyond the documented examples: how the dialect rules combine (our readings, see docs)."""

from __future__ import annotations

from scim_harness.common.scim_wire import Dialect
from scim_harness.simulator.payloads import PATCH_SCHEMA, user_create_body, user_patch_body
from scim_harness.simulator.scim_paths import Change, diff_user

WORK = 'emails[type eq "work"].value'


def test_compliant_patch_orders_active_then_filter_ops_then_adds_then_one_merged_replace() -> None:
    changes = [
        Change("Replace", "displayName", "a", "B"),
        Change("Add", "nickName", None, "Babs"),
        Change("Replace", WORK, "x@y", "b@y"),
        Change("Replace", "active", "False", "True"),
    ]
    assert user_patch_body(changes, Dialect.COMPLIANT) == {
        "schemas": [PATCH_SCHEMA],
        "Operations": [
            {"op": "replace", "path": "active", "value": True},  # never merged: the documented form
            {"op": "replace", "path": WORK, "value": "b@y"},
            {"op": "add", "path": "nickName", "value": "Babs"},
            {"op": "replace", "path": "displayName", "value": "B"},
        ],
    }
    legacy = user_patch_body(changes, Dialect.LEGACY)["Operations"]
    assert [op["op"] for op in legacy] == ["Replace", "Add", "Replace", "Replace"]
    assert legacy[3] == {"op": "Replace", "path": "active", "value": "True"}


def test_diff_compares_active_as_a_boolean_and_reads_nested_paths() -> None:
    current = {
        "active": "true",
        "name": {"givenName": "A"},
        "emails": [{"type": "other", "value": "o@x"}],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Sales"},
    }
    desired = {
        "active": "True",
        "name.givenName": "A",
        WORK: "w@x",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Sales",
    }
    assert diff_user(desired, current, add_when_missing=True) == [Change("Add", WORK, None, "w@x")]


def test_create_body_nests_every_path_kind() -> None:
    body = user_create_body(
        {
            "userName": "u",
            "active": "False",
            'addresses[type eq "work"].locality': "Tokyo",
            'addresses[type eq "work"].postalCode': "100",
            'phoneNumbers[type eq "mobile"].value': "090",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Sales",
            "title": None,
        }
    )
    assert body["active"] is False and "title" not in body
    assert body["addresses"] == [{"primary": True, "type": "work", "locality": "Tokyo", "postalCode": "100"}]
    assert body["phoneNumbers"] == [{"type": "mobile", "value": "090"}]
    assert body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"] == {"department": "Sales"}
