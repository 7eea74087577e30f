"""Emulator throughput and filter latency with 10,000 and 1,000,000 users stored.

Prints requests/s for `GET /Users?filter=userName eq "..."` and for `POST /Users`, the filter's p50/p95
latency, and SQLite's EXPLAIN QUERY PLAN for the filter, at each size. The database is bulk-loaded directly
(SQLite, not HTTP) to keep the run to a few minutes; every measurement is bounded in requests and in time.
The emulator runs as `emulator serve` in its own process, as in CI, so the client does not share its GIL.
Loopback only.

    .venv/bin/python bench/bench_emulator.py [--sizes 10000 1000000] [--seconds 3]
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import sqlite3
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

import httpx

from emulator.store import Database

TOKEN = "bench-token-0123456789abcdef"
FILTER_SQL = "SELECT * FROM users WHERE lower(user_name) = lower(?) ORDER BY id"
MAX_REQUESTS = 5_000
CONCURRENCY = 8
TIMEOUT_S = 10.0


def bulk_load(path: str, count: int) -> None:
    Database(path).close()  # the emulator's own schema and indexes
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    now = "2026-01-01T00:00:00.000000Z"
    rows = (
        (
            f"user{n:07d}@example.com",
            f"ext-{n}",
            f"User {n}",
            "Family",
            "Given",
            f"user{n}@example.com",
            now,
            now,
        )
        for n in range(count)
    )
    with conn:
        conn.executemany(
            "INSERT INTO users (user_name, external_id, display_name, family_name, given_name, email, active,"
            " created, modified, version, origin, scim_linked)"
            " VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, 1, 'scim', 1)",
            rows,
        )
    conn.close()


@contextmanager
def served(db_path: str) -> Iterator[str]:
    """`emulator serve` on a free loopback port in a child process; yields the SCIM URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "SCIM_HARNESS_TOKEN": TOKEN, "SCIM_HARNESS_ADMIN_PASSWORD": "bench"}
    command = [sys.executable, "-c", "from emulator.cli import emulator; emulator()", "serve"]
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


def timed_requests(send: Callable[[httpx.Client, int], httpx.Response], seconds: float) -> list[float]:
    """Sequential requests on one keep-alive connection; each one's latency in seconds."""
    latencies: list[float] = []
    with httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=TIMEOUT_S) as client:
        deadline = time.perf_counter() + seconds
        for number in range(MAX_REQUESTS):
            start = time.perf_counter()
            response = send(client, number)
            latencies.append(time.perf_counter() - start)
            if response.status_code >= 400:
                raise RuntimeError(f"bench request failed: {response.status_code} {response.text[:200]}")
            if time.perf_counter() > deadline:
                break
    return latencies


def concurrent_rate(send: Callable[[httpx.Client, int], httpx.Response], seconds: float) -> float:
    """Requests/s with CONCURRENCY clients at once."""
    counter = iter(range(10**9))
    lock = threading.Lock()
    done = 0

    def worker(_: int) -> None:
        nonlocal done
        with httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=TIMEOUT_S) as client:
            deadline = time.perf_counter() + seconds
            for _ in range(MAX_REQUESTS):
                with lock:
                    number = next(counter)
                response = send(client, number)
                if response.status_code >= 400:
                    raise RuntimeError(f"bench request failed: {response.status_code}")
                with lock:
                    done += 1
                if time.perf_counter() > deadline:
                    break

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
    plan = database.explain(FILTER_SQL, ("user0000001@example.com",))
    database.close()
    print(f"EXPLAIN QUERY PLAN {FILTER_SQL}")
    for line in plan:
        print(f"  {line}")
    if not any("users_user_name_lower" in line for line in plan):
        raise SystemExit("the userName filter does not use the index")
    with served(path) as scim_url:
        picker = random.Random(size)
        url = f"{scim_url}/Users"

        def filter_get(client: httpx.Client, _: int) -> httpx.Response:
            login = f"USER{picker.randrange(size):07d}@example.com"  # other case: the lookup is case-blind
            return client.get(url, params={"filter": f'userName eq "{login}"'})

        def create(prefix: str) -> Callable[[httpx.Client, int], httpx.Response]:
            def post(client: httpx.Client, number: int) -> httpx.Response:
                body = {
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                    "userName": f"{prefix}{number}@example.com",
                    "displayName": f"New {number}",
                    "active": True,
                    "emails": [{"type": "work", "value": f"{prefix}{number}@example.com", "primary": True}],
                }
                return client.post(url, json=body)

            return post

        latencies = timed_requests(filter_get, seconds)
        ms = [value * 1000 for value in latencies]
        print(
            f"filter GET, 1 client:  {len(latencies) / sum(latencies):8.0f} req/s"
            f"   p50 {statistics.median(ms):.2f} ms   p95 {percentile(ms, 0.95):.2f} ms"
            f"   ({len(ms)} requests)"
        )
        print(f"filter GET, {CONCURRENCY} clients: {concurrent_rate(filter_get, seconds):8.0f} req/s")
        post_latencies = timed_requests(create("seq"), seconds)
        print(
            f"POST, 1 client:        {len(post_latencies) / sum(post_latencies):8.0f} req/s"
            f"   p50 {statistics.median(post_latencies) * 1000:.2f} ms   ({len(post_latencies)} requests)"
        )
        print(f"POST, {CONCURRENCY} clients:       {concurrent_rate(create('par'), seconds):8.0f} req/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--seconds", type=float, default=3.0, help="time bound of each measurement")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="scim-emulator-bench-") as workdir:
        for size in args.sizes:
            bench_size(size, args.seconds, Path(workdir))


if __name__ == "__main__":
    main()
