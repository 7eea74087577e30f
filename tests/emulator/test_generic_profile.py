"""The generic profile is a correct SCIM 2.0 service (RFC 7643/7644) with everything Entra needs, over HTTP:
one rule per test."""

from __future__ import annotations

import httpx
import pytest

from scim_harness.emulator.admin_client import AdminClient
from tests.emulator.conftest import USER_SCHEMA, assert_scim_error, create, new_user, patch
from tests.emulator.generic_fixtures import (
    ENTERPRISE,
    compliant_remove,
    create_group,
    legacy_add,
    legacy_remove,
    member_ids,
)


class TestGenericUsers:
    def test_create_answers_201_with_the_id_and_its_location(self, gscim: httpx.Client) -> None:
        response = gscim.post("/Users", json=new_user("ada@example.com"))
        assert response.status_code == 201
        user = response.json()
        assert user["id"] and response.headers["location"] == user["meta"]["location"]
        assert user["meta"]["location"].endswith(f"/Users/{user['id']}")

    def test_entras_documented_create_body_is_taken(self, gscim: httpx.Client) -> None:
        body = {
            **new_user("test_user@example.com", externalId="0a21f0f2", title="Engineer", roles=[]),
            "schemas": [USER_SCHEMA, ENTERPRISE, "urn:ietf:params:scim:schemas:extension:enterprise:2.0User"],
            "meta": {"resourceType": "User"},
            "name": {"formatted": "Given Family", "familyName": "Family", "givenName": "Given"},
            ENTERPRISE: {"department": "Sales"},
        }
        response = gscim.post("/Users", json=body)
        assert response.status_code == 201, response.text
        user = response.json()
        assert user["title"] == "Engineer" and user[ENTERPRISE]["department"] == "Sales"

    def test_a_duplicate_user_name_in_any_case_is_409_uniqueness(self, gscim: httpx.Client) -> None:
        create(gscim, "bob@example.com")
        assert_scim_error(gscim.post("/Users", json=new_user("BOB@example.com")), 409, "uniqueness")

    def test_the_user_name_filter_ignores_case(self, gscim: httpx.Client) -> None:
        user = create(gscim, "Carol@Example.com")
        found = gscim.get("/Users?filter=userName+eq+%22carol%40example.COM%22").json()
        assert [r["id"] for r in found["Resources"]] == [user["id"]]

    def test_no_match_is_200_with_an_empty_list_response(self, gscim: httpx.Client) -> None:
        response = gscim.get("/Users", params={"filter": 'userName eq "7d420df3-9995-4831-a406"'})
        assert response.status_code == 200
        assert response.json()["totalResults"] == 0 and response.json()["Resources"] == []

    def test_the_external_id_filter(self, gscim: httpx.Client) -> None:
        user = create(gscim, "dan", externalId="ext-dan")
        found = gscim.get("/Users", params={"filter": 'externalId eq "ext-dan"'}).json()
        assert [r["id"] for r in found["Resources"]] == [user["id"]]

    def test_an_unknown_id_is_404_with_a_scim_error(self, gscim: httpx.Client) -> None:
        assert_scim_error(gscim.get("/Users/no-such-id"), 404)

    def test_delete_answers_204_and_the_user_is_then_404(self, gscim: httpx.Client) -> None:
        user = create(gscim, "erin")
        assert gscim.delete(f"/Users/{user['id']}").status_code == 204
        assert_scim_error(gscim.get(f"/Users/{user['id']}"), 404)

    def test_legacy_patch_capitalised_ops_and_string_booleans(self, gscim: httpx.Client) -> None:
        user = create(gscim, "fay")
        operations = [{"op": "Replace", "path": "active", "value": "False"}]
        assert gscim.patch(f"/Users/{user['id']}", json=patch(*operations)).status_code == 204
        assert gscim.get(f"/Users/{user['id']}").json()["active"] is False

    def test_a_value_filter_path_matching_nothing_creates_the_element(self, gscim: httpx.Client) -> None:
        user = create(gscim, "gus")
        operations = [
            {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "gus@example.com"},
            {"op": "Add", "path": 'phoneNumbers[type eq "mobile"].value', "value": "+1 555 0100"},
        ]
        assert gscim.patch(f"/Users/{user['id']}", json=patch(*operations)).status_code == 204
        after = gscim.get(f"/Users/{user['id']}").json()
        assert after["emails"] == [{"value": "gus@example.com", "type": "work"}]
        assert after["phoneNumbers"] == [{"value": "+1 555 0100", "type": "mobile"}]

    def test_a_pathless_replace_with_dotted_keys(self, gscim: httpx.Client) -> None:
        user = create(gscim, "hal")
        value = {"displayName": "Hal", "name.givenName": "H", f"{ENTERPRISE}:employeeNumber": "7"}
        assert (
            gscim.patch(f"/Users/{user['id']}", json=patch({"op": "replace", "value": value})).status_code
            == 204
        )
        after = gscim.get(f"/Users/{user['id']}").json()
        assert after["displayName"] == "Hal" and after["name"] == {"givenName": "H"}
        assert after[ENTERPRISE]["employeeNumber"] == "7"

    def test_the_manager_as_a_bare_id(self, gscim: httpx.Client) -> None:
        boss, user = create(gscim, "boss"), create(gscim, "ivy")
        operation = {"op": "Add", "path": f"{ENTERPRISE}:manager", "value": boss["id"]}
        assert gscim.patch(f"/Users/{user['id']}", json=patch(operation)).status_code == 204
        assert gscim.get(f"/Users/{user['id']}").json()[ENTERPRISE]["manager"]["value"] == boss["id"]

    def test_paging_with_start_index_and_count(self, gscim: httpx.Client) -> None:
        for number in range(5):
            create(gscim, f"user{number}")
        page = gscim.get("/Users", params={"startIndex": 2, "count": 2}).json()
        assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (5, 2, 2)
        assert [u["userName"] for u in page["Resources"]] == ["user1", "user2"]

    def test_error_bodies_carry_the_error_schema_and_status_as_a_string(self, gscim: httpx.Client) -> None:
        body = assert_scim_error(gscim.post("/Users", json={"schemas": [USER_SCHEMA]}), 400)
        assert isinstance(body["status"], str)

    def test_none_of_kintones_rules(self, gscim: httpx.Client, generic_admin: AdminClient) -> None:
        user = create(gscim, "jo", displayName="d" * 300)
        renamed = patch({"op": "replace", "path": "userName", "value": "jo.new"})
        assert gscim.patch(f"/Users/{user['id']}", json=renamed).status_code == 204
        assert gscim.get(f"/Users/{user['id']}").json()["userName"] == "jo.new"
        with pytest.raises(Exception, match="no Propagate Provisioning"):
            generic_admin.propagation(False)


class TestGenericGroups:
    def test_create_answers_201_for_entras_body(self, gscim: httpx.Client) -> None:
        group = create_group(gscim, "Sales")
        assert group["displayName"] == "Sales" and group["externalId"] == "ext-Sales"
        assert group["schemas"] == ["urn:ietf:params:scim:schemas:core:2.0:Group"]

    def test_filter_by_display_name_ignores_case(self, gscim: httpx.Client) -> None:
        group = create_group(gscim, "Sales")
        create_group(gscim, "Support")
        found = gscim.get(
            "/Groups", params={"filter": 'displayName eq "sales"', "excludedAttributes": "members"}
        )
        assert [g["id"] for g in found.json()["Resources"]] == [group["id"]]

    def test_filter_by_external_id(self, gscim: httpx.Client) -> None:
        group = create_group(gscim, "Sales")
        found = gscim.get("/Groups", params={"filter": 'externalId eq "ext-Sales"'}).json()
        assert [g["id"] for g in found["Resources"]] == [group["id"]]

    def test_reads_excluding_members_carry_no_members(self, gscim: httpx.Client) -> None:
        group, user = create_group(gscim, "Sales"), create(gscim, "kim")
        gscim.patch(f"/Groups/{group['id']}", json=patch(legacy_add(user["id"])))
        by_id = gscim.get(f"/Groups/{group['id']}", params={"excludedAttributes": "members"}).json()
        listed = gscim.get("/Groups", params={"excludedAttributes": "members"}).json()["Resources"]
        assert "members" not in by_id and all("members" not in g for g in listed)
        assert member_ids(gscim, group) == [user["id"]]

    def test_member_add_in_the_legacy_form_is_idempotent(self, gscim: httpx.Client) -> None:
        group, user = create_group(gscim, "Sales"), create(gscim, "lee")
        for _ in range(2):
            assert (
                gscim.patch(f"/Groups/{group['id']}", json=patch(legacy_add(user["id"]))).status_code == 204
            )
        assert member_ids(gscim, group) == [user["id"]]

    def test_several_members_in_one_patch(self, gscim: httpx.Client) -> None:
        group, one, two = create_group(gscim, "Sales"), create(gscim, "mo"), create(gscim, "ned")
        gscim.patch(f"/Groups/{group['id']}", json=patch(legacy_add(one["id"], two["id"])))
        assert member_ids(gscim, group) == [one["id"], two["id"]]

    def test_member_remove_in_the_compliant_form(self, gscim: httpx.Client) -> None:
        group, one, two = create_group(gscim, "Sales"), create(gscim, "oz"), create(gscim, "pat")
        gscim.patch(f"/Groups/{group['id']}", json=patch(legacy_add(one["id"], two["id"])))
        assert (
            gscim.patch(f"/Groups/{group['id']}", json=patch(compliant_remove(one["id"]))).status_code == 204
        )
        assert member_ids(gscim, group) == [two["id"]]

    def test_member_remove_in_the_legacy_form_removes_only_those_listed(self, gscim: httpx.Client) -> None:
        group, one, two = create_group(gscim, "Sales"), create(gscim, "quin"), create(gscim, "ray")
        gscim.patch(f"/Groups/{group['id']}", json=patch(legacy_add(one["id"], two["id"])))
        assert gscim.patch(f"/Groups/{group['id']}", json=patch(legacy_remove(one["id"]))).status_code == 204
        assert member_ids(gscim, group) == [two["id"]]

    def test_a_member_must_be_a_stored_user(self, gscim: httpx.Client) -> None:
        group = create_group(gscim, "Sales")
        assert_scim_error(gscim.patch(f"/Groups/{group['id']}", json=patch(legacy_add("nobody"))), 400)

    def test_rename(self, gscim: httpx.Client) -> None:
        group = create_group(gscim, "Sales")
        rename = patch({"op": "Replace", "path": "displayName", "value": "Revenue"})
        assert gscim.patch(f"/Groups/{group['id']}", json=rename).status_code == 204
        assert gscim.get(f"/Groups/{group['id']}").json()["displayName"] == "Revenue"

    def test_delete_answers_204_and_the_group_is_then_404(self, gscim: httpx.Client) -> None:
        group = create_group(gscim, "Sales")
        assert gscim.delete(f"/Groups/{group['id']}").status_code == 204
        assert_scim_error(gscim.get(f"/Groups/{group['id']}"), 404)

    def test_a_deleted_user_leaves_its_groups(self, gscim: httpx.Client) -> None:
        group, user = create_group(gscim, "Sales"), create(gscim, "sam")
        gscim.patch(f"/Groups/{group['id']}", json=patch(legacy_add(user["id"])))
        gscim.delete(f"/Users/{user['id']}")
        assert member_ids(gscim, group) == []


class TestGenericDiscovery:
    def test_resource_types_list_users_and_groups(self, gscim: httpx.Client) -> None:
        types = gscim.get("/ResourceTypes").json()["Resources"]
        assert sorted(t["name"] for t in types) == ["Group", "User"]

    def test_schemas_describe_user_enterprise_user_and_group(self, gscim: httpx.Client) -> None:
        ids = {s["id"] for s in gscim.get("/Schemas").json()["Resources"]}
        assert ids == {USER_SCHEMA, ENTERPRISE, "urn:ietf:params:scim:schemas:core:2.0:Group"}

    def test_the_service_provider_config_says_patch_and_filter(self, gscim: httpx.Client) -> None:
        config = gscim.get("/ServiceProviderConfig").json()
        assert config["patch"]["supported"] and config["filter"]["supported"]
        assert not config["bulk"]["supported"] and not config["etag"]["supported"]

    def test_the_profile_is_reported(self, generic_admin: AdminClient) -> None:
        info = generic_admin.profile()
        assert (info.profile, info.resource_types, info.tls) == ("generic", ["User", "Group"], False)
