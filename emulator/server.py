"""Run the emulator in a background thread on 127.0.0.1, for tests, fixtures and drivers; and the one
uvicorn configuration both this and `emulator serve` use."""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn

from scim_harness.emulator.app import build_app
from scim_harness.emulator.config import EmulatorConfig
from scim_harness.emulator.http_protocol import BoundedHttpToolsProtocol
from scim_harness.emulator.state import EmulatorState
from scim_harness.emulator.tls import TlsFiles, issue_test_certificate

STARTUP_TIMEOUT_S = 10.0
# A request held open on purpose (users_never_answer) must not keep a stopping server alive.
GRACEFUL_SHUTDOWN_S = 2
# The server stack (bench/reference_server.py runs on the same one, so their figures compare).
HTTP_PROTOCOL: type = BoundedHttpToolsProtocol
EVENT_LOOP = "uvloop"


def uvicorn_config(app: Any, config: EmulatorConfig, tls: TlsFiles | None) -> uvicorn.Config:
    """Without trusted proxies, uvicorn must not believe X-Forwarded-For (it would by default from
    loopback): the IP allow list then sees only the socket's peer. httptools on uvloop for speed, bounded as
    h11 was (http_protocol)."""
    proxies = config.trusted_proxies
    return uvicorn.Config(
        app,
        http=HTTP_PROTOCOL,
        loop=EVENT_LOOP,
        log_level="warning",
        access_log=False,
        lifespan="off",
        proxy_headers=bool(proxies),
        forwarded_allow_ips=",".join(proxies) if proxies else "",
        ssl_certfile=tls.cert_file if tls else None,
        ssl_keyfile=tls.key_file if tls else None,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )


def listening_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket; IPPROTO_TCP so asyncio sets TCP_NODELAY on accepted connections (without it
    every answer waits ~40 ms for a delayed ACK). OSError when the address cannot be bound."""
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(2048)
    except OSError:
        listener.close()
        raise
    return listener


class EmulatorServer:
    """`with EmulatorServer(EmulatorConfig()) as server: server.scim_url ...`; port 0 picks a free port.

    tls=True serves HTTPS with a certificate from a new test CA (`.ca_pem`, `.ca_file` for clients);
    tls=TlsFiles(...) serves a given certificate and key."""

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: bool | TlsFiles = False,
    ) -> None:
        self.config = config or EmulatorConfig()
        self.host = host
        self.port = port
        self._tls_option = tls
        self.tls: TlsFiles | None = None
        self.ca_file: str | None = None
        self.state: EmulatorState | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._tls_dir: tempfile.TemporaryDirectory[str] | None = None

    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    @property
    def scim_url(self) -> str:
        return f"{self.base_url}{self.config.base_path}"

    @property
    def admin_login(self) -> str:
        return self.config.admin_login

    @property
    def admin_password(self) -> str:
        return self.config.admin_password

    @property
    def ca_pem(self) -> bytes | None:
        return self.tls.ca_pem if self.tls else None

    def _prepare_tls(self) -> None:
        if self._tls_option is True:
            self._tls_dir = tempfile.TemporaryDirectory(prefix="scim-emulator-tls-")
            self.tls = issue_test_certificate(Path(self._tls_dir.name))
            self.ca_file = str(Path(self._tls_dir.name) / "ca.pem")
            Path(self.ca_file).write_bytes(self.tls.ca_pem or b"")
        elif isinstance(self._tls_option, TlsFiles):
            self.tls = self._tls_option

    def start(self) -> EmulatorServer:
        if self._thread is not None:
            raise RuntimeError("the emulator is already running")
        self._prepare_tls()
        self.state = EmulatorState(self.config)
        app = build_app(self.config, self.state)
        # Bind here so the port is known (and ours) before uvicorn serves on it.
        self._socket = listening_socket(self.host, self.port)
        self.port = self._socket.getsockname()[1]
        self._server = uvicorn.Server(uvicorn_config(app, self.config, self.tls))
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
            self._thread.join(timeout=STARTUP_TIMEOUT_S + GRACEFUL_SHUTDOWN_S)
        if self._socket is not None:
            self._socket.close()
        if self.state is not None:
            self.state.close()
        if self._tls_dir is not None:
            self._tls_dir.cleanup()
        self._server = self._thread = self._socket = self._tls_dir = None
        self.state = None

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
