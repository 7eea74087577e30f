"""Tenant URL handling, Entra's filter encoding, headers and answer classification (real HTTP on loopback)."""

from __future__ import annotations

import pytest

from scim_harness.common.scim_wire import Dialect, filter_query
from scim_harness.simulator.client import Outcome, ScimClient, parse_retry_after
from scim_harness.simulator.payloads import group_filter_query
from scim_harness.simulator.tenant_url import parse_tenant_url
from tests.simulator.conftest import TOKEN, FakeScim


@pytest.mark.parametrize(
    ("url", "base", "query", "dialect"),
    [
        ("https://api.example.com/scim", "https://api.example.com/scim", (), Dialect.LEGACY),
        (
            "https://api.example.com/scim/?aadOptscim062020",
            "https://api.example.com/scim",
            (),
            Dialect.COMPLIANT,
        ),
        ("http://h/scim/v2?aadOptscim062020&code=x", "http://h/scim/v2", (("code", "x"),), Dialect.COMPLIANT),
        ("http://h/scim/v2?tenant=1", "http://h/scim/v2", (("tenant", "1"),), Dialect.LEGACY),
    ],
)
def test_tenant_url_selects_the_dialect(url, base, query, dialect) -> None:
    parsed = parse_tenant_url(url)
    assert (parsed.base, parsed.query, parsed.dialect) == (base, query, dialect)


def test_tenant_url_must_be_http() -> None:
    with pytest.raises(ValueError, match="http"):
        parse_tenant_url("ftp://example.com/scim")


def test_filters_are_encoded_as_entra_encodes_them() -> None:
    assert filter_query("userName", "7d420df3-9995-4831-a406-ecf8166f5f6a") == (
        "filter=userName+eq+%227d420df3-9995-4831-a406-ecf8166f5f6a%22"
    )
    assert filter_query("userName", "a b@c.com") == "filter=userName+eq+%22a+b%40c.com%22"
    assert group_filter_query("Sales") == "excludedAttributes=members&filter=displayName+eq+%22Sales%22"


@pytest.fixture
def client(scim: FakeScim):
    client = ScimClient(parse_tenant_url(scim.url), TOKEN, timeout=0.3, max_connections=2)
    yield client
    client.close()


def test_query_reaches_the_server_byte_for_byte(client: ScimClient, scim: FakeScim) -> None:
    client.get("/Users", filter_query("userName", 'x"y z'))
    assert scim.requests[0].raw_query == "filter=userName+eq+%22x%22y+z%22"


def test_headers(client: ScimClient, scim: FakeScim) -> None:
    client.post("/Users", {"userName": "h"})
    client.get("/Users")
    post, get = scim.requests
    assert post.headers["Authorization"] == f"Bearer {TOKEN}"
    assert post.headers["Content-Type"] == "application/scim+json; charset=utf-8"
    assert "Content-Type" not in get.headers
    assert "scim" not in get.headers.get("Accept", "")


@pytest.mark.parametrize(
    ("status", "outcome", "code"),
    [
        (401, Outcome.CREDENTIALS, "SystemForCrossDomainIdentityManagementCredentialValidationFailure"),
        (403, Outcome.CREDENTIALS, "SystemForCrossDomainIdentityManagementCredentialValidationFailure"),
        (404, Outcome.NOT_FOUND, "InvalidAnchor"),
        (409, Outcome.CONFLICT, "EntryConflict"),
        (429, Outcome.THROTTLED, "TooManyRequests"),
        (400, Outcome.BAD_REQUEST, "SystemForCrossDomainIdentityManagementBadRequest"),
        (422, Outcome.CLIENT_ERROR, "UnprocessableEntity"),
        (500, Outcome.SERVER_ERROR, "InternalServerError"),
        (503, Outcome.SERVER_ERROR, "InternalServerError"),
    ],
)
def test_classification(client: ScimClient, scim: FakeScim, status, outcome, code) -> None:
    scim.fail("GET", "/Users$", status, headers={"Retry-After": "7"})
    response = client.get("/Users")
    assert (response.status, response.outcome, response.error_code) == (status, outcome, code)
    assert response.retry_after == (7.0 if status == 429 else None)


def test_timeout_and_unparseable(client: ScimClient, scim: FakeScim) -> None:
    scim.fail("GET", "/Users$", 200, delay=0.8)
    assert client.get("/Users").outcome is Outcome.TIMEOUT
    scim.fail("GET", "/Users$", 200, raw=b"{not json")
    assert client.get("/Users").outcome is Outcome.UNPARSEABLE


def test_retry_after_forms() -> None:
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a past date: retry now
    assert parse_retry_after("soon") is None
