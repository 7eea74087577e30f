"""Helpers for the generic profile's tests (its fixtures are in conftest.py)."""

from __future__ import annotations

import httpx

GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
MS_GROUP_SCHEMA = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def entra_group(name: str) -> dict[str, object]:
    """The group create Entra's docs show (entra-provisioning.md §7)."""
    return {
        "schemas": [GROUP_SCHEMA, MS_GROUP_SCHEMA],
        "externalId": f"ext-{name}",
        "displayName": name,
        "meta": {"resourceType": "Group"},
    }


def create_group(scim: httpx.Client, name: str) -> dict:
    response = scim.post("/Groups", json=entra_group(name))
    assert response.status_code == 201, response.text
    return response.json()


def legacy_add(*user_ids: str) -> dict[str, object]:
    value = [{"$ref": None, "value": user_id} for user_id in user_ids]
    return {"op": "Add", "path": "members", "value": value}


def legacy_remove(*user_ids: str) -> dict[str, object]:
    return {"op": "Remove", "path": "members", "value": [{"$ref": None, "value": u} for u in user_ids]}


def compliant_remove(user_id: str) -> dict[str, object]:
    return {"op": "remove", "path": f'members[value eq "{user_id}"]'}


def member_ids(scim: httpx.Client, group: dict) -> list[str]:
    body = scim.get(f"/Groups/{group['id']}").json()
    return [member["value"] for member in body.get("members", [])]
