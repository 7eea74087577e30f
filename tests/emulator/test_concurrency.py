"""Concurrent creates of one login name: exactly one user, every other request 409 uniqueness."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from scim_harness.emulator.server import EmulatorServer
from tests.emulator.conftest import SEED_TOKEN, TIMEOUT_S, new_user

PARALLEL = 16


def test_concurrent_creates_of_the_same_login_make_exactly_one_user(emulator: EmulatorServer) -> None:
    def post(number: int) -> httpx.Response:
        # One connection per request, so the requests really overlap on the server.
        with httpx.Client(headers={"Authorization": f"Bearer {SEED_TOKEN}"}, timeout=TIMEOUT_S) as client:
            login = "same.login" if number % 2 else "SAME.LOGIN"
            return client.post(f"{emulator.scim_url}/Users", json=new_user(login, displayName=f"#{number}"))

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        responses = list(pool.map(post, range(PARALLEL)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (PARALLEL - 1)
    for response in responses:
        if response.status_code == 409:
            assert response.json()["scimType"] == "uniqueness"
    with httpx.Client(headers={"Authorization": f"Bearer {SEED_TOKEN}"}, timeout=TIMEOUT_S) as client:
        listed = client.get(f"{emulator.scim_url}/Users").json()
    assert listed["totalResults"] == 1
