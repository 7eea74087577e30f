"""A file database keeps users, tombstones, tokens and settings across restarts, in WAL mode with indexes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx

from scim_harness.emulator.admin_client import AdminClient
from scim_harness.emulator.config import EmulatorConfig
from scim_harness.emulator.server import EmulatorServer
from tests.emulator.conftest import TIMEOUT_S, new_user

PASSWORD = "pw-persist"


def test_file_database_survives_a_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "kintone.sqlite")
    with (
        EmulatorServer(EmulatorConfig(db_path=db, admin_password=PASSWORD)) as first,
        AdminClient(first.base_url, first.admin_login, PASSWORD) as admin,
    ):
        token = admin.create_token(None, "kept").token
        headers = {"Authorization": f"Bearer {token}"}
        created = httpx.post(
            f"{first.scim_url}/Users", json=new_user("kept"), headers=headers, timeout=TIMEOUT_S
        )
        assert created.status_code == 201
        httpx.post(f"{first.scim_url}/Users", json=new_user("tomb"), headers=headers, timeout=TIMEOUT_S)
        admin.delete_users(["tomb"])
        admin.ip_allowlist(["127.0.0.1/32"])
    with EmulatorServer(EmulatorConfig(db_path=db, admin_password=PASSWORD)) as second:
        headers = {"Authorization": f"Bearer {token}"}
        found = httpx.get(
            f"{second.scim_url}/Users",
            params={"filter": 'userName eq "kept"'},
            headers=headers,
            timeout=TIMEOUT_S,
        ).json()
        assert found["totalResults"] == 1 and found["Resources"][0]["id"] == created.json()["id"]
        again = httpx.post(
            f"{second.scim_url}/Users", json=new_user("tomb"), headers=headers, timeout=TIMEOUT_S
        )
        assert again.status_code == 409
        with AdminClient(second.base_url, second.admin_login, PASSWORD) as admin:
            assert admin.ip_allowlist() == ["127.0.0.1/32"]
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        plan = " ".join(
            row[3]
            for row in conn.execute(
                "EXPLAIN QUERY PLAN SELECT * FROM users WHERE lower(user_name) = lower(?)", ("kept",)
            )
        )
        assert "users_user_name_lower" in plan
