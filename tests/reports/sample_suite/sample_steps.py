"""Step definitions of the tiny suite (collected only when passed explicitly)."""

from __future__ import annotations

import base64
import os

import httpx
import pytest
from pytest_bdd import given, parsers, scenarios, then, when

scenarios("adding_a_user.feature", "protocol.feature")

ADMIN = base64.b64encode(f"Administrator:{os.environ['SAMPLE_ADMIN_PASSWORD']}".encode()).decode()


@pytest.fixture
def context() -> dict:
    return {}


@given("the administrator created an API token")
def created_token(capture_proxy, context) -> None:
    base = capture_proxy.url.removesuffix("/scim/v2")
    answer = httpx.post(
        f"{base}/_emulator/tokens", json={"notes": "ci"}, headers={"X-Cybozu-Authorization": ADMIN}, timeout=5
    )
    context["token"] = answer.json()["token"]
    capture_proxy.add_secret(context["token"])


@when(parsers.parse('Entra provisions the user "{user}"'))
def provision(capture_proxy, provisioning_job, context, user: str) -> None:
    headers = {"Authorization": f"Bearer {context['token']}"}
    for _ in range(2 if user.startswith("bob") else 1):
        answer = httpx.post(f"{capture_proxy.url}/Users", json={"userName": user}, headers=headers, timeout=5)
    context["status"] = answer.status_code
    provisioning_job.logs.entries.append({"action": "Create", "user": user, "status": answer.status_code})


@then(parsers.parse('"{user}" exists in Kintone'))
def exists(capture_proxy, context, user: str) -> None:
    headers = {"Authorization": f"Bearer {context['token']}"}
    answer = httpx.get(
        f"{capture_proxy.url}/Users", params={"filter": f'userName eq "{user}"'}, headers=headers, timeout=5
    )
    assert user in answer.text


@then(parsers.parse("the target answered {status:d}"))
def answered(context, status: int) -> None:
    assert context["status"] == status, f"expected {status}, the target answered {context['status']}"


@given("the target is not Kintone")
def not_kintone() -> None:
    pytest.skip("not applicable: the target is a vendor's SCIM server, this is a Kintone rule")


@given("a step that breaks the no-secret-in-signature rule")
def careless(secret_token: str) -> None:
    # allure-pytest-bdd records this argument as a step parameter: the plugin's safety net must scrub it.
    assert secret_token
