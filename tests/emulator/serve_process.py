"""`emulator serve` in a child process on a free loopback port, for the tests of the command itself."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence

import httpx

_CODE = "from scim_harness.emulator.cli import emulator; emulator()"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_once[T](
    port: int,
    arguments: Sequence[str],
    env: dict[str, str],
    call: Callable[[], T],
    *,
    retry_on: tuple[type[BaseException], ...] = (httpx.TransportError,),
    deadline_s: float = 20.0,
) -> tuple[T, str]:
    """Starts `emulator serve --port PORT ARGUMENTS` with `env` over the environment, makes `call` once the
    server answers (retrying it on `retry_on` until the deadline) and stops the server: what `call` returned
    and what the command wrote to the terminal."""
    process = subprocess.Popen(
        [sys.executable, "-c", _CODE, "serve", "--port", str(port), *arguments],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + deadline_s
        while True:
            try:
                response = call()
                break
            except retry_on:
                assert time.monotonic() < deadline and process.poll() is None, (
                    f"serve {arguments} did not start"
                )
                time.sleep(0.05)
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    return response, output
