"""The /Users endpoint as Entra uses it, through real HTTP on loopback."""

from __future__ import annotations

import httpx

from tests.emulator.conftest import USER_SCHEMA, assert_scim_error, create, new_user, patch

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def entra_post_body(login: str) -> dict:
    """The body Entra's docs show for a create, enterprise extension and misspelt URN included."""
    return {
        "schemas": [USER_SCHEMA, ENTERPRISE, "urn:ietf:params:scim:schemas:extension:enterprise:2.0User"],
        "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        "userName": login,
        "active": True,
        "displayName": "Test User",
        "title": "Engineer",
        "emails": [{"primary": True, "type": "work", "value": "test.user@example.com"}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "Given Family", "familyName": "Family", "givenName": "Given"},
        "roles": [],
        "phoneNumbers": [{"type": "mobile", "value": "+1 555 0100"}],
        ENTERPRISE: {"department": "Sales", "employeeNumber": "42"},
    }


def test_create_keeps_kintone_fields_and_ignores_the_rest(scim: httpx.Client) -> None:
    response = scim.post("/Users", json=entra_post_body("Test.User@example.com"))
    assert response.status_code == 201, response.text
    assert response.headers["content-type"].startswith("application/scim+json")
    created = response.json()
    assert response.headers["location"].endswith(f"/Users/{created['id']}")
    fetched = scim.get(f"/Users/{created['id']}").json()
    for user in (created, fetched):
        assert user["userName"] == "Test.User@example.com"
        assert user["displayName"] == "Test User"
        assert user["name"] == {"familyName": "Family", "givenName": "Given"}
        assert user["emails"] == [{"value": "test.user@example.com", "type": "work", "primary": True}]
        assert user["active"] is True
        assert user["externalId"] == "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"
        for ignored in ("title", "phoneNumbers", "roles", ENTERPRISE):
            assert ignored not in user
        assert user["schemas"] == [USER_SCHEMA]


def test_filter_on_user_name_is_case_insensitive(scim: httpx.Client) -> None:
    created = create(scim, "Alice@Example.com")
    # Entra's wire form: spaces as +, quotes as %22.
    response = scim.get("/Users?filter=userName+eq+%22alice%40example.COM%22")
    assert response.status_code == 200
    body = response.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]
    assert body["totalResults"] == 1
    assert body["Resources"][0]["id"] == created["id"]


def test_filter_without_match_is_an_empty_list_response_not_404(scim: httpx.Client) -> None:
    create(scim, "someone")
    response = scim.get("/Users", params={"filter": 'userName eq "7d420df3-9995-4831-a406-ecf8166f5f6a"'})
    assert response.status_code == 200
    assert response.json()["totalResults"] == 0
    assert response.json()["Resources"] == []


def test_filter_with_and_and_external_id(scim: httpx.Client) -> None:
    create(scim, "bob", externalId="ext-bob")
    create(scim, "carol", externalId="ext-carol", active=False)
    both = scim.get("/Users", params={"filter": 'externalId eq "ext-carol" and active eq false'}).json()
    assert [u["userName"] for u in both["Resources"]] == ["carol"]
    none = scim.get("/Users", params={"filter": 'userName eq "carol" and active eq true'}).json()
    assert none["totalResults"] == 0


def test_inactive_users_are_still_found(scim: httpx.Client) -> None:
    create(scim, "sleepy", active=False)
    found = scim.get("/Users", params={"filter": 'userName eq "sleepy"'}).json()
    assert found["totalResults"] == 1
    assert found["Resources"][0]["active"] is False


def test_pagination_with_start_index_and_count(scim: httpx.Client) -> None:
    for number in range(5):
        create(scim, f"user{number}")
    page = scim.get("/Users", params={"startIndex": 2, "count": 2}).json()
    assert page["totalResults"] == 5
    assert page["startIndex"] == 2
    assert page["itemsPerPage"] == 2
    assert [u["userName"] for u in page["Resources"]] == ["user1", "user2"]
    okta_probe = scim.get("/Users", params={"startIndex": 1, "count": 0}).json()
    assert okta_probe["totalResults"] == 5
    assert okta_probe.get("Resources", []) == []


def test_attributes_and_excluded_attributes(scim: httpx.Client) -> None:
    create(scim, "dave", displayName="Dave", emails=[{"value": "d@example.com", "type": "work"}])
    only = scim.get("/Users", params={"filter": 'userName eq "dave"', "attributes": "userName"}).json()
    assert set(only["Resources"][0]) == {"schemas", "id", "userName"}
    without = scim.get("/Users", params={"excludedAttributes": "emails,displayName"}).json()["Resources"][0]
    assert "emails" not in without and "displayName" not in without and without["userName"] == "dave"


def test_get_unknown_id_is_404(scim: httpx.Client) -> None:
    assert_scim_error(scim.get("/Users/999999"), 404)
    assert_scim_error(scim.get("/Users/not-a-number"), 404)


def test_entra_legacy_patch_capitalised_ops_and_string_boolean(scim: httpx.Client) -> None:
    user = create(scim, "erin", emails=[{"value": "old@example.com", "type": "work"}])
    response = scim.patch(
        f"/Users/{user['id']}",
        json=patch(
            {"op": "Replace", "path": "active", "value": "False"},
            {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "new@example.com"},
            {"op": "Replace", "path": "name.familyName", "value": "Family"},
            {"op": "Add", "path": f"{ENTERPRISE}:manager", "value": "271"},
            {"op": "Replace", "path": f"{ENTERPRISE}:employeeNumber", "value": "7"},
        ),
    )
    assert response.status_code in (200, 204), response.text
    after = scim.get(f"/Users/{user['id']}").json()
    assert after["active"] is False
    assert after["emails"][0]["value"] == "new@example.com"
    assert after["name"]["familyName"] == "Family"
    assert ENTERPRISE not in after
    reactivated = scim.patch(
        f"/Users/{user['id']}", json=patch({"op": "Replace", "path": "active", "value": "True"})
    )
    assert reactivated.status_code in (200, 204)
    assert scim.get(f"/Users/{user['id']}").json()["active"] is True


def test_flag_mode_patch_without_path_and_dotted_keys(scim: httpx.Client) -> None:
    user = create(scim, "frank")
    response = scim.patch(
        f"/Users/{user['id']}",
        json=patch(
            {"op": "replace", "path": 'emails[type eq "work"].value', "value": "frank@example.com"},
            {
                "op": "replace",
                "value": {
                    "displayName": "Frank",
                    "name.givenName": "Fr",
                    "name.familyName": "Ank",
                    f"{ENTERPRISE}:employeeNumber": "9",
                },
            },
            {"op": "replace", "path": "active", "value": False},
        ),
    )
    assert response.status_code in (200, 204), response.text
    after = scim.get(f"/Users/{user['id']}").json()
    assert after["displayName"] == "Frank"
    assert after["name"] == {"givenName": "Fr", "familyName": "Ank"}
    # The work e-mail did not exist: Entra expects the filtered element to be created.
    assert after["emails"] == [{"value": "frank@example.com", "type": "work", "primary": True}]
    assert after["active"] is False


def test_patch_only_on_ignored_attributes_answers_the_unchanged_user(scim: httpx.Client) -> None:
    user = create(scim, "gina", displayName="Gina")
    response = scim.patch(
        f"/Users/{user['id']}",
        json=patch(
            {"op": "Replace", "path": "title", "value": "Boss"},
            {"op": "Add", "path": "nickName", "value": "G"},
        ),
    )
    assert response.status_code == 200
    assert response.json()["displayName"] == "Gina"
    assert "title" not in scim.get(f"/Users/{user['id']}").json()


def test_put_replaces_the_kintone_fields(scim: httpx.Client) -> None:
    user = create(scim, "hank", displayName="Hank", name={"givenName": "H"})
    response = scim.put(f"/Users/{user['id']}", json=new_user("hank", displayName="Henry", active=False))
    assert response.status_code == 200, response.text
    after = scim.get(f"/Users/{user['id']}").json()
    assert after["displayName"] == "Henry" and after["active"] is False and "name" not in after


def test_delete_removes_the_user(scim: httpx.Client) -> None:
    user = create(scim, "ivan")
    response = scim.delete(f"/Users/{user['id']}")
    assert response.status_code == 204
    assert_scim_error(scim.get(f"/Users/{user['id']}"), 404)
    # A SCIM delete is not an administrator's deletion: the same login can be provisioned again.
    create(scim, "ivan")


def test_duplicate_login_name_is_409_uniqueness(scim: httpx.Client) -> None:
    create(scim, "jane")
    assert_scim_error(scim.post("/Users", json=new_user("JANE")), 409, "uniqueness")
    assert scim.get("/Users").json()["totalResults"] == 1


def test_discovery_describes_exactly_the_user_resource(scim: httpx.Client) -> None:
    config = scim.get("/ServiceProviderConfig").json()
    assert config["patch"]["supported"] is True and config["filter"]["supported"] is True
    assert config["bulk"]["supported"] is False and config["sort"]["supported"] is False
    assert config["etag"]["supported"] is False and config["changePassword"]["supported"] is False
    types = scim.get("/ResourceTypes").json()
    assert [t["name"] for t in types["Resources"]] == ["User"]
    schemas = scim.get("/Schemas").json()["Resources"]
    assert [s["id"] for s in schemas] == [USER_SCHEMA]
    attributes = {a["name"] for a in schemas[0]["attributes"]}
    assert attributes == {"userName", "name", "displayName", "active", "emails"}


def test_groups_answer_a_scim_error(scim: httpx.Client) -> None:
    assert_scim_error(scim.get("/Groups", params={"excludedAttributes": "members"}), 404)
    assert_scim_error(scim.post("/Groups", json={"displayName": "Sales"}), 404)


def test_bad_requests_are_400_with_the_right_scim_type_never_500(scim: httpx.Client) -> None:
    headers = {"Content-Type": "application/scim+json"}
    assert_scim_error(scim.post("/Users", content=b"{not json", headers=headers), 400, "invalidSyntax")
    assert_scim_error(scim.post("/Users", content=b"[1, 2]", headers=headers), 400)
    assert_scim_error(
        scim.post("/Users", json={"schemas": ["urn:example:unknown"], "userName": "x"}), 400, "invalidSyntax"
    )
    assert_scim_error(
        scim.post("/Users", json={"schemas": [USER_SCHEMA, "urn:example:ext"], "userName": "x"}),
        400,
        "invalidSyntax",
    )
    assert_scim_error(scim.post("/Users", json=new_user("x", favouriteColour="blue")), 400, "invalidSyntax")
    assert_scim_error(scim.post("/Users", json={"schemas": [USER_SCHEMA]}), 400)
    assert_scim_error(scim.get("/Users", params={"filter": "userName eq"}), 400, "invalidFilter")
    assert_scim_error(scim.get("/Users", params={"filter": 'userName xx "a"'}), 400, "invalidFilter")
    user = create(scim, "kate")
    assert_scim_error(
        scim.patch(f"/Users/{user['id']}", json=patch({"op": "replace", "path": "emails[[", "value": 1})),
        400,
        "invalidPath",
    )
    assert_scim_error(
        scim.patch(f"/Users/{user['id']}", json=patch({"op": "replace", "path": "shoeSize", "value": 1})),
        400,
        "invalidPath",
    )
    assert_scim_error(
        scim.patch(f"/Users/{user['id']}", json=patch({"op": "explode", "path": "active"})), 400
    )
    assert scim.get("/Users").json()["totalResults"] == 1


def test_too_large_body_is_refused(scim: httpx.Client) -> None:
    body = new_user("big", displayName="x" * 1_100_000)
    assert_scim_error(scim.post("/Users", json=body), 413)
    assert scim.get("/Users").json()["totalResults"] == 0


def test_every_answer_is_scim_json(scim: httpx.Client) -> None:
    user = create(scim, "lara")
    for response in (
        scim.get("/Users"),
        scim.get(f"/Users/{user['id']}"),
        scim.get("/Schemas"),
        scim.get("/Nowhere"),
        scim.get("/Users", headers={"Authorization": "Bearer wrong"}),
    ):
        assert response.headers["content-type"].startswith("application/scim+json"), response.request.url


def test_create_accepts_active_as_a_string(scim: httpx.Client) -> None:
    user = create(scim, "nora", active="False")
    assert user["active"] is False


def test_unauthorized_answers_carry_a_bearer_challenge(scim: httpx.Client) -> None:
    response = scim.get("/Users", headers={"Authorization": "Bearer nope"})
    assert_scim_error(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_non_json_content_type_is_415(scim: httpx.Client) -> None:
    response = scim.post("/Users", content=b"userName=x", headers={"Content-Type": "text/plain"})
    assert_scim_error(response, 415)


def test_patch_of_whole_name_or_emails_drops_the_parts_kintone_ignores(scim: httpx.Client) -> None:
    user = create(scim, "otto")
    response = scim.patch(
        f"/Users/{user['id']}",
        json=patch(
            {
                "op": "replace",
                "path": "name",
                "value": {"givenName": "O", "formatted": "O T", "middleName": "M"},
            },
            {
                "op": "add",
                "path": "emails",
                "value": [{"value": "o@example.com", "type": "work", "display": "O"}],
            },
        ),
    )
    assert response.status_code in (200, 204), response.text
    after = scim.get(f"/Users/{user['id']}").json()
    assert after["name"] == {"givenName": "O"}
    assert after["emails"] == [{"value": "o@example.com", "type": "work", "primary": True}]
