"""The emulator beside a bare reference server, with 10,000 and 1,000,000 users stored (issue 13).

For each call Entra makes (`GET /Users?filter=userName eq "..."` that matches and one that finds nothing, the
probe before a create; `GET /Users/{id}`; `PATCH /Users/{id}`; `POST /Users`) prints requests/s of the
emulator and of bench/reference_server.py (plain Starlette, the same indexed SQLite query, the same JSON, the
same uvicorn stack), their ratio, p50/p95 latency and each server's CPU per request (from /proc), and writes
the table into docs/performance.md (`bench:emulator`). Both run at once in their own process, each on its copy
of the same database file (the emulator locks its own), and take turns call by call, ROUNDS times (the best
round counts), under the same load generator: wrk (1 thread, CONCURRENCY keep-alive connections, a Lua script
writing each request), which costs the servers' two cores far less than a Python client would.
The database is bulk-loaded directly (SQLite, not HTTP); every run is bounded in time. Loopback only.

    .venv/bin/python bench/bench_emulator.py [--sizes 10000 1000000] [--seconds 3] [--cpu N] [--no-markdown]

`--cpu N` also measures the CPU time one request costs (N of each call, through the whole ASGI app in this
process, no network): on a shared box whose load moves the wall-clock figures by half, this one holds still.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from support import HERE, TOKEN, Heartbeat, ServerProcess, Usage, free_port, load_average
from tables import table, write_section

from scim_harness.emulator import kintone_rules
from scim_harness.emulator.rules import RuleSwitches
from scim_harness.emulator.server import EVENT_LOOP, HTTP_PROTOCOL
from scim_harness.emulator.store import Database, UserValues

CONCURRENCY = 8
ROUNDS = 2
TIMEOUT_S = 10.0
DOCS = HERE.parent / "docs" / "performance.md"


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


WRK_SCRIPT = r"""
local kind, size, prefix, token
local counter = 0
init = function(args)
  kind, size, prefix, token = args[1], tonumber(args[2]), args[3], args[4]
  math.randomseed(size)
end
local function pick() return math.random(0, size - 1) end
request = function()
  counter = counter + 1
  local headers = {["Authorization"] = "Bearer " .. token}
  if kind == "match" then
    local login = string.format("USER%07d%%40example.com", pick())  -- other case: the lookup is case-blind
    return wrk.format("GET", "/scim/v2/Users?filter=userName%20eq%20%22" .. login .. "%22", headers)
  elseif kind == "miss" then
    return wrk.format("GET", "/scim/v2/Users?filter=userName%20eq%20%22absent" .. prefix .. counter
      .. "%40example.com%22", headers)
  elseif kind == "id" then
    return wrk.format("GET", "/scim/v2/Users/" .. (pick() + 1), headers)
  end
  headers["Content-Type"] = "application/scim+json"
  if kind == "patch" then  -- as Entra sends it: capitalised op, Operations before schemas
    local body = '{"Operations": [{"op": "Replace", "path": "displayName", "value": "Renamed ' .. counter
      .. '"}], "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}'
    return wrk.format("PATCH", "/scim/v2/Users/" .. (pick() + 1), headers, body)
  end
  local login = prefix .. counter .. "@example.com"
  local body = '{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "' .. login
    .. '", "displayName": "New ' .. counter .. '", "active": true, "emails": [{"type": "work", "value": "'
    .. login .. '", "primary": true}]}'
  return wrk.format("POST", "/scim/v2/Users", headers, body)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK {\"requests\": %d, \"duration_us\": %d, \"p50_us\": %d, \"p95_us\": %d, \"bad\": %d}\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    e.connect + e.read + e.write + e.timeout + e.status))
end
"""
CALLS = [  # label, the wrk script's kind
    ("filter GET (match)", "match"),
    ("filter GET (no match)", "miss"),
    ("GET /Users/{id}", "id"),
    ("PATCH /Users/{id}", "patch"),
    ("POST /Users", "post"),
]
SIZE_NAMES = {10_000: "10k", 1_000_000: "1M"}


def emulator_process(db_path: str) -> ServerProcess:
    """`emulator serve` on the database, in its own process, as in CI."""
    port = free_port()
    code = "from scim_harness.emulator.cli import emulator; emulator()"
    argv = [sys.executable, "-c", code, "serve", "--port", str(port), "--db", db_path]
    env = {"SCIM_HARNESS_TOKEN": TOKEN, "SCIM_HARNESS_ADMIN_PASSWORD": "bench"}
    return ServerProcess("the emulator", argv, port, f"http://127.0.0.1:{port}/scim/v2", env)


def reference_process(db_path: str) -> ServerProcess:
    """bench/reference_server.py on the same database, in its own process."""
    port = free_port()
    argv = [sys.executable, str(HERE / "reference_server.py"), "--db", db_path, "--port", str(port)]
    return ServerProcess("the reference", argv, port, f"http://127.0.0.1:{port}/scim/v2")


@dataclass
class Figure:
    rate: float
    p50_ms: float
    p95_ms: float
    cpu_us: float


def wrk(server: ServerProcess, script: Path, kind: str, size: int, prefix: str, seconds: float) -> Figure:
    """One wrk run (one thread, CONCURRENCY keep-alive connections) and the server's CPU over it."""
    argv = ["wrk", "-t1", f"-c{CONCURRENCY}", f"-d{seconds:g}s", "--timeout", f"{TIMEOUT_S:g}s"]
    argv += ["-s", str(script), f"http://127.0.0.1:{server.port}", "--", kind, str(size), prefix, TOKEN]
    with Usage(server) as usage:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60, check=False)
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRK ")), None)
    if done.returncode or line is None:
        raise SystemExit(f"wrk failed: {done.stdout[-500:]} {done.stderr[-500:]}")
    result = json.loads(line[4:])
    if result["bad"] or not result["requests"]:
        raise SystemExit(f"{server.name}: {result['bad']} failed of {result['requests']} {kind} requests")
    requests = result["requests"]
    return Figure(
        requests / (result["duration_us"] / 1e6),
        result["p50_us"] / 1000,
        result["p95_us"] / 1000,
        usage.server_cpu / requests * 1e6,
    )


def check_plan(path: str) -> None:
    database = Database(path)
    # The query the emulator runs for `filter=userName eq "..."`, as kintone_rules builds it.
    plan = database.users.explain(kintone_rules.login_lookup("user0000001@example.com", RuleSwitches()))
    database.close()
    print("EXPLAIN QUERY PLAN of the userName lookup: " + "; ".join(plan))
    if not any("users_user_name_lower" in line for line in plan):
        raise SystemExit("the userName filter does not use the index")


def bench_size(size: int, seconds: float, workdir: Path, script: Path) -> list[list[str]]:
    """Every call against the emulator, then at once against the reference, on one database file."""
    path = str(workdir / f"bench-{size}.sqlite")
    started = time.perf_counter()
    bulk_load(path, size)
    print(f"\n== {size:,} users (bulk-loaded in {time.perf_counter() - started:.1f} s), {load_average()}")
    check_plan(path)
    rows: list[list[str]] = []
    header = f"{'call':22} {'emulator':>9} {'reference':>10} {'ratio':>6} {'p50/p95 ms':>12}"
    print(header + f" {'ref p50/p95':>12} {'CPU us':>7} {'ref CPU':>8}")
    status = {"now": "starting"}
    copy = str(workdir / f"bench-{size}-reference.sqlite")
    shutil.copyfile(path, copy)
    figures: dict[str, dict[str, Figure]] = {"emulator": {}, "reference": {}}
    with (
        Heartbeat(f"emulator bench, {size:,} users", lambda: status["now"]),
        emulator_process(path) as emulator,
        reference_process(copy) as reference,
    ):
        for round_number in range(ROUNDS):
            for label, kind in CALLS:
                for name, server in (("emulator", emulator), ("reference", reference)):
                    status["now"] = f"round {round_number + 1}/{ROUNDS}, {name}, {label}"
                    figure = wrk(server, script, kind, size, f"{name}{size}r{round_number}", seconds)
                    best = figures[name].get(kind)
                    if best is None or figure.rate > best.rate:
                        figures[name][kind] = figure
    for label, kind in CALLS:
        ours, ref = figures["emulator"][kind], figures["reference"][kind]
        ratio = ours.rate / ref.rate
        print(
            f"{label:22} {ours.rate:7.0f}/s {ref.rate:8.0f}/s {ratio:5.2f}x"
            f" {ours.p50_ms:5.2f}/{ours.p95_ms:<6.2f} {ref.p50_ms:5.2f}/{ref.p95_ms:<6.2f}"
            f" {ours.cpu_us:7.0f} {ref.cpu_us:8.0f}"
        )
        rows.append([
            SIZE_NAMES.get(size, f"{size:,}"), label, f"{ours.rate:,.0f}", f"{ref.rate:,.0f}",
            f"{ratio:.2f}x", f"{ours.p50_ms:.2f} / {ours.p95_ms:.2f}",
            f"{ref.p50_ms:.2f} / {ref.p95_ms:.2f}",
            f"{ours.cpu_us:.0f}", f"{ref.cpu_us:.0f}",
        ])  # fmt: skip
    return rows


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
    parser.add_argument(
        "--markdown", type=Path, default=DOCS, help="the page whose bench:emulator section gets the table"
    )
    parser.add_argument("--no-markdown", action="store_true", help="print only")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed as the load generator (Debian: apt-get install wrk)")
    if args.cpu:
        cpu_per_request(args.cpu)
    rows: list[list[str]] = []
    with tempfile.TemporaryDirectory(prefix="scim-emulator-bench-") as workdir:
        script = Path(workdir) / "calls.lua"
        script.write_text(WRK_SCRIPT, encoding="utf-8")
        for size in args.sizes:
            rows += bench_size(size, args.seconds, Path(workdir), script)
    if not args.no_markdown:
        header = ["users", "call", "emulator req/s", "reference req/s", "ratio", "emulator p50 / p95 ms",
                  "reference p50 / p95 ms", "emulator CPU µs/req", "reference CPU µs/req"]  # fmt: skip
        stack = f"uvicorn {HTTP_PROTOCOL.__name__}, loop {EVENT_LOOP}"
        note = (
            f"wrk, 1 thread, {CONCURRENCY} keep-alive connections, {args.seconds:g} s per call; {stack};"
            f" {load_average()} at the end; {time.strftime('%Y-%m-%d')}."
        )
        write_section(args.markdown, "emulator", table(header, rows, "llrrrrrrr") + "\n\n" + note)
        print(f"\ntable written to {args.markdown}")


if __name__ == "__main__":
    main()
