"""Run the emulator in a background thread on 127.0.0.1, for tests, fixtures and drivers."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

import uvicorn

from scim_harness.emulator.app import build_app
from scim_harness.emulator.config import EmulatorConfig
from scim_harness.emulator.state import EmulatorState

STARTUP_TIMEOUT_S = 10.0


class EmulatorServer:
    """`with EmulatorServer(EmulatorConfig()) as server: server.scim_url ...`; port 0 picks a free port."""

    def __init__(
        self, config: EmulatorConfig | None = None, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.config = config or EmulatorConfig()
        self.host = host
        self.port = port
        self.state: EmulatorState | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def scim_url(self) -> str:
        return f"{self.base_url}{self.config.base_path}"

    @property
    def admin_login(self) -> str:
        return self.config.admin_login

    @property
    def admin_password(self) -> str:
        return self.config.admin_password

    def start(self) -> EmulatorServer:
        if self._thread is not None:
            raise RuntimeError("the emulator is already running")
        self.state = EmulatorState(self.config)
        app = build_app(self.config, self.state)
        # Bind here so the port is known (and ours) before uvicorn serves on it. IPPROTO_TCP so asyncio sets
        # TCP_NODELAY on accepted connections; without it every answer waits ~40 ms for a delayed ACK.
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((self.host, self.port))
        self.port = self._socket.getsockname()[1]
        uv_config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(uv_config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name="emulator", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the emulator did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=STARTUP_TIMEOUT_S)
        if self._socket is not None:
            self._socket.close()
        if self.state is not None:
            self.state.close()
        self._server = self._thread = self._socket = None
        self.state = None

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
