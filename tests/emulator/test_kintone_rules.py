"""Kintone's documented rules, each enforced, and each refusal leaving the data exactly as it was."""

from __future__ import annotations

import httpx

from scim_harness.emulator.admin_client import AdminClient
from tests.emulator.conftest import assert_scim_error, create, new_user, patch


def test_login_name_cannot_be_changed_by_patch_and_the_user_is_unchanged(scim: httpx.Client) -> None:
    user = create(scim, "mia", displayName="Mia")
    before = scim.get(f"/Users/{user['id']}").json()
    response = scim.patch(
        f"/Users/{user['id']}",
        json=patch(
            {"op": "Replace", "path": "displayName", "value": "Renamed"},
            {"op": "Replace", "path": "userName", "value": "mia.new"},
        ),
    )
    assert_scim_error(response, 400, "mutability")
    assert scim.get(f"/Users/{user['id']}").json() == before
    assert scim.get("/Users", params={"filter": 'userName eq "mia.new"'}).json()["totalResults"] == 0


def test_login_name_cannot_be_changed_by_put_and_the_user_is_unchanged(scim: httpx.Client) -> None:
    user = create(scim, "ned", displayName="Ned")
    before = scim.get(f"/Users/{user['id']}").json()
    response = scim.put(f"/Users/{user['id']}", json=new_user("ned.new", displayName="Other"))
    assert_scim_error(response, 400, "mutability")
    assert scim.get(f"/Users/{user['id']}").json() == before


def test_same_login_name_in_other_case_is_not_a_change(scim: httpx.Client) -> None:
    user = create(scim, "Olga")
    response = scim.patch(
        f"/Users/{user['id']}", json=patch({"op": "Replace", "path": "userName", "value": "olga"})
    )
    assert response.status_code in (200, 204)
    assert scim.get(f"/Users/{user['id']}").json()["userName"] == "Olga"


def test_user_deleted_by_admin_is_not_recreated_until_propagation_is_toggled(
    scim: httpx.Client, admin: AdminClient
) -> None:
    create(scim, "pete")
    admin.delete_users(["pete"])
    assert_scim_error(scim.post("/Users", json=new_user("PETE")), 409, "uniqueness")
    assert scim.get("/Users", params={"filter": 'userName eq "pete"'}).json()["totalResults"] == 0
    assert admin.list_users(["pete"]) == []
    # Toggling on -> on does nothing; off -> on lifts the block.
    admin.propagation(True)
    assert_scim_error(scim.post("/Users", json=new_user("pete")), 409)
    admin.propagation(False)
    admin.propagation(True)
    assert scim.post("/Users", json=new_user("pete")).status_code == 201


def test_admin_deleting_a_user_provisioning_never_touched_leaves_no_block(
    scim: httpx.Client, admin: AdminClient
) -> None:
    admin.add_user("quinn", "Quinn", "pw")
    admin.delete_users(["quinn"])
    assert scim.post("/Users", json=new_user("quinn")).status_code == 201


def test_propagation_off_refuses_every_write_and_changes_nothing(
    scim: httpx.Client, admin: AdminClient
) -> None:
    user = create(scim, "rita", displayName="Rita")
    before = scim.get(f"/Users/{user['id']}").json()
    admin.propagation(False)
    assert_scim_error(scim.post("/Users", json=new_user("sam")), 403)
    assert_scim_error(
        scim.patch(f"/Users/{user['id']}", json=patch({"op": "Replace", "path": "active", "value": "False"})),
        403,
    )
    assert_scim_error(scim.put(f"/Users/{user['id']}", json=new_user("rita", displayName="X")), 403)
    assert_scim_error(scim.delete(f"/Users/{user['id']}"), 403)
    # Reads still work, so Test Connection and matching still see the users.
    assert scim.get(f"/Users/{user['id']}").json() == before
    assert scim.get("/Users").json()["totalResults"] == 1
    admin.propagation(True)
    assert scim.get("/Users", params={"filter": 'userName eq "sam"'}).json()["totalResults"] == 0


def test_admin_created_users_are_found_and_adopted(scim: httpx.Client, admin: AdminClient) -> None:
    admin.add_user("tom", "Tom", "pw", email="tom@example.com", surName="T")
    found = scim.get("/Users", params={"filter": 'userName eq "TOM"'}).json()
    assert found["totalResults"] == 1
    user = found["Resources"][0]
    assert user["displayName"] == "Tom" and user["emails"][0]["value"] == "tom@example.com"
    response = scim.patch(
        f"/Users/{user['id']}", json=patch({"op": "Replace", "path": "displayName", "value": "Thomas"})
    )
    assert response.status_code in (200, 204)
    assert admin.list_users(["tom"])[0]["name"] == "Thomas"
    # Creating it again instead of adopting it is a conflict.
    assert_scim_error(scim.post("/Users", json=new_user("tom")), 409, "uniqueness")
    # Adopted means provisioned: an admin deletion now blocks re-creation.
    admin.delete_users(["tom"])
    assert_scim_error(scim.post("/Users", json=new_user("tom")), 409)


def test_field_limits_of_kintone(scim: httpx.Client) -> None:
    assert_scim_error(scim.post("/Users", json=new_user("x" * 129)), 400, "invalidValue")
    assert_scim_error(scim.post("/Users", json=new_user("   ")), 400, "invalidValue")
    assert_scim_error(scim.post("/Users", json=new_user("ok", displayName="d" * 129)), 400, "invalidValue")
    assert_scim_error(
        scim.post("/Users", json=new_user("ok", name={"familyName": "f" * 65})), 400, "invalidValue"
    )
    assert_scim_error(
        scim.post("/Users", json=new_user("ok", name={"givenName": "g" * 65})), 400, "invalidValue"
    )
    assert scim.get("/Users").json()["totalResults"] == 0
    user = create(
        scim, "x" * 128, displayName="d" * 128, name={"familyName": "f" * 64, "givenName": "g" * 64}
    )
    before = scim.get(f"/Users/{user['id']}").json()
    too_long = patch({"op": "Replace", "path": "displayName", "value": "d" * 129})
    assert_scim_error(scim.patch(f"/Users/{user['id']}", json=too_long), 400, "invalidValue")
    assert scim.get(f"/Users/{user['id']}").json() == before


def test_departments_titles_and_enterprise_attributes_are_not_stored(scim: httpx.Client) -> None:
    enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    user = create(scim, "uma", title="CTO", **{enterprise: {"department": "R&D"}})
    scim.patch(
        f"/Users/{user['id']}",
        json=patch({"op": "Replace", "path": f"{enterprise}:department", "value": "X"}),
    )
    stored = scim.get(f"/Users/{user['id']}").json()
    assert "title" not in stored and enterprise not in stored
    assert stored["schemas"] == ["urn:ietf:params:scim:schemas:core:2.0:User"]
