"""What the benchmarks share: servers in their own processes, CPU and memory read from /proc, a heartbeat.

Every figure on this 2-core machine is shared with other work, so the benchmarks measure CPU time (user +
system, all threads, read from `/proc/<pid>/stat`) beside wall time: CPU per request holds still when the load
moves wall time by half. A target runs in its own process (`ServerProcess`), never in the benchmark's own, so
the two never share a GIL and each one's CPU is its own.

Linux only (`/proc`), like the machine the figures come from.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

TOKEN = "bench-token-0123456789abcdef"
HERE = Path(__file__).resolve().parent
HEARTBEAT_S = 5.0
_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int | None = None) -> float:
    """User + system CPU seconds of a whole process (every thread), from /proc."""
    with open(f"/proc/{pid or os.getpid()}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def rss_bytes(pid: int | None = None) -> int:
    """Resident memory of a process now (VmRSS), in bytes."""
    with open(f"/proc/{pid or os.getpid()}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def load_average() -> str:
    """The 1-minute load average and the cores: how busy the shared machine was."""
    return f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServerProcess:
    """A server started as a child process on a free loopback port; ready once it accepts a connection."""

    def __init__(self, name: str, argv: list[str], port: int, url: str, env: dict[str, str] | None = None):
        self.name, self.port, self.url = name, port, url
        self._argv, self._env = argv, env
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def cpu(self) -> float:
        """CPU seconds the server has used so far."""
        return cpu_seconds(self.pid)

    def rss(self) -> int:
        return rss_bytes(self.pid)

    def __enter__(self) -> ServerProcess:
        env = {**os.environ, **(self._env or {})}
        self._process = subprocess.Popen(self._argv, env=env, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    self.__exit__(None, None, None)
                    raise RuntimeError(f"{self.name} did not start") from None
                time.sleep(0.1)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=30)


def emulator() -> ServerProcess:
    """`emulator serve` (kintone profile, SQLite in memory) with the bench token seeded."""
    port = free_port()
    code = f"from scim_harness.emulator.cli import emulator; emulator(['serve', '--port', '{port}'])"
    env = {"SCIM_HARNESS_TOKEN": TOKEN, "SCIM_HARNESS_ADMIN_PASSWORD": "bench"}
    url = f"http://127.0.0.1:{port}/scim/v2"
    return ServerProcess("the emulator", [sys.executable, "-c", code], port, url, env)


def null_target() -> ServerProcess:
    """bench/null_target.py: answers every SCIM call at once, so what is left is the client's own cost."""
    port = free_port()
    argv = [sys.executable, str(HERE / "null_target.py"), "--port", str(port)]
    return ServerProcess("the null target", argv, port, f"http://127.0.0.1:{port}/scim/v2")


class Heartbeat:
    """A line on stderr every few seconds while a long measurement runs (CI logs have no terminal)."""

    def __init__(self, label: str, status: Callable[[], str], interval: float = HEARTBEAT_S) -> None:
        self._label, self._status, self._interval = label, status, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True)
        self._began = time.monotonic()

    def _beat(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                status = self._status()
            except Exception as exc:  # a progress line must never end the measurement
                status = f"(no status: {type(exc).__name__})"
            elapsed = time.monotonic() - self._began
            print(f"  ... {self._label}: {status} · {elapsed:.0f} s", file=sys.stderr, flush=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=self._interval + 1)


class Usage:
    """Wall time, this process's CPU (every thread) and a server's CPU over a `with` block."""

    def __init__(self, server: ServerProcess | None = None) -> None:
        self.server = server
        self.wall = self.cpu = self.server_cpu = 0.0

    def __enter__(self) -> Usage:
        self._wall = time.perf_counter()
        self._cpu = time.process_time()
        self._server = self.server.cpu() if self.server else 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu
        self.server_cpu = (self.server.cpu() if self.server else 0.0) - self._server
