"""Every unpublished choice is configurable: a different reading changes what the emulator answers."""

from __future__ import annotations

import httpx
import pytest

from scim_harness.emulator.admin_client import AdminClient
from scim_harness.emulator.assumptions import Assumptions, ScimRefusal
from scim_harness.emulator.config import EmulatorConfig
from scim_harness.emulator.server import EmulatorServer
from tests.emulator.conftest import SEED_TOKEN, TIMEOUT_S, new_user

PASSWORD = "pw-assumptions"


def test_other_readings_of_the_unpublished_answers() -> None:
    assumptions = Assumptions.from_dict(
        {
            "deleted_user_create": {"status": 412, "scim_type": None, "detail": "deleted in Kintone"},
            "propagation_off": {"status": 503, "scim_type": None, "detail": "propagation off"},
            "scim_delete": "deactivate",
        }
    )
    config = EmulatorConfig(seed_token=SEED_TOKEN, admin_password=PASSWORD, assumptions=assumptions)
    with (
        EmulatorServer(config) as server,
        httpx.Client(
            base_url=server.scim_url, headers={"Authorization": f"Bearer {SEED_TOKEN}"}, timeout=TIMEOUT_S
        ) as scim,
        AdminClient(server.base_url, server.admin_login, PASSWORD) as admin,
    ):
        user = scim.post("/Users", json=new_user("ann")).json()
        assert scim.delete(f"/Users/{user['id']}").status_code == 204
        assert scim.get(f"/Users/{user['id']}").json()["active"] is False
        scim.post("/Users", json=new_user("ben"))
        admin.delete_users(["ben"])
        refused = scim.post("/Users", json=new_user("ben"))
        assert refused.status_code == 412 and refused.json()["detail"] == "deleted in Kintone"
        admin.propagation(False)
        assert scim.post("/Users", json=new_user("cat")).status_code == 503


def test_refused_scim_delete() -> None:
    config = EmulatorConfig(
        seed_token=SEED_TOKEN,
        admin_password=PASSWORD,
        assumptions=Assumptions(scim_delete="refuse", scim_delete_refused=ScimRefusal(405, None, "no")),
    )
    with (
        EmulatorServer(config) as server,
        httpx.Client(
            base_url=server.scim_url, headers={"Authorization": f"Bearer {SEED_TOKEN}"}, timeout=TIMEOUT_S
        ) as scim,
    ):
        user = scim.post("/Users", json=new_user("dan")).json()
        assert scim.delete(f"/Users/{user['id']}").status_code == 405
        assert scim.get(f"/Users/{user['id']}").json()["active"] is True


def test_unknown_assumption_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown assumption"):
        Assumptions.from_dict({"no_such_choice": 1})
