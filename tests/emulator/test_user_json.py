"""The one writer of the User JSON (emulator/user_json.py), over HTTP: one rule per test."""

from __future__ import annotations

import httpx
import pytest

from tests.emulator.conftest import USER_SCHEMA, create, patch


@pytest.fixture
def ada(scim: httpx.Client) -> dict:
    return create(
        scim,
        "Ada",
        externalId="ext-ada",
        displayName="Ada L",
        name={"familyName": "Lovelace", "givenName": "Ada"},
        emails=[{"value": "ada@example.com", "type": "work"}],
    )


def get(scim: httpx.Client, user: dict, **params: str) -> dict:
    response = scim.get(f"/Users/{user['id']}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


class TestTheUserJson:
    def test_keys_come_in_the_schemas_order(self, scim: httpx.Client, ada: dict) -> None:
        keys = ["schemas", "id", "externalId", "meta", "userName", "name", "displayName", "active", "emails"]
        assert list(get(scim, ada)) == keys

    def test_absent_values_are_left_out(self, scim: httpx.Client) -> None:
        bare = create(scim, "bare")
        assert list(bare) == ["schemas", "id", "meta", "userName", "active"]

    def test_meta_has_no_version_and_the_location_is_the_users_url(
        self, scim: httpx.Client, ada: dict
    ) -> None:
        meta = get(scim, ada)["meta"]
        assert set(meta) == {"resourceType", "created", "lastModified", "location"}
        assert meta["location"] == f"{scim.base_url}/Users/{ada['id']}".replace("//Users", "/Users")

    def test_the_one_email_is_the_primary_work_address(self, scim: httpx.Client, ada: dict) -> None:
        assert get(scim, ada)["emails"] == [{"value": "ada@example.com", "type": "work", "primary": True}]

    def test_every_answer_carrying_the_user_writes_the_same_json(self, scim: httpx.Client, ada: dict) -> None:
        by_id = get(scim, ada)
        found = scim.get("/Users", params={"filter": 'userName eq "ada"'}).json()["Resources"]
        listed = scim.get("/Users", params={"startIndex": 1}).json()["Resources"]
        put = scim.put(f"/Users/{ada['id']}", json={"schemas": [USER_SCHEMA], **{k: by_id[k] for k in by_id
                       if k not in ("schemas", "id", "meta")}}).json()  # fmt: skip
        assert ada == by_id == found[0] == listed[0] == put


class TestProjection:
    def test_attributes_keep_schemas_id_and_the_named_ones(self, scim: httpx.Client, ada: dict) -> None:
        assert get(scim, ada, attributes="userName") == {
            "schemas": [USER_SCHEMA],
            "id": ada["id"],
            "userName": "Ada",
        }

    def test_a_sub_attribute_keeps_only_that_part(self, scim: httpx.Client, ada: dict) -> None:
        body = get(scim, ada, attributes="name.givenName,emails.value")
        assert body["name"] == {"givenName": "Ada"} and body["emails"] == [{"value": "ada@example.com"}]

    def test_names_ignore_case_and_may_carry_the_schema_urn(self, scim: httpx.Client, ada: dict) -> None:
        body = get(scim, ada, attributes=f"{USER_SCHEMA}:DISPLAYNAME")
        assert body == {"schemas": [USER_SCHEMA], "id": ada["id"], "displayName": "Ada L"}

    def test_excluded_attributes_are_left_out_but_never_the_id(self, scim: httpx.Client, ada: dict) -> None:
        body = get(scim, ada, excludedAttributes="emails,id,displayName")
        assert "emails" not in body and "displayName" not in body and body["id"] == ada["id"]

    def test_an_excluded_sub_attribute_leaves_the_rest(self, scim: httpx.Client, ada: dict) -> None:
        body = get(scim, ada, excludedAttributes="name.givenName,meta.location")
        assert body["name"] == {"familyName": "Lovelace"} and "location" not in body["meta"]

    def test_search_results_are_projected_alike(self, scim: httpx.Client, ada: dict) -> None:
        found = scim.get("/Users", params={"filter": 'userName eq "ada"', "attributes": "active"}).json()
        assert found["Resources"] == [{"schemas": [USER_SCHEMA], "id": ada["id"], "active": True}]

    def test_a_patch_asked_for_attributes_answers_them(self, scim: httpx.Client, ada: dict) -> None:
        response = scim.patch(
            f"/Users/{ada['id']}",
            params={"attributes": "displayName"},
            json=patch({"op": "replace", "path": "displayName", "value": "Countess"}),
        )
        assert response.status_code == 200
        assert response.json() == {"schemas": [USER_SCHEMA], "id": ada["id"], "displayName": "Countess"}
