"""Headless Debian chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`).

`--dump-dom` shows a page as it first renders; the Allure report folds its tree, so reading every test's
name needs clicks. The protocol runs over two pipes (chromium reads commands on fd 3, writes on fd 4, each
message JSON ended by NUL), so no websocket library is needed. A tiny Python launcher puts the pipes on fds 3
and 4 and execs chromium (no preexec_fn in a threaded test process).
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CHROMIUM_NAMES = ("chromium", "chromium-browser")
DEADLINE_S = 120.0
_LAUNCHER = (
    "import os, sys; r, w = int(sys.argv[1]), int(sys.argv[2]); "
    "a, b = os.dup(r), os.dup(w); os.dup2(a, 3); os.dup2(b, 4); "
    "os.set_inheritable(3, True); os.set_inheritable(4, True); os.execv(sys.argv[3], sys.argv[3:])"
)


HEADLESS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--disable-breakpad",
)
"""A quiet headless chromium: no sandbox (tests run as root in containers), no network of its own, no crash
reports; every chromium the tests start has these switches."""


def chromium_binary() -> str | None:
    return next((path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None)


class ChromiumPage:
    """One page of a headless chromium; `evaluate(js)` runs JavaScript in it and returns the value."""

    def __init__(self, url: str, *, binary: str | None = None) -> None:
        binary = binary or chromium_binary()
        if binary is None:
            raise RuntimeError("Debian's chromium is needed (apt-get install chromium)")
        # A short path of its own: chromium puts a unix socket in the profile, and those paths are short.
        self._profile = Path(tempfile.mkdtemp(prefix="chromium-"))
        profile = self._profile
        to_chromium_r, self._to_chromium = os.pipe()
        self._from_chromium, from_chromium_w = os.pipe()
        arguments = [
            binary,
            *HEADLESS,
            f"--user-data-dir={profile}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        self._process = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, str(to_chromium_r), str(from_chromium_w), *arguments],
            pass_fds=(to_chromium_r, from_chromium_w),
            env={**os.environ, "HOME": str(profile)},  # chromium writes dconf and crash files to HOME
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_chromium_r)
        os.close(from_chromium_w)
        self._next_id = 0
        self._buffer = b""
        target = self._call("Target.createTarget", {"url": url})["targetId"]
        self._session = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        self._wait_for_load(url)

    def _wait_for_load(self, url: str) -> None:
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline:
            try:
                if self.evaluate("document.readyState === 'complete' && location.href") == url:
                    return
            except RuntimeError as exc:  # the blank page's context goes away as the page loads
                if "context" not in str(exc).lower():
                    raise
            time.sleep(0.1)
        raise RuntimeError(f"chromium did not load {url} in time")

    def evaluate(self, expression: str) -> Any:
        """Runs `expression` (a promise is awaited) and returns its value as JSON data."""
        answer = self._call(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            session=self._session,
        )
        if "exceptionDetails" in answer:
            raise RuntimeError(f"JavaScript failed: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    def close(self) -> None:
        try:
            self._call("Browser.close", {})
        except (OSError, RuntimeError):
            pass
        finally:
            for fd in (self._to_chromium, self._from_chromium):
                os.close(fd)
            try:
                self._process.wait(30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(30)
            shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> ChromiumPage:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the protocol --

    def _call(self, method: str, params: dict[str, Any], session: str | None = None) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self._to_chromium, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + DEADLINE_S
        while True:
            answer = self._receive(deadline)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_chromium], [], [], left)[0]:
                raise RuntimeError("chromium did not answer in time")
            chunk = os.read(self._from_chromium, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)
