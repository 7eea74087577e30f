"""One emulator per test session on an ephemeral loopback port, reset to a fresh state before each test."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import httpx
import pytest

from scim_harness.emulator.admin_client import AdminClient
from scim_harness.emulator.config import EmulatorConfig
from scim_harness.emulator.server import EmulatorServer

SEED_TOKEN = "seed-token-for-tests-0123456789"
ADMIN_PASSWORD = "admin-password-for-tests"
TIMEOUT_S = 10.0
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def _serve(profile: str) -> Iterator[EmulatorServer]:
    config = EmulatorConfig(profile=profile, seed_token=SEED_TOKEN, admin_password=ADMIN_PASSWORD)
    with EmulatorServer(config) as server:
        yield server


def _reset(server: EmulatorServer) -> Iterator[AdminClient]:
    with AdminClient(server.base_url, server.admin_login, ADMIN_PASSWORD) as client:
        client.reset()
        yield client


def _scim(server: EmulatorServer) -> Iterator[httpx.Client]:
    """A SCIM client with the seeded API token, sending no Accept header (as Entra may not)."""
    with httpx.Client(
        base_url=server.scim_url, headers={"Authorization": f"Bearer {SEED_TOKEN}"}, timeout=TIMEOUT_S
    ) as client:
        client.headers.pop("Accept", None)
        yield client


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[EmulatorServer]:
    yield from _serve("kintone")


@pytest.fixture
def admin(emulator_server: EmulatorServer) -> Iterator[AdminClient]:
    yield from _reset(emulator_server)


@pytest.fixture
def emulator(emulator_server: EmulatorServer, admin: AdminClient) -> EmulatorServer:
    """The running emulator, freshly reset (no users, only the seed token, default rules)."""
    return emulator_server


@pytest.fixture
def scim(emulator: EmulatorServer) -> Iterator[httpx.Client]:
    """A SCIM client with the seeded API token, sending no Accept header (as Entra may not)."""
    yield from _scim(emulator)


@pytest.fixture(scope="session")
def generic_server() -> Iterator[EmulatorServer]:
    yield from _serve("generic")


@pytest.fixture
def generic_admin(generic_server: EmulatorServer) -> Iterator[AdminClient]:
    yield from _reset(generic_server)


@pytest.fixture
def gscim(generic_server: EmulatorServer, generic_admin: AdminClient) -> Iterator[httpx.Client]:
    """SCIM on a freshly reset generic emulator, with the seed token and no Accept header (as Entra)."""
    yield from _scim(generic_server)


@pytest.fixture
def admin_http(emulator: EmulatorServer) -> Iterator[httpx.Client]:
    """Raw HTTP to the administrator surface, for asserting exact statuses and bodies."""
    credential = base64.b64encode(f"{emulator.admin_login}:{ADMIN_PASSWORD}".encode()).decode()
    with httpx.Client(
        base_url=emulator.base_url, headers={"X-Cybozu-Authorization": credential}, timeout=TIMEOUT_S
    ) as client:
        yield client


def new_user(login: str, **extra: object) -> dict[str, object]:
    return {"schemas": [USER_SCHEMA], "userName": login, "active": True, **extra}


def patch(*operations: dict[str, object]) -> dict[str, object]:
    return {"schemas": [PATCH_SCHEMA], "Operations": list(operations)}


def create(scim: httpx.Client, login: str, **extra: object) -> dict[str, object]:
    response = scim.post("/Users", json=new_user(login, **extra))
    assert response.status_code == 201, response.text
    return response.json()


def assert_scim_error(response: httpx.Response, status: int, scim_type: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/scim+json")
    body = response.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert body["status"] == str(status)
    if scim_type is not None:
        assert body.get("scimType") == scim_type
    return body
