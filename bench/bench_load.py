"""`scim-harness load`, 10,000 users, against the Kintone emulator: one process, then a master and 2 workers.

Each run gets a fresh emulator (`emulator serve`, in memory, its own process, as in CI) on a free loopback
port, and replays Entra's initial cycle and one incremental cycle (10 % of the users changed). Afterwards the
bench counts the target's users itself, through SCIM, independently of the command's own verification, and
prints the figures of each run (throughput, p50/p95/p99 per request kind, errors, 429s, the verdict) as the
Markdown table docs/vendor-tools.md keeps. Bounded: each run stops at --duration.

    .venv/bin/python bench/bench_load.py [--users 10000] [--concurrency 8] [--duration 15m]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from scim_harness.load.flow import Source
from scim_harness.load.plan import LoadPlan, Slice

TOKEN = "bench-load-token-0123456789abcdef"
SCRIPT = str(Path(sys.executable).with_name("scim-harness"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCIM_HARNESS_")}
    return {**env, "SCIM_HARNESS_TOKEN": TOKEN, "SCIM_HARNESS_ADMIN_PASSWORD": "bench"}


@contextmanager
def emulator() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [SCRIPT, "emulator", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=environment(),
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/scim/v2"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{url}/ServiceProviderConfig", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the emulator did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def count_users(url: str) -> Counter[str]:
    """Every userName in the target, case-folded, counted through SCIM (pages of 100)."""
    counts: Counter[str] = Counter()
    with httpx.Client(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60) as client:
        start = 1
        for _ in range(100_000):
            body = client.get(f"{url}/Users", params={"startIndex": start, "count": 100}).json()
            counts.update(r["userName"].casefold() for r in body["Resources"])
            start += len(body["Resources"])
            if not body["Resources"] or start > body["totalResults"]:
                break
    return counts


def run(name: str, commands: list[list[str]], out: Path, timeout: float) -> tuple[int, float, str]:
    """Start the processes (the first is the one that reports), wait for all; returns its exit code."""
    began = time.monotonic()
    processes = []
    for index, command in enumerate(commands):
        processes.append(
            subprocess.Popen(
                command, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
        )
        if index == 0 and len(commands) > 1:
            time.sleep(1.0)  # the master listens before its workers connect (they retry anyway)
    outputs = []
    for process in processes:
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
        outputs.append(output)
    wall = time.monotonic() - began
    (out / f"{name}.log").write_text("\n".join(outputs), encoding="utf-8")
    return processes[0].returncode, wall, outputs[0]


def figures(
    name: str, data: dict[str, Any], wall: float, counts: Counter[str], names: list[str]
) -> list[str]:
    once = sum(1 for n in names if counts[n.casefold()] == 1)
    lines = [
        f"### {name}: {data['mode']}",
        "",
        f"{data['total']['requests']:,} requests in {data['wall_seconds']:.1f} s of load "
        f"({data['requests_per_second']:.1f} requests/s; {wall:.0f} s wall time with start-up and "
        f"verification); "
        f"{data['total']['failures']} failures; verdict **{'PASS' if data['passed'] else 'FAIL'}**; "
        f"counted by the bench through SCIM: {once:,} of {len(names):,} users exactly once, "
        f"{sum(counts.values()):,} users in the target.",
        "",
        "| request | requests | requests/s | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for kind in [*data["kinds"], data["total"]]:
        lines.append(
            f"| {(kind['method'] + ' ' + kind['name']).strip()} | {kind['requests']:,} | {kind['rps']:.1f} "
            f"| {kind['p50_ms']:.0f} | {kind['p95_ms']:.0f} | {kind['p99_ms']:.0f} | {kind['max_ms']:.0f} |"
        )
    lines += ["", "| check | result | detail |", "|---|---|---|"]
    lines += [f"| {c['requirement']} | {c['result']} | {c['detail']} |" for c in data["checks"]]
    return [*lines, ""]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--duration", default="15m")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="bench-load-"))
    out.mkdir(parents=True, exist_ok=True)
    names = Source(LoadPlan(target="http://unused.invalid", users=args.users), Slice()).user_names()
    common = ["--users", str(args.users), "--concurrency", str(args.concurrency), "--duration", args.duration]
    report: list[str] = []
    failed = 0
    for name, workers in (("one process", 0), ("one master, two workers", 2)):
        with emulator() as url:
            folder = out / ("local" if not workers else "distributed")
            load = [SCRIPT, "load", "--target", url, *common, "--out", str(folder)]
            if not workers:
                commands = [load]
            else:
                port = str(free_port())
                master = [*load, "--master", "--expect-workers", str(workers), "--master-port", port]
                commands = [master] + [[SCRIPT, "load", "--worker", "--master-port", port]] * workers
            print(f"== {name}: {args.users} users ...", flush=True)
            code, wall, output = run(folder.name, commands, out, timeout=3600)
            if code not in (0, 1) or not (folder / "load.json").exists():
                print(output)
                failed += 1
                continue
            data = json.loads((folder / "load.json").read_text(encoding="utf-8"))
            lines = figures(name, data, wall, count_users(url), names)
            failed += code != 0
        print("\n".join(lines), flush=True)
        report += lines
    (out / "bench_load.md").write_text("\n".join(report), encoding="utf-8")
    print(f"reports in {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
