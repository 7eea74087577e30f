"""Tenant URL handling, Entra's filter encoding, headers and answer classification (real HTTP on loopback)."""

from __future__ import annotations

import threading
import time

import pytest

from scim_harness.common.scim_wire import Dialect, filter_query
from scim_harness.simulator.answers import Outcome, classify, parse_retry_after
from scim_harness.simulator.client import ScimClient
from scim_harness.simulator.payloads import group_filter_query
from scim_harness.simulator.settings import EngineSettings
from scim_harness.simulator.tenant_url import parse_tenant_url
from tests.simulator.fake_scim import TOKEN, FakeScim
from tests.simulator.faults import FaultServer


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


# ---- the one SCIM client: low-level surface ---------------------------------------------------------------


def test_send_is_the_low_level_surface(client: ScimClient, scim: FakeScim) -> None:
    answer = client.send("GET", "/Users", query={"filter": 'userName eq "a b"'})
    assert scim.requests[-1].raw_query == "filter=userName+eq+%22a+b%22"
    assert (answer.status, answer.outcome, answer.content_type) == (200, Outcome.OK, "application/scim+json")
    assert answer.body["totalResults"] == 0 and answer.text.startswith("{") and answer.elapsed >= 0
    client.send("POST", "/Users", raw_body=b'{"userName": broken', headers={"Content-Type": "text/plain"})
    assert scim.requests[-1].raw == b'{"userName": broken'
    assert scim.requests[-1].headers["Content-Type"] == "text/plain"
    client.send("GET", "/Users", token=None, headers={"Accept": "application/scim+json"})
    assert "Authorization" not in scim.requests[-1].headers
    assert scim.requests[-1].headers["Accept"] == "application/scim+json"
    assert client.send("GET", "/Users", token="other").outcome is Outcome.CREDENTIALS
    assert scim.requests[-1].headers["Authorization"] == "Bearer other"
    client.send("POST", "/Users", body={"userName": "x"}, headers={"Content-Type": None})
    assert "Content-Type" not in scim.requests[-1].headers


def test_no_request_carries_a_client_librarys_headers(client: ScimClient, scim: FakeScim) -> None:
    """§2: Entra's .NET client sends no User-Agent, Accept or Accept-Encoding of its own [U]."""
    client.get("/Users")
    client.post("/Users", {"userName": "h"})
    client.patch("/Users/x", {"Operations": []})
    client.delete("/Users/x")
    for request in scim.requests:
        names = {name.lower() for name in request.headers}
        assert names <= {"host", "authorization", "content-type", "content-length"}, names
        assert "python-httpx" not in str(request.headers)


def test_extra_headers_are_a_setting(scim: FakeScim) -> None:
    settings = EngineSettings(request_headers=(("User-Agent", "Microsoft.Azure.SCIM"),))
    with ScimClient(parse_tenant_url(scim.url), TOKEN, settings=settings) as client:
        client.get("/Users")
    assert scim.requests[0].headers["User-Agent"] == "Microsoft.Azure.SCIM"


# ---- deadline, size, broken networks ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["trickle", "never"])
def test_a_call_has_a_total_deadline_that_names_it(kind: str) -> None:
    """One byte every 0.2 s never trips a per-read timeout; the total deadline ends the call."""
    answers = []
    with FaultServer(kind) as target, ScimClient(target.url, TOKEN, timeout=1.0) as client:
        began = time.monotonic()
        call = threading.Thread(target=lambda: answers.append(client.get("/Users", "filter=x")), daemon=True)
        call.start()
        call.join(timeout=30)  # a missing deadline fails here instead of hanging the suite
        took = time.monotonic() - began
    assert answers, "the call did not end"
    (answer,) = answers
    assert answer.outcome is Outcome.TIMEOUT and answer.error_code == "Timeout"
    assert "GET /Users" in answer.text and "1 s" in answer.text
    assert took < 10  # about one second; wide margin for a loaded machine


def test_a_huge_answer_is_not_read(scim: FakeScim) -> None:
    settings = EngineSettings(max_response_bytes=64 * 1024)
    with FaultServer("huge") as target, ScimClient(target.url, TOKEN, settings=settings) as client:
        answer = client.get("/Users")
    assert answer.outcome is Outcome.PROTOCOL_ERROR and "larger than 65,536 bytes" in answer.text
    scim.fail("GET", "/Users$", 200, raw=b"x" * 70_000)  # declared by Content-Length
    with ScimClient(scim.url, TOKEN, settings=settings) as client:
        assert "larger than" in client.get("/Users").text


@pytest.mark.parametrize(
    ("kind", "words"),
    [("reset", "connection"), ("garbage", "connection"), ("redirect", "redirect")],
)
def test_broken_answers_are_protocol_errors(kind: str, words: str) -> None:
    with FaultServer(kind) as target, ScimClient(target.url, TOKEN, timeout=5.0) as client:
        answer = client.get("/Users")
    assert answer.outcome is Outcome.PROTOCOL_ERROR and answer.error_code == "WebExceptionProtocolError"
    assert words in answer.text.lower()


def test_a_targets_text_is_made_safe() -> None:
    response = classify("GET", "/Users", 500, (), b'{"detail": "bad\\u001b[2J\\r\\nthing\\u202e"}')
    assert response.target_text() == "bad\\x1b[2J  thing\\u202e"


def test_listeners_see_every_call_with_its_bytes_and_answer(client: ScimClient, scim: FakeScim) -> None:
    seen: list[tuple[str, str, str, bytes | None, int | None]] = []
    client.add_listener(lambda sent, answer: seen.append((*_request(sent), answer.status)))
    client.send("GET", "/Users", query="filter=userName+eq+%22a%22")
    client.send("POST", "/Users", body={"userName": "a"})
    assert seen == [
        ("GET", "/Users", "filter=userName+eq+%22a%22", None, 200),
        ("POST", "/Users", "", b'{"userName":"a"}', 201),
    ]


def test_a_failing_listener_never_changes_a_call(client: ScimClient, scim: FakeScim) -> None:
    def broken(_sent: object, _answer: object) -> None:
        raise RuntimeError("observer bug")

    client.add_listener(broken)
    assert client.send("GET", "/Users").outcome is Outcome.OK


def _request(sent: object) -> tuple[str, str, str, bytes | None]:
    return sent.method, sent.path, sent.query, sent.body  # type: ignore[attr-defined]
