"""Emulator throughput and filter latency with 10,000 and 1,000,000 users stored.

Prints requests/s (one client, with p50/p95 latency, and CONCURRENCY clients) for the calls Entra makes:
`GET /Users?filter=userName eq "..."` that matches and one that finds nothing (the probe before a create),
`GET /Users/{id}`, `PATCH /Users/{id}` and `POST /Users`; and SQLite's EXPLAIN QUERY PLAN for the filter.
The database is bulk-loaded directly (SQLite, not HTTP) to keep the run to a few minutes; every measurement
is bounded in requests and in time. The emulator runs as `emulator serve` in its own process, as in CI, so the
client does not share its GIL. Loopback only.

    .venv/bin/python bench/bench_emulator.py [--sizes 10000 1000000] [--seconds 3] [--cpu N]

`--cpu N` also measures the CPU time one request costs (N of each call, through the whole ASGI app in this
process, no network): on a shared box whose load moves the wall-clock figures by half, this one holds still.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import httpx

from scim_harness.emulator import kintone_rules
from scim_harness.emulator.rules import RuleSwitches
from scim_harness.emulator.store import Database, UserValues

TOKEN = "bench-token-0123456789abcdef"
MAX_REQUESTS = 5_000
CONCURRENCY = 8
TIMEOUT_S = 10.0


def bulk_load(path: str, count: int) -> None:
    """Provisioned users straight into the emulator's store (its schema and indexes), in one transaction."""
    database = Database(path)
    try:
        database.users.bulk_load(
            (
                UserValues(
                    user_name=f"user{n:07d}@example.com",
                    external_id=f"ext-{n}",
                    display_name=f"User {n}",
                    family_name="Family",
                    given_name="Given",
                    email=f"user{n}@example.com",
                )
                for n in range(count)
            ),
            now="2026-01-01T00:00:00.000000Z",
        )
    finally:
        database.close()


@contextmanager
def served(db_path: str) -> Iterator[str]:
    """`emulator serve` on a free loopback port in a child process; yields the SCIM URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "SCIM_HARNESS_TOKEN": TOKEN, "SCIM_HARNESS_ADMIN_PASSWORD": "bench"}
    command = [sys.executable, "-c", "from scim_harness.emulator.cli import emulator; emulator()", "serve"]
    process = subprocess.Popen(
        [*command, "--port", str(port), "--db", db_path], env=env, stdout=subprocess.DEVNULL
    )
    scim_url = f"http://127.0.0.1:{port}/scim/v2"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{scim_url}/ServiceProviderConfig", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the emulator did not start") from None
                time.sleep(0.1)
        yield scim_url
    finally:
        process.terminate()
        process.wait(timeout=30)


class Client:
    """One keep-alive connection sending the bench token, on the stdlib's http.client: its own cost per
    request is a fraction of httpx's, so on a 2-core box the figures say more about the emulator than the
    client."""

    def __init__(self, scim_url: str) -> None:
        url = urlsplit(scim_url)
        self.base_path = url.path
        self.connection = http.client.HTTPConnection(url.hostname, url.port, timeout=TIMEOUT_S)
        self.headers = {"Authorization": f"Bearer {TOKEN}"}

    def request(
        self, method: str, path: str, *, params: dict[str, str] | None = None, body: object = None
    ) -> tuple[int, bytes]:
        target = self.base_path + path + (f"?{urlencode(params)}" if params else "")
        headers = dict(self.headers)
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/scim+json"
        self.connection.request(method, target, body=payload, headers=headers)
        response = self.connection.getresponse()
        return response.status, response.read()

    def close(self) -> None:
        self.connection.close()


Send = Callable[[Client, int], tuple[int, bytes]]


def timed_requests(scim_url: str, send: Send, seconds: float) -> list[float]:
    """Sequential requests on one keep-alive connection; each one's latency in seconds."""
    latencies: list[float] = []
    client = Client(scim_url)
    try:
        deadline = time.perf_counter() + seconds
        for number in range(MAX_REQUESTS):
            start = time.perf_counter()
            status, body = send(client, number)
            latencies.append(time.perf_counter() - start)
            if status >= 400:
                raise RuntimeError(f"bench request failed: {status} {body[:200]!r}")
            if time.perf_counter() > deadline:
                break
    finally:
        client.close()
    return latencies


def concurrent_rate(scim_url: str, send: Send, seconds: float) -> float:
    """Requests/s with CONCURRENCY clients at once."""
    counter = iter(range(10**9))
    lock = threading.Lock()
    done = 0

    def worker(_: int) -> None:
        nonlocal done
        client = Client(scim_url)
        try:
            deadline = time.perf_counter() + seconds
            for _ in range(MAX_REQUESTS):
                with lock:
                    number = next(counter)
                status, _body = send(client, number)
                if status >= 400:
                    raise RuntimeError(f"bench request failed: {status}")
                with lock:
                    done += 1
                if time.perf_counter() > deadline:
                    break
        finally:
            client.close()

    start = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(worker, range(CONCURRENCY)))
    return done / (time.perf_counter() - start)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def bench_size(size: int, seconds: float, workdir: Path) -> None:
    path = str(workdir / f"bench-{size}.sqlite")
    started = time.perf_counter()
    bulk_load(path, size)
    print(f"\n== {size:,} users (bulk-loaded in {time.perf_counter() - started:.1f} s)")
    database = Database(path)
    # The query the emulator runs for `filter=userName eq "..."`, as kintone_rules builds it.
    plan = database.users.explain(kintone_rules.login_lookup("user0000001@example.com", RuleSwitches()))
    database.close()
    print("EXPLAIN QUERY PLAN of the userName lookup")
    for line in plan:
        print(f"  {line}")
    if not any("users_user_name_lower" in line for line in plan):
        raise SystemExit("the userName filter does not use the index")
    with served(path) as scim_url:
        picker = random.Random(size)

        def filter_get(client: Client, _: int) -> tuple[int, bytes]:
            login = f"USER{picker.randrange(size):07d}@example.com"  # other case: the lookup is case-blind
            return client.request("GET", "/Users", params={"filter": f'userName eq "{login}"'})

        def probe_get(client: Client, number: int) -> tuple[int, bytes]:
            return client.request(
                "GET", "/Users", params={"filter": f'userName eq "absent{number}@example.com"'}
            )

        def get_by_id(client: Client, _: int) -> tuple[int, bytes]:
            return client.request("GET", f"/Users/{picker.randrange(size) + 1}")

        def patch(client: Client, number: int) -> tuple[int, bytes]:
            body = {  # as Entra sends it: capitalised op, Operations before schemas
                "Operations": [{"op": "Replace", "path": "displayName", "value": f"Renamed {number}"}],
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            }
            return client.request("PATCH", f"/Users/{picker.randrange(size) + 1}", body=body)

        def create(prefix: str) -> Send:
            def post(client: Client, number: int) -> tuple[int, bytes]:
                body = {
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                    "userName": f"{prefix}{number}@example.com",
                    "displayName": f"New {number}",
                    "active": True,
                    "emails": [{"type": "work", "value": f"{prefix}{number}@example.com", "primary": True}],
                }
                return client.request("POST", "/Users", body=body)

            return post

        calls: list[tuple[str, Send, Send]] = [  # label, one client's requests, the clients' in parallel
            ("filter GET (match)", filter_get, filter_get),
            ("filter GET (no match)", probe_get, probe_get),
            ("GET /Users/{id}", get_by_id, get_by_id),
            ("PATCH /Users/{id}", patch, patch),
            ("POST /Users", create("seq"), create("par")),
        ]
        print(f"{'call':24} {'1 client':>10} {'p50 ms':>8} {'p95 ms':>8} {f'{CONCURRENCY} clients':>11}")
        for label, sequential, parallel in calls:
            latencies = timed_requests(scim_url, sequential, seconds)
            ms = [value * 1000 for value in latencies]
            rate = concurrent_rate(scim_url, parallel, seconds)
            print(
                f"{label:24} {len(latencies) / sum(latencies):7.0f}/s {statistics.median(ms):8.2f}"
                f" {percentile(ms, 0.95):8.2f} {rate:9.0f}/s"
            )


def cpu_per_request(count: int) -> None:
    """CPU microseconds per request, each call through the app in-process (time.process_time)."""
    import asyncio

    from scim_harness.emulator.app import build_app
    from scim_harness.emulator.config import EmulatorConfig

    app = build_app(EmulatorConfig(seed_token=TOKEN, admin_password="bench"))

    async def call(method: str, path: str, query: bytes = b"", body: object = None) -> int:
        payload = json.dumps(body).encode() if body is not None else b""
        headers = [(b"host", b"127.0.0.1:8080"), (b"authorization", f"Bearer {TOKEN}".encode())]
        if body is not None:
            headers.append((b"content-type", b"application/scim+json"))
        scope = {
            "type": "http", "method": method, "path": path, "raw_path": path.encode(), "query_string": query,
            "root_path": "", "headers": headers, "scheme": "http", "client": ("127.0.0.1", 5555),
            "server": ("127.0.0.1", 8080), "http_version": "1.1", "asgi": {"version": "3.0"},
        }  # fmt: skip
        messages = [{"type": "http.request", "body": payload, "more_body": False}]
        sent: list[dict[str, object]] = []

        async def receive() -> dict[str, object]:
            return messages.pop(0) if messages else {"type": "http.disconnect"}

        async def send(message: dict[str, object]) -> None:
            sent.append(message)

        await app(scope, receive, send)
        return int(sent[0]["status"])  # type: ignore[call-overload]

    def user(number: int) -> dict[str, object]:
        login = f"cpu{number}@example.com"
        emails = [{"type": "work", "value": login, "primary": True}]
        schemas = ["urn:ietf:params:scim:schemas:core:2.0:User"]
        return {"schemas": schemas, "userName": login, "displayName": f"N {number}", "emails": emails}

    patch = {"Operations": [{"op": "Replace", "path": "displayName", "value": "R"}],
             "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}  # fmt: skip

    async def run() -> None:
        for number in range(100):
            await call("POST", "/scim/v2/Users", body=user(-number - 1))
        match, miss = b"filter=userName+eq+%22CPU-1%40example.com%22", b"filter=userName+eq+%22none%22"
        calls = [
            ("filter GET (match)", lambda n: call("GET", "/scim/v2/Users", match)),
            ("filter GET (no match)", lambda n: call("GET", "/scim/v2/Users", miss)),
            ("GET /Users/{id}", lambda n: call("GET", f"/scim/v2/Users/{n % 100 + 1}")),
            ("PATCH /Users/{id}", lambda n: call("PATCH", f"/scim/v2/Users/{n % 100 + 1}", body=patch)),
            ("POST /Users", lambda n: call("POST", "/scim/v2/Users", body=user(n))),
        ]  # fmt: skip
        print(f"\n== CPU per request, in process ({count} of each)")
        for label, send in calls:
            started = time.process_time()
            for number in range(count):
                status = await send(number)
                if status >= 400:
                    raise RuntimeError(f"{label} failed: {status}")
            print(f"{label:24} {(time.process_time() - started) / count * 1e6:8.0f} us")

    asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--seconds", type=float, default=3.0, help="time bound of each measurement")
    parser.add_argument("--cpu", type=int, default=0, help="also measure CPU per request, N of each call")
    args = parser.parse_args()
    if args.cpu:
        cpu_per_request(args.cpu)
    with tempfile.TemporaryDirectory(prefix="scim-emulator-bench-") as workdir:
        for size in args.sizes:
            bench_size(size, args.seconds, Path(workdir))


if __name__ == "__main__":
    main()
