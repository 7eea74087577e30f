"""Simulator benchmark: initial-cycle throughput, a simulated month, and incremental cost vs changes and size.

Runs against the Kintone emulator on loopback and prints figures. `python bench/bench_simulator.py --help`
for the sizes; defaults are the issue's (10,000 and 100,000 users; 30 days of 10,000 users with 1% changing
a day).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta

import httpx

from scim_harness.simulator.clock import VirtualClock
from scim_harness.simulator.engine import EngineSettings, ProvisioningJob
from scim_harness.simulator.generate import generate_tenant
from scim_harness.simulator.mappings import MappingSet
from scim_harness.simulator.tenant import Tenant

TOKEN = "bench-token-0123456789abcdef"
NULL_URL = "http://null.invalid/scim"


@contextlib.contextmanager
def target() -> Iterator[tuple[str, str]]:
    """(name, SCIM URL) of a fresh emulator on loopback, in its own process: it must not share our GIL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code = f"from scim_harness.emulator.cli import emulator; emulator(['serve', '--port', '{port}'])"
    env = {**os.environ, "SCIM_HARNESS_TOKEN": TOKEN}
    process = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/scim/v2"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(url + "/Users", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=1.0)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the emulator did not start") from None
                time.sleep(0.1)
        yield "emulator, own process", url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _job(
    url: str,
    tenant: Tenant,
    clock: VirtualClock,
    connections: int,
    transport: httpx.BaseTransport | None = None,
) -> ProvisioningJob:
    settings = EngineSettings(max_connections=connections, max_log_entries=1_000)
    return ProvisioningJob(tenant, url, TOKEN, MappingSet.default(), clock, settings, transport=transport)


def initial_cycle(users: int, connections: int) -> None:
    clock = VirtualClock()
    began = time.perf_counter()
    tenant = generate_tenant(users, clock, seed=1)
    generated = time.perf_counter() - began
    with target() as (name, url), _job(url, tenant, clock, connections) as job:
        summary = job.run_cycle()
    seconds = summary.wall_seconds
    print(
        f"initial cycle, {users:>7,} users ({name}, {connections} connections): {seconds:8.1f} s, "
        f"{users / seconds:7.0f} users/s, {summary.requests / seconds:7.0f} requests/s "
        f"({summary.requests:,} requests; {summary.count('Create', 'Success'):,} created; "
        f"tenant generated in {generated:.1f} s)"
    )


def null_transport() -> httpx.MockTransport:
    """A target that answers at once in-process: what is left is the simulator's own cost."""
    created = iter(range(10**9))
    empty = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": 0,
        "Resources": [],
    }
    headers = {"Content-Type": "application/scim+json"}

    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(201, json={"id": str(next(created))}, headers=headers)
        if request.method == "PATCH":
            return httpx.Response(204)
        if request.url.path.endswith("/Users"):
            return httpx.Response(200, json=empty, headers=headers)
        return httpx.Response(200, json={"id": request.url.path.rsplit("/", 1)[-1]}, headers=headers)

    return httpx.MockTransport(answer)


def simulator_ceiling(users: int, connections: int) -> None:
    clock = VirtualClock()
    tenant = generate_tenant(users, clock, seed=4)
    with _job(NULL_URL, tenant, clock, connections, null_transport()) as job:
        summary = job.run_cycle()
    seconds = summary.wall_seconds
    print(
        f"simulator ceiling, {users:>7,} users (null in-process target): {seconds:8.1f} s, "
        f"{users / seconds:7.0f} users/s, {summary.requests / seconds:7.0f} requests/s"
    )


def simulated_month(users: int, daily_change: float, connections: int) -> None:
    clock = VirtualClock()
    tenant = generate_tenant(users, clock, seed=2)
    rng = random.Random(2)
    ids = list(tenant.users)
    per_cycle = users * daily_change / 36  # 36 cycles of 40 minutes a day
    with target() as (name, url), _job(url, tenant, clock, connections) as job:
        job.start()
        job.advance(timedelta(0))  # the initial cycle, not part of the month's figure
        began = time.perf_counter()
        cycles = requests = changes = 0
        carry = 0.0
        while cycles < 1_080:
            carry += per_cycle
            while carry >= 1:
                tenant.update_user(rng.choice(ids), displayName=f"name {rng.random():.6f}")
                carry -= 1
                changes += 1
            ran = job.advance(job.settings.cycle_interval)
            cycles += len(ran)
            requests += sum(c.requests for c in ran)
        seconds = time.perf_counter() - began
    print(
        f"simulated 30 days, {users:,} users, {daily_change:.0%} changing a day ({name}): "
        f"{seconds:.1f} s wall "
        f"for {cycles} cycles, {changes:,} changes, {requests:,} requests"
    )


@contextlib.contextmanager
def _null_target() -> Iterator[tuple[str, str]]:
    yield "null in-process target", NULL_URL


def incremental_cost(sizes: list[int], change_counts: list[int], connections: int, *, null: bool) -> None:
    where = "null in-process target" if null else "emulator"
    print(f"incremental cycle cost against the {where} (median of 3 cycles): requests / wall ms")
    header = "changes".rjust(10) + "".join(f"{size:>14,} users" for size in sizes)
    print(header)
    rows: dict[int, list[str]] = {k: [] for k in change_counts}
    for size in sizes:
        clock = VirtualClock()
        tenant = generate_tenant(size, clock, seed=3)
        ids = list(tenant.users)
        rng = random.Random(3)
        transport = null_transport() if null else None
        with (
            _null_target() if null else target() as (_name, url),
            _job(url, tenant, clock, connections, transport) as job,
        ):
            job.run_cycle()
            for count in change_counts:
                samples = []
                for _ in range(3):
                    for user_id in rng.sample(ids, count):
                        tenant.update_user(user_id, displayName=f"n{rng.random():.6f}")
                    samples.append(job.run_cycle())
                samples.sort(key=lambda s: s.wall_seconds)
                middle = samples[1]
                rows[count].append(f"{middle.requests:>8} / {middle.wall_seconds * 1000:7.1f}")
    for count in change_counts:
        print(f"{count:>10}" + "".join(f"{cell:>20}" for cell in rows[count]))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--initial", type=int, nargs="*", default=[10_000, 100_000], help="initial-cycle sizes"
    )
    parser.add_argument(
        "--month-users", type=int, default=10_000, help="users in the 30-day run (0 skips it)"
    )
    parser.add_argument("--daily-change", type=float, default=0.01)
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="*",
        default=[1_000, 10_000],
        help="tenant sizes for the incremental-cost table",
    )
    parser.add_argument(
        "--null-sizes",
        type=int,
        nargs="*",
        default=[1_000, 10_000, 100_000],
        help="tenant sizes for the incremental-cost table against the null target",
    )
    parser.add_argument("--changes", type=int, nargs="*", default=[0, 10, 100])
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--ceiling", type=int, default=10_000, help="users for the null-target figure (0 skips)"
    )
    args = parser.parse_args()
    if args.ceiling:
        simulator_ceiling(args.ceiling, args.connections)
    for size in args.initial:
        initial_cycle(size, args.connections)
    if args.month_users:
        simulated_month(args.month_users, args.daily_change, args.connections)
    if args.sizes:
        incremental_cost(args.null_sizes, args.changes, args.connections, null=True)
        incremental_cost(args.sizes, args.changes, args.connections, null=False)


if __name__ == "__main__":
    main()
