"""Hardening figures (issue 10): the longer versions of the CI checks, and the figures of docs/hardening.md.

    .venv/bin/python bench/bench_hardening.py [--fuzz-examples 5000] [--seeds 1 2] [--kill-users 10000]
        [--sim-timeout 60] [--only fuzz filter throttle body second kill9 faults]

- fuzz: the CI fuzz (tests/emulator/fuzz.py) with more sequences and several seeds: tens of thousands of
  hostile requests; answers by status, 5xx, dropped connections, changes on refusal, invariants.
- filter: a 2,000-term `or` over 5,000 users, an expensive 50-term filter, the 2,000-term one with only the
  time limit; each five times, with the lookups sent meanwhile timed.
- throttle: 1,000 wrong administrator passwords.
- body: 300 MB sent to the admin API and to SCIM of `emulator serve`; time to the 413 and the process's
  peak memory (VmHWM) before and after.
- second: a second `emulator serve` on the same database file.
- kill9: kill -9 of `emulator serve` mid-cycle with `--kill-users` users.
- faults: `simulate` (its real entry point, its default 60 s timeout unless --sim-timeout) against each
  faulty target of tests/simulator/faults.py, failing from the first request or after Test Connection.

Exits 1 when a fuzz check or a kill -9 check fails (`make check-hardening` runs a shorter version).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scim_harness.emulator.assumptions import Assumptions
from tests.emulator.filter_stall import TERMS, or_filter, search_while_looking_up, started
from tests.emulator.fuzz import Fuzzer, fuzz_server
from tests.integration.emulator_process import TOKEN, EmulatorProcess
from tests.integration.kill9 import run_kill9
from tests.simulator.faults import FaultServer

SECTIONS = ("fuzz", "filter", "throttle", "body", "second", "kill9", "faults")
FAULTS = ("never", "trickle", "reset", "500", "429", "huge", "garbage", "redirect")
ADMIN_PASSWORD = "bench-admin-password"


def fuzz(examples: int, seeds: list[int]) -> int:
    """The number of failures (0 when every check held)."""
    print(f"\n== fuzz: {examples} sequences per seed, seeds {seeds}")
    failures = 0
    for seed in seeds:
        with tempfile.TemporaryDirectory(prefix="scim-fuzz-") as workdir:
            server, db_path = fuzz_server(Path(workdir))
            with server:
                report = Fuzzer(server, db_path).run(examples, seed)
        kinds = Counter(failure.split(":", 1)[0] for failure in report.failures)
        print(
            f"seed {seed}: {report.requests:,} requests in {report.sequences:,} sequences, "
            f"{report.seconds:.0f} s ({report.requests / report.seconds:.0f}/s); 5xx but 501: "
            f"{report.server_errors}; failures: {len(report.failures)} {dict(kinds)}; cut off mid-body: "
            f"{report.cut_off}; refused by the HTTP parser: {report.http_layer_400}; slowest answer "
            f"{report.slowest_seconds:.2f} s"
        )
        print(f"  statuses: {dict(sorted(report.statuses.items()))}")
        for failure in report.failures[:5]:
            print(f"  {failure[:300]}")
        failures += len(report.failures) + report.server_errors
    return failures


def filters(repeat: int = 5) -> None:
    print("\n== filter cost over 5,000 users (answer; slowest lookup sent meanwhile), worst of", repeat)
    cases = [
        ("2,000-term or (default limits)", None, or_filter(TERMS)),
        ("50-term co, not indexed", None, or_filter(50, 'displayName co "nobody {}"')),
        ("2,000-term or, time limit only", Assumptions(filter_max_comparisons=10**6), or_filter(TERMS)),
    ]
    for name, assumptions, text in cases:
        server = started(assumptions)
        try:
            runs = [search_while_looking_up(server, text) for _ in range(repeat)]
        finally:
            server.stop()
        statuses = sorted({f"{r.status} {r.body.get('scimType', '')}".strip() for r in runs})
        print(
            f"{name:34} {', '.join(statuses):18} answer {max(r.seconds for r in runs):6.3f} s; "
            f"meanwhile {max(max(r.meanwhile) for r in runs):6.3f} s "
            f"({sum(len(r.meanwhile) for r in runs)} lookups)"
        )


def throttle() -> None:
    import base64

    import httpx

    print("\n== 1,000 wrong administrator passwords")
    wrong = {"X-Cybozu-Authorization": base64.b64encode(b"Administrator:guess").decode()}
    with tempfile.TemporaryDirectory() as workdir:
        server, _ = fuzz_server(Path(workdir))
        with server, httpx.Client(base_url=server.base_url, timeout=10) as http:
            began = time.perf_counter()
            statuses = Counter(http.get("/_emulator/tokens", headers=wrong).status_code for _ in range(1_000))
            seconds = time.perf_counter() - began
    print(f"{seconds:.2f} s: {statuses[401]} checked (401), {statuses[429]} refused unread (429)")


def _peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _stream(port: int, path: str, headers: str, size: int) -> tuple[str, float]:
    """Send `size` bytes of body (announced), reading the answer as soon as it comes; (status line, s)."""
    began = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(f"PUT {path} HTTP/1.1\r\nHost: x\r\n{headers}Content-Length: {size}\r\n\r\n".encode())
        sock.setblocking(False)
        chunk, sent, answer = b" " * 1_048_576, 0, b""
        while sent < size and b"\r\n" not in answer:
            try:
                sent += sock.send(chunk[: size - sent])
            except BlockingIOError:
                time.sleep(0.001)
            except OSError:
                break
            with contextlib.suppress(BlockingIOError):
                answer += sock.recv(4096)
        sock.setblocking(True)
        while b"\r\n" not in answer:
            data = sock.recv(4096)
            if not data:
                break
            answer += data
    return answer.split(b"\r\n", 1)[0].decode(), time.perf_counter() - began


def body() -> None:
    import base64

    print("\n== 300 MB bodies to emulator serve")
    admin = base64.b64encode(f"Administrator:{ADMIN_PASSWORD}".encode()).decode()
    os.environ["SCIM_HARNESS_ADMIN_PASSWORD"] = ADMIN_PASSWORD
    with tempfile.TemporaryDirectory() as workdir, EmulatorProcess(Path(workdir) / "b.sqlite") as emulator:
        assert emulator.process is not None
        before = _peak_kib(emulator.process.pid)
        for path, headers in (
            ("/_emulator/clock", f"X-Cybozu-Authorization: {admin}\r\n"),
            ("/scim/v2/Users/1", f"Authorization: Bearer {TOKEN}\r\nContent-Type: application/scim+json\r\n"),
        ):
            status, seconds = _stream(emulator.port, path, headers, 300_000_000)
            print(f"PUT {path}: {status!r} after {seconds:.3f} s")
        after = _peak_kib(emulator.process.pid)
        print(f"peak memory of the emulator: {before / 1024:.0f} MiB before, {after / 1024:.0f} MiB after")


def second() -> None:
    print("\n== a second emulator serve on the same database file")
    with tempfile.TemporaryDirectory() as workdir, EmulatorProcess(Path(workdir) / "s.sqlite") as first:
        code = "from scim_harness.cli import main; main()"
        began = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-c", code, "emulator", "serve", "--db", str(first.db_path), "--port", "0"],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "SCIM_HARNESS_TOKEN": TOKEN},
        )
        seconds = time.perf_counter() - began
    print(f"exit {result.returncode} after {seconds:.2f} s: {result.stderr.strip()}")


def kill9(users: int) -> int:
    print(f"\n== kill -9 mid-cycle, {users:,} users")
    with tempfile.TemporaryDirectory() as workdir:
        report = run_kill9(Path(workdir), users)
    print(
        f"killed with {report.stored_at_kill:,} stored, {len(report.acknowledged):,} acknowledged; lost "
        f"{len(report.lost)}; caught up in {report.catch_up_cycles} cycle(s), "
        f"{report.catch_up_seconds:.1f} s; missing {len(report.missing)}, duplicates "
        f"{len(report.duplicates)}; integrity {report.integrity}"
    )
    return len(report.lost) + len(report.missing) + len(report.duplicates) + (report.integrity != "ok")


def faults(timeout: float | None) -> None:
    print(f"\n== simulate against faulty targets (timeout {timeout or 'default, 60'} s)")
    code = "from scim_harness.cli import main; main()"
    extra = ["--timeout", str(timeout)] if timeout else []
    for healthy in (0, 1):
        for kind in FAULTS:
            with FaultServer(kind, healthy=healthy) as target:
                began = time.perf_counter()
                result = subprocess.run(
                    [sys.executable, "-c", code, "simulate", "--target", target.url, "--users", "3", "--seed",
                     "1", *extra],
                    capture_output=True,
                    text=True,
                    timeout=600,
                    env={**os.environ, "SCIM_HARNESS_TOKEN": TOKEN},
                )  # fmt: skip
                seconds = time.perf_counter() - began
            errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
            when = "after Test Connection" if healthy else "from the first request"
            print(f"{kind:9} {when:22} exit {result.returncode} after {seconds:6.1f} s: {errors[:1]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--fuzz-examples", type=int, default=5_000, help="hostile sequences per seed")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--kill-users", type=int, default=10_000)
    parser.add_argument("--sim-timeout", type=float, default=None, help="simulate --timeout (default: 60)")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS))
    args, _ = parser.parse_known_args()  # run_all.py passes every benchmark the same arguments
    logging.getLogger("uvicorn.error").setLevel(logging.ERROR)
    failures = 0
    if "fuzz" in args.only:
        failures += fuzz(args.fuzz_examples, args.seeds)
    if "filter" in args.only:
        filters()
    if "throttle" in args.only:
        throttle()
    if "body" in args.only:
        body()
    if "second" in args.only:
        second()
    if "kill9" in args.only:
        failures += kill9(args.kill_users)
    if "faults" in args.only:
        faults(args.sim_timeout)
    if failures:
        print(f"\n{failures} check(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
