"""One probe per defect: a few SCIM calls that answer True when the service behaves correctly. The test runs
each probe with its defect off (True expected) and on (False expected), over HTTP."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx

from tests.emulator.conftest import PATCH_SCHEMA, new_user

ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
# slow_answers is set to this delay, and the probe waits for at most half of it.
LATENCY_S = 4.0
PATIENCE_S = 2.0


class Probe:
    """A SCIM client on one emulator (no Accept header, like Entra's GETs) and a few shortcuts."""

    def __init__(self, scim_url: str, token: str) -> None:
        self.http = httpx.Client(base_url=scim_url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
        self.http.headers.pop("Accept", None)
        self.scim_url = scim_url

    def close(self) -> None:
        self.http.close()

    def user(self, login: str, **extra: object) -> dict:
        response = self.http.post("/Users", json=new_user(login, **extra))
        assert response.status_code in (200, 201), response.text
        return response.json()

    def group(self, name: str, *members: dict) -> dict:
        body = {"schemas": [GROUP_SCHEMA], "displayName": name, "externalId": f"ext-{name}"}
        response = self.http.post("/Groups", json=body)
        assert response.status_code == 201, response.text
        group = response.json()
        if members:
            self.patch_group(
                group, {"op": "Add", "path": "members", "value": [{"value": m["id"]} for m in members]}
            )
        return group

    def patch_user(self, user: dict, *operations: dict) -> httpx.Response:
        return self.http.patch(
            f"/Users/{user['id']}", json={"schemas": [PATCH_SCHEMA], "Operations": list(operations)}
        )

    def patch_group(self, group: dict, *operations: dict) -> httpx.Response:
        return self.http.patch(
            f"/Groups/{group['id']}", json={"schemas": [PATCH_SCHEMA], "Operations": list(operations)}
        )

    def read(self, resource: dict, endpoint: str = "Users") -> dict:
        return self.http.get(f"/{endpoint}/{resource['id']}").json()

    def found(self, scim_filter: str, endpoint: str = "Users") -> httpx.Response:
        return self.http.get(f"/{endpoint}", params={"filter": scim_filter})

    def members(self, group: dict) -> list[str]:
        return [m["value"] for m in self.read(group, "Groups").get("members", [])]


def _total(response: httpx.Response) -> int | None:
    body = response.json() if response.status_code == 200 else {}
    return body.get("totalResults")


def _page(probe: Probe, **params: str) -> httpx.Response:
    for number in range(3):
        probe.user(f"page{number}")
    return probe.http.get("/Users", params=params)


def _second_page(probe: Probe) -> bool:
    page = _page(probe, startIndex="2", count="1").json()
    return page.get("startIndex") == 2 and [u["userName"] for u in page["Resources"]] == ["page1"]


def _patched(probe: Probe, *operations: dict) -> dict | None:
    user = probe.user("patched", displayName="Before")
    response = probe.patch_user(user, *operations)
    return probe.read(user) if response.status_code in (200, 204) else None


def _display_name_replaced(probe: Probe, op: str = "replace") -> bool:
    after = _patched(probe, {"op": op, "path": "displayName", "value": "After"})
    return after is not None and after["displayName"] == "After"


def _legacy_removal(probe: Probe) -> bool:
    one, two = probe.user("one"), probe.user("two")
    group = probe.group("Sales", one, two)
    probe.patch_group(group, {"op": "Remove", "path": "members", "value": [{"value": one["id"]}]})
    return probe.members(group) == [two["id"]]


def _deleted(probe: Probe) -> bool:
    user = probe.user("gone")
    response = probe.http.delete(f"/Users/{user['id']}")
    return response.status_code == 204 and probe.http.get(f"/Users/{user['id']}").status_code == 404


def _error(probe: Probe) -> httpx.Response:
    return probe.http.get("/Users/no-such-user")


def _post_as(probe: Probe, content_type: str) -> bool:
    body = json.dumps(new_user("typed")).encode()
    return probe.http.post("/Users", content=body, headers={"Content-Type": content_type}).status_code == 201


def _answers_in_time(probe: Probe) -> bool:
    try:
        return probe.http.get("/Users", timeout=PATIENCE_S).status_code == 200
    except httpx.TimeoutException:
        return False


def _unauthorized(probe: Probe, headers: dict[str, str]) -> bool:
    with httpx.Client(base_url=probe.scim_url, timeout=10) as bare:
        return bare.get("/Users", headers=headers).status_code == 401


def _conflict(probe: Probe) -> httpx.Response:
    probe.user("twice")
    return probe.http.post("/Users", json=new_user("TWICE"))


def _found_after_creating(probe: Probe, scim_filter: str, *logins: str, **extra: object) -> bool:
    for login in logins:
        probe.user(login, **extra)
    return _total(probe.found(scim_filter)) == 1


def _group_found(probe: Probe, scim_filter: str, *names: str) -> bool:
    for name in names:
        probe.group(name)
    return _total(probe.found(scim_filter, "Groups")) == 1


def _excluded_members(probe: Probe) -> bool:
    group = probe.group("Sales", probe.user("m"))
    return (
        "members"
        not in probe.http.get(f"/Groups/{group['id']}", params={"excludedAttributes": "members"}).json()
    )


def _member_added_twice(probe: Probe) -> bool:
    user = probe.user("m")
    group = probe.group("Sales", user)
    return (
        probe.patch_group(
            group, {"op": "Add", "path": "members", "value": [{"value": user["id"]}]}
        ).status_code
        == 204
    )


def _several_members(probe: Probe) -> bool:
    return len(probe.members(probe.group("Sales", probe.user("one"), probe.user("two")))) == 2


def _compliant_removal(probe: Probe) -> bool:
    one, two = probe.user("one"), probe.user("two")
    group = probe.group("Sales", one, two)
    probe.patch_group(group, {"op": "remove", "path": f'members[value eq "{one["id"]}"]'})
    return probe.members(group) == [two["id"]]


def _renamed(probe: Probe) -> bool:
    group = probe.group("Sales")
    probe.patch_group(group, {"op": "Replace", "path": "displayName", "value": "Revenue"})
    return probe.read(group, "Groups")["displayName"] == "Revenue"


def _group_deleted(probe: Probe) -> bool:
    group = probe.group("Sales")
    deleted = probe.http.delete(f"/Groups/{group['id']}")
    return deleted.status_code == 204 and probe.http.get(f"/Groups/{group['id']}").status_code == 404


def _delete_answer(probe: Probe) -> bool:
    response = probe.http.delete(f"/Users/{probe.user('gone')['id']}")
    return response.status_code == 204 and not response.content


def _malformed_patch(probe: Probe) -> bool:
    user = probe.user("odd")
    body = {"schemas": [PATCH_SCHEMA], "Operations": "oops"}
    return probe.http.patch(f"/Users/{user['id']}", json=body).status_code == 400


def _located(probe: Probe) -> bool:
    response = probe.http.post("/Users", json=new_user("loc"))
    user = response.json()
    return (
        response.headers.get("location") == user["meta"]["location"] == f"{probe.scim_url}/Users/{user['id']}"
    )


def _groups_discovered(probe: Probe) -> bool:
    types = {t["id"] for t in probe.http.get("/ResourceTypes").json()["Resources"]}
    schemas = {s["id"] for s in probe.http.get("/Schemas").json()["Resources"]}
    return "Group" in types and GROUP_SCHEMA in schemas


def _patched_value(probe: Probe, attribute: str, *operations: dict) -> object:
    return (_patched(probe, *operations) or {}).get(attribute)


PROBES: dict[str, Callable[[Probe], bool]] = {
    # filters
    "filter_username_case_sensitive": lambda p: _found_after_creating(
        p, 'userName eq "case.user@EXAMPLE.com"', "Case.User@Example.com"
    ),
    "filter_ignored": lambda p: _found_after_creating(p, 'userName eq "a"', "a", "b"),
    "filter_no_match_404": lambda p: _total(p.found('userName eq "nobody"')) == 0,
    "filter_external_id_unsupported": lambda p: _found_after_creating(
        p, 'externalId eq "ext-x"', "x", externalId="ext-x"
    ),
    "filter_hides_inactive_users": lambda p: _found_after_creating(p, 'userName eq "zz"', "zz", active=False),
    "filter_plus_not_a_space": lambda p: (
        (p.user("plus"), _total(p.http.get("/Users?filter=userName+eq+%22plus%22")))[1] == 1
    ),
    # paging
    "paging_start_index_ignored": _second_page,
    "paging_start_index_zero_based": _second_page,
    "paging_count_ignored": lambda p: len(_page(p, count="1").json()["Resources"]) == 1,
    "paging_total_results_of_the_page": lambda p: _page(p, count="1").json()["totalResults"] == 3,
    "paging_items_per_page_missing": lambda p: _page(p, count="1").json().get("itemsPerPage") == 1,
    # PATCH forms
    "patch_capitalised_ops_refused": lambda p: _display_name_replaced(p, "Replace"),
    "patch_string_booleans_refused": lambda p: (
        _patched_value(p, "active", {"op": "Replace", "path": "active", "value": "False"}) is False
    ),
    "patch_value_filter_no_target": lambda p: (
        _patched_value(
            p, "emails", {"op": "replace", "path": 'emails[type eq "work"].value', "value": "w@example.com"}
        )
        is not None
    ),
    "patch_pathless_dotted_keys_refused": lambda p: (
        _patched_value(p, "name", {"op": "replace", "value": {"displayName": "After", "name.givenName": "G"}})
        == {"givenName": "G"}
    ),
    "patch_operations_key_lower_case_only": _display_name_replaced,
    "patch_only_first_operation": lambda p: (
        _patched_value(
            p,
            "name",
            {"op": "replace", "path": "displayName", "value": "After"},
            {"op": "replace", "path": "name.familyName", "value": "Fam"},
        )
        == {"familyName": "Fam"}
    ),
    "patch_not_applied": _display_name_replaced,
    "patch_active_ignored": lambda p: (
        _patched_value(p, "active", {"op": "replace", "path": "active", "value": False}) is False
    ),
    "patch_email_replace_drops_type": lambda p: (
        _patched_value(
            p,
            "emails",
            {"op": "add", "path": "emails", "value": [{"value": "a@example.com", "type": "work"}]},
            {"op": "replace", "path": 'emails[type eq "work"].value', "value": "b@example.com"},
        )
        == [{"value": "b@example.com", "type": "work"}]
    ),
    "patch_refused_put_only": _display_name_replaced,
    # groups and membership
    "group_filter_case_sensitive": lambda p: _group_found(p, 'displayName eq "sales"', "Sales"),
    "group_filter_ignored": lambda p: _group_found(p, 'displayName eq "Sales"', "Sales", "Support"),
    "group_excluded_members_ignored": _excluded_members,
    "group_member_add_not_idempotent": _member_added_twice,
    "group_member_add_only_first": _several_members,
    "group_compliant_member_remove_ignored": _compliant_removal,
    "group_legacy_member_remove_ignored": _legacy_removal,
    "group_legacy_member_remove_removes_all": _legacy_removal,
    "group_rename_ignored": _renamed,
    "group_delete_refused": _group_deleted,
    # status codes
    "create_200_instead_of_201": lambda p: p.http.post("/Users", json=new_user("new")).status_code == 201,
    "create_without_id": lambda p: bool(p.http.post("/Users", json=new_user("new")).json().get("id")),
    "duplicate_username_created": lambda p: _conflict(p).status_code == 409,
    "conflict_without_uniqueness": lambda p: _conflict(p).json().get("scimType") == "uniqueness",
    "delete_200_with_body": _delete_answer,
    "delete_not_applied": _deleted,
    "read_after_delete_returns_user": _deleted,
    "unknown_attribute_500": lambda p: (
        p.http.post("/Users", json=new_user("odd", favouriteColour="blue")).status_code == 400
    ),
    "malformed_patch_500": _malformed_patch,
    "location_wrong": _located,
    # media type
    "responses_plain_json": lambda p: (
        p.http.get("/Users").headers["content-type"].startswith("application/scim+json")
    ),
    "errors_as_html": lambda p: _error(p).headers["content-type"].startswith("application/scim+json"),
    "scim_json_requests_refused": lambda p: _post_as(p, "application/scim+json"),
    "charset_parameter_refused": lambda p: _post_as(p, "application/scim+json; charset=utf-8"),
    "accept_header_required": lambda p: p.http.get("/Users").status_code == 200,
    # error bodies
    "error_without_schema": lambda p: ERROR_SCHEMA in _error(p).json().get("schemas", []),
    "error_status_integer": lambda p: _error(p).json().get("status") == "404",
    "error_without_body": lambda p: "detail" in (_error(p).json() if _error(p).content else {}),
    # authentication
    "any_bearer_token_accepted": lambda p: _unauthorized(p, {"Authorization": "Bearer not-the-token"}),
    "missing_token_accepted": lambda p: _unauthorized(p, {}),
    "bad_token_403": lambda p: _unauthorized(p, {"Authorization": "Bearer not-the-token"}),
    # latency
    "slow_answers": _answers_in_time,
    "users_never_answer": _answers_in_time,
    "throttled_without_retry_after": lambda p: all(p.http.get("/Users").status_code == 200 for _ in range(4)),
    # discovery
    "service_provider_config_404": lambda p: p.http.get("/ServiceProviderConfig").status_code == 200,
    "resource_types_404": lambda p: p.http.get("/ResourceTypes").status_code == 200,
    "resource_types_without_groups": _groups_discovered,
    "schemas_404": lambda p: p.http.get("/Schemas").status_code == 200,
}
