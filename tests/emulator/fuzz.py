"""The emulator's fuzz engine, for the CI test (tests/emulator/test_fuzz.py) and the longer bench
(bench/bench_hardening.py): hostile requests (fuzz_strategies) over real HTTP on loopback to an emulator on
a SQLite file, each checked for

- no 5xx other than 501, and a complete HTTP answer (h11 reads it whole; no reset, no silence);
- the answer's shape: a SCIM Error (RFC 7644 §3.12) under /scim/v2, Kintone's {message, id, code} elsewhere
  (uvicorn's own 400 for what h11 refuses before the app is the one exception, docs/hardening.md);
- no change when refused (4xx), cut off mid-body, or a GET: the whole database and the in-memory settings
  are compared before and after;
- the database intact after each sequence: PRAGMA integrity_check and the store's invariants.
"""

from __future__ import annotations

import importlib
import json
import logging
import pkgutil
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from scim_harness.emulator.config import EmulatorConfig
from scim_harness.emulator.rules import RuleSwitches
from scim_harness.emulator.server import EmulatorServer
from scim_harness.emulator.store import UserValues
from scim_harness.emulator.tokens import TokenService
from tests.emulator.conftest import ADMIN_PASSWORD, SEED_TOKEN
from tests.emulator.fuzz_strategies import hostile_requests
from tests.emulator.hostile_http import Answer, HostileRequest, send

ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
UVICORN_400 = b"Invalid HTTP request received."
NOW = "2026-01-01T00:00:00.000000Z"
SEED_USERS = ("alice@example.com", "bob", "carol@example.com", "dave@example.com")


@dataclass
class FuzzReport:
    requests: int = 0
    sequences: int = 0
    cut_off: int = 0
    http_layer_400: int = 0
    """Requests h11 refused before the app (uvicorn's own 400)."""
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    slowest_seconds: float = 0.0
    seconds: float = 0.0

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500 and status != 501)


def fuzz_config(db_path: str) -> EmulatorConfig:
    return EmulatorConfig(db_path=db_path, seed_token=SEED_TOKEN, admin_password=ADMIN_PASSWORD)


class Fuzzer:
    """Runs hostile sequences against a running emulator on `db_path` and records what went wrong."""

    def __init__(self, server: EmulatorServer, db_path: str, timeout: float = 10.0) -> None:
        assert server.state is not None
        self.server = server
        self.state = server.state
        self.db_path = db_path
        self.timeout = timeout
        self.report = FuzzReport()
        self.token_id = ""
        # uvicorn logs every request h11 refuses; the fuzz sends thousands on purpose.
        logging.getLogger("uvicorn.error").setLevel(logging.ERROR)

    # -- state ---------------------------------------------------------------

    def fresh(self) -> None:
        """Back to a known state: the seed token, one more token, a few users (one an administrator's),
        one tombstone."""
        state = self.state
        state.reset()
        TokenService(state).seed()
        self.token_id = TokenService(state).create(30, "fuzz").record.id
        for login in SEED_USERS:
            state.db.users.insert(UserValues(user_name=login, display_name=login), origin="scim", now=NOW)
        state.db.users.insert(UserValues(user_name="admin-made"), origin="admin", now=NOW)
        gone = state.db.users.insert(UserValues(user_name="gone@example.com"), origin="scim", now=NOW)
        state.db.users.delete_as_admin([gone], ["gone@example.com"], now=NOW)

    def snapshot(self) -> tuple[Any, ...]:
        state = self.state
        return (
            state.db.dump(),
            state.rules.to_dict(),
            json.dumps(state.defects.to_dict(), sort_keys=True),
            state.clock_offset_seconds,
            state.ip_allowlist(),
        )

    def _switched(self) -> bool:
        """A test-only switch is on (the strategies never turn one on; if it happens, checks relax)."""
        return bool(self.state.defects.enabled) or self.state.rules != RuleSwitches()

    # -- one request ---------------------------------------------------------

    def run_one(self, request: HostileRequest) -> Answer:
        if b"{token}" in request.target:
            request = HostileRequest(
                request.method,
                request.target.replace(b"{token}", self.token_id.encode()),
                request.headers,
                request.body,
                request.framing,
            )
        switched = self._switched()
        before = self.snapshot()
        answer = send(self.server.host, self.server.port, request, self.timeout)
        if request.framing == "cut":
            time.sleep(0.05)  # let the server see the hang-up before looking
        after = self.snapshot()
        report = self.report
        report.requests += 1
        report.slowest_seconds = max(report.slowest_seconds, answer.seconds)
        problems = self.problems(request, answer, before != after, switched)
        if answer.status is not None:
            report.statuses[answer.status] += 1
            report.http_layer_400 += answer.status == 400 and answer.body == UVICORN_400
        if request.framing == "cut":
            report.cut_off += 1
        report.failures.extend(f"{p}: {request.short()}" for p in problems)
        return answer

    def problems(self, request: HostileRequest, answer: Answer, changed: bool, switched: bool) -> list[str]:
        found: list[str] = []
        if request.framing == "cut":
            if changed:
                found.append("a request cut off mid-body changed the database")
            return found
        if not answer.complete:
            return [f"no complete answer ({answer.problem})"]
        status = answer.status or 0
        if status >= 500 and status != 501 and not switched:
            found.append(f"answered {status}: {answer.body[:300]!r}")
        if changed and (status >= 400 or request.method in (b"GET", b"HEAD")):
            found.append(f"answered {status} and changed the state")
        if status >= 400 and not switched:
            shape = self.shape_problem(request, answer)
            if shape:
                found.append(f"answered {status} in the wrong shape ({shape}): {answer.body[:200]!r}")
        return found

    def shape_problem(self, request: HostileRequest, answer: Answer) -> str | None:
        if answer.status == 400 and answer.body == UVICORN_400:
            return None  # h11 refused the request before the app (documented)
        if request.method == b"HEAD":
            return None  # no body by definition
        try:
            body = json.loads(answer.body)
        except ValueError:
            return "not JSON"
        path = request.target.split(b"?", 1)[0]
        if path == b"/scim/v2" or path.startswith(b"/scim/v2/"):
            ok = (
                answer.headers.get("content-type", "").startswith("application/scim+json")
                and isinstance(body, dict)
                and body.get("schemas") == [ERROR_SCHEMA]
                and body.get("status") == str(answer.status)
            )
            return None if ok else "not a SCIM Error"
        ok = isinstance(body, dict) and {"message", "id", "code"} <= set(body)
        return None if ok else "not Kintone's {message, id, code}"

    # -- the database ----------------------------------------------------------

    def invariants(self) -> list[str]:
        """PRAGMA integrity_check and what the store promises, read through a connection of our own."""
        found: list[str] = []
        with sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True) as conn:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                found.append("PRAGMA integrity_check failed")
            if (
                not self.state.rules.allow_duplicate_login_names
                and conn.execute(
                    "SELECT lower(user_name) FROM users GROUP BY lower(user_name) HAVING COUNT(*) > 1"
                ).fetchall()
            ):
                found.append("two users share a login name")
            bad_users = conn.execute(
                "SELECT id FROM users WHERE id <= 0 OR version < 1 OR modified < created"
                " OR active NOT IN (0, 1) OR origin NOT IN ('scim', 'admin')"
                " OR (origin = 'scim' AND scim_linked != 1)"
                " OR trim(user_name) = '' OR length(user_name) > 128"
            ).fetchall()
            if bad_users:
                found.append(f"users breaking the store's rules: {bad_users[:5]}")
            if conn.execute(
                "SELECT 1 FROM tombstones WHERE user_name_key != lower(user_name_key)"
            ).fetchall():
                found.append("a tombstone key is not lower-case")
            for (token_hash,) in conn.execute("SELECT token_hash FROM tokens"):
                if len(token_hash) != 64 or set(token_hash) - set("0123456789abcdef"):
                    found.append("a token is stored as something else than its SHA-256")
            for key, value in conn.execute("SELECT key, value FROM settings"):
                try:
                    json.loads(value)
                except ValueError:
                    found.append(f"setting {key} is not JSON")
        return found

    # -- a whole run -----------------------------------------------------------

    def sequence(self, requests: list[HostileRequest]) -> None:
        self.fresh()
        for request in requests:
            self.run_one(request)
        self.report.sequences += 1
        self.report.failures.extend(self.invariants())

    def run(
        self, examples: int, seed_value: int, *, max_per_sequence: int = 8, min_requests: int = 0
    ) -> FuzzReport:
        """`examples` sequences of 2 to `max_per_sequence` requests, generated from `seed_value` (so a run
        is reproducible for the same code); then, while fewer than `min_requests` were sent, more sequences
        from the next seeds (a change to the emulator changes the constants the generation draws from, and
        so the number of requests a seed makes). The failures are in the report: the run does not stop at
        the first."""
        started = time.monotonic()
        with _constants_of_the_emulator():
            self._generate(examples, seed_value, max_per_sequence)
            while self.report.requests < min_requests:
                seed_value += 1
                self._generate(
                    max(10, (min_requests - self.report.requests) // 3), seed_value, max_per_sequence
                )
        self.report.seconds = time.monotonic() - started
        return self.report

    def _generate(self, examples: int, seed_value: int, max_per_sequence: int) -> None:
        strategy = st.lists(hostile_requests(self.server.port), min_size=2, max_size=max_per_sequence)

        @seed(seed_value)
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            phases=(Phase.explicit, Phase.generate),
            suppress_health_check=[
                HealthCheck.too_slow,
                HealthCheck.data_too_large,
                HealthCheck.filter_too_much,
                HealthCheck.large_base_example,
            ],
        )
        @given(strategy)
        def fuzz(requests: list[HostileRequest]) -> None:
            self.sequence(requests)

        fuzz()


@contextmanager
def _constants_of_the_emulator() -> Iterator[None]:
    """Hypothesis now and then draws a constant found in the local modules loaded so far (sys.modules), so one
    seed would generate other requests in a process that imported more (the whole suite, under xdist). The
    pool is pinned to the constants of every emulator module (the code under test: its limits, names and
    texts are good hostile values), so a seed means the same requests wherever the same code runs. Internal
    to Hypothesis, which is pinned."""
    from hypothesis.internal.conjecture import providers

    constants = providers.Constants()
    package = importlib.import_module("scim_harness.emulator")
    for info in sorted(
        pkgutil.walk_packages(package.__path__, "scim_harness.emulator."), key=lambda i: i.name
    ):
        constants |= providers.constants_from_module(importlib.import_module(info.name))
    original = providers._get_local_constants
    providers._get_local_constants = lambda: constants
    providers.CONSTANTS_CACHE.cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = original
        providers.CONSTANTS_CACHE.cache.clear()


def fuzz_server(workdir: Path) -> tuple[EmulatorServer, str]:
    db_path = str(workdir / "fuzz.sqlite")
    return EmulatorServer(fuzz_config(db_path)), db_path
