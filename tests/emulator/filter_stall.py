"""A filter's cost seen from outside (issue 10): one search on one connection while lookups go on another,
each timed. For tests/emulator/test_filter_cost.py and bench/bench_hardening.py."""

from __future__ import annotations

import http.client
import json
import threading
import time
from dataclasses import dataclass, field

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
