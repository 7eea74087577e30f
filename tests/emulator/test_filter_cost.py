"""One filter never stalls the others (issue 10): a 2,000-term `or` over 5,000 users is answered or refused
with 400 within 2 s, and a request sent meanwhile is not delayed by more than 1 s. Measured over HTTP on
loopback; the margins are the issue's own figures, and the measured ones are printed."""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from scim_harness.emulator import filter_cost
from scim_harness.emulator.assumptions import Assumptions
from scim_harness.emulator.config import EmulatorConfig
from scim_harness.emulator.server import EmulatorServer
from scim_harness.emulator.store import UserValues
from tests.emulator.conftest import ADMIN_PASSWORD, SEED_TOKEN

USERS = 5_000
TERMS = 2_000
ANSWERED_WITHIN_S = 2.0
MEANWHILE_WITHIN_S = 1.0
HEADERS = {"Authorization": f"Bearer {SEED_TOKEN}", "Content-Type": "application/scim+json"}


def or_filter(terms: int, template: str = 'userName eq "nobody{}@example.com"') -> str:
    return " or ".join(template.format(n) for n in range(terms))


@dataclass
class Measured:
    status: int = 0
    body: dict = field(default_factory=dict)
    seconds: float = 0.0
    meanwhile: list[float] = field(default_factory=list)


def started(assumptions: Assumptions | None = None) -> EmulatorServer:
    config = EmulatorConfig(
        seed_token=SEED_TOKEN, admin_password=ADMIN_PASSWORD, assumptions=assumptions or Assumptions()
    )
    server = EmulatorServer(config).start()
    assert server.state is not None
    values = (
        UserValues(user_name=f"user{n:05d}@example.com", display_name=f"User {n}") for n in range(USERS)
    )
    server.state.db.users.bulk_load(values, now="2026-01-01T00:00:00.000000Z")
    return server


@pytest.fixture(scope="module")
def loaded() -> Iterator[EmulatorServer]:
    server = started()
    yield server
    server.stop()


def search_while_looking_up(server: EmulatorServer, filter_text: str) -> Measured:
    """POST /Users/.search with the filter on one connection; meanwhile, on another, lookups by login one
    after the other (from 50 ms after the search went out until it is answered), each timed."""
    measured = Measured()
    body = json.dumps(
        {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": filter_text}
    )

    def search() -> None:
        connection = http.client.HTTPConnection(server.host, server.port, timeout=30)
        began = time.perf_counter()
        connection.request("POST", "/scim/v2/Users/.search", body=body, headers=HEADERS)
        answer = connection.getresponse()
        measured.body = json.loads(answer.read())
        measured.status, measured.seconds = answer.status, time.perf_counter() - began
        connection.close()

    thread = threading.Thread(target=search)
    thread.start()
    time.sleep(0.05)
    lookup = http.client.HTTPConnection(server.host, server.port, timeout=30)
    while thread.is_alive() or not measured.meanwhile:
        began = time.perf_counter()
        lookup.request(
            "GET", '/scim/v2/Users?filter=userName%20eq%20"user00042@example.com"', headers=HEADERS
        )
        answer = lookup.getresponse()
        assert answer.status == 200 and json.loads(answer.read())["totalResults"] == 1
        measured.meanwhile.append(time.perf_counter() - began)
    thread.join()
    lookup.close()
    print(
        f"search {measured.status} in {measured.seconds:.3f} s; {len(measured.meanwhile)} lookups meanwhile, "
        f"slowest {max(measured.meanwhile):.3f} s"
    )
    return measured


def test_a_2000_term_or_over_5000_users_is_refused_at_once_and_stalls_nothing(loaded: EmulatorServer) -> None:
    measured = search_while_looking_up(loaded, or_filter(TERMS))
    assert measured.status == 400 and measured.body["scimType"] == "invalidFilter"
    assert "2000 comparisons" in measured.body["detail"]
    assert measured.seconds < ANSWERED_WITHIN_S
    assert max(measured.meanwhile) < MEANWHILE_WITHIN_S


def test_an_expensive_filter_under_the_comparison_limit_is_stopped_in_time(loaded: EmulatorServer) -> None:
    """50 `co` terms on a non-indexed attribute cost about half a millisecond a user: 2-3 s for 5,000."""
    measured = search_while_looking_up(loaded, or_filter(50, 'displayName co "nobody {}"'))
    assert measured.status in (200, 400) and measured.seconds < ANSWERED_WITHIN_S
    if measured.status == 400:
        assert measured.body["scimType"] == "tooMany"
    assert max(measured.meanwhile) < MEANWHILE_WITHIN_S


def test_the_time_limit_alone_stops_the_2000_term_or() -> None:
    """Defence in depth: with no comparison limit, the time limit still stops the 2,000-term `or` (it took
    171 s before). Parsing it is not sliced (scim2-models, about 0.4 s of CPU), which is why the comparison
    limit comes first; the margins here are twice the issue's."""
    server = started(Assumptions(filter_max_comparisons=1_000_000))
    try:
        measured = search_while_looking_up(server, or_filter(TERMS))
    finally:
        server.stop()
    assert measured.status == 400 and measured.body["scimType"] == "tooMany"
    assert measured.seconds < 2 * ANSWERED_WITHIN_S
    assert max(measured.meanwhile) < 2 * MEANWHILE_WITHIN_S


def test_the_measure_finds_a_stall(monkeypatch: pytest.MonkeyPatch) -> None:
    """The check can fail: evaluation that never hands the event loop back (as before) delays the lookups."""
    monkeypatch.setattr(filter_cost, "SLICE_S", 1e9)
    server = started(Assumptions(filter_max_comparisons=1_000_000, filter_time_limit_seconds=3.0))
    try:
        measured = search_while_looking_up(server, or_filter(50, 'displayName co "nobody {}"'))
    finally:
        server.stop()
    assert max(measured.meanwhile) > MEANWHILE_WITHIN_S


def test_the_query_string_form_is_refused_too(loaded: EmulatorServer) -> None:
    """As a GET, 60 terms fit in a URL: refused before parsing, in SCIM's shape."""
    connection = http.client.HTTPConnection(loaded.host, loaded.port, timeout=30)
    query = or_filter(60).replace(" ", "%20").replace('"', "%22")
    connection.request("GET", f"/scim/v2/Users?filter={query}", headers=HEADERS)
    answer = connection.getresponse()
    body = json.loads(answer.read())
    assert answer.status == 400 and body["scimType"] == "invalidFilter" and body["status"] == "400"
