"""`scim-harness emulator serve` in a process of its own, as CI runs it, that a test can kill -9."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx

TOKEN = "kill9-token-0123456789abcdef"
STARTUP_S = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class EmulatorProcess:
    """The emulator on a SQLite file, on loopback; `kill()` is kill -9 (no clean-up of any kind)."""

    def __init__(self, db_path: Path, port: int | None = None) -> None:
        self.db_path = db_path
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def scim_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/scim/v2"

    def start(self) -> EmulatorProcess:
        code = "from scim_harness.cli import main; main()"
        command = [
            sys.executable,
            "-c",
            code,
            "emulator",
            "serve",
            "--db",
            str(self.db_path),
            "--port",
            str(self.port),
        ]
        self.process = subprocess.Popen(
            command,
            env={**os.environ, "SCIM_HARNESS_TOKEN": TOKEN},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + STARTUP_S
        while True:
            try:
                answer = httpx.get(self.scim_url + "/ServiceProviderConfig", timeout=1.0)
                if answer.status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if self.process.poll() is not None:
                stderr = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"the emulator did not start: {stderr.strip()}")
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError("the emulator did not start in time")
            time.sleep(0.05)

    def kill(self) -> None:
        """kill -9: the process gets no chance to flush, close or unlock anything."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.process is not None and self.process.stderr is not None:
            self.process.stderr.close()

    def __enter__(self) -> EmulatorProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def stored_logins(db_path: Path) -> list[str]:
    """Every login name in the database, read as it is on disk (a connection of our own, read-only)."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        return [row[0] for row in conn.execute("SELECT user_name FROM users")]


def integrity(db_path: Path) -> str:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
