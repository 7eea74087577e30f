"""Faulty SCIM targets on 127.0.0.1, each a few lines of raw socket code: what a broken network does.

`FaultServer(kind)` accepts connections in a thread and misbehaves one way on every request after the first
`healthy` ones (which it answers as an empty, valid SCIM ListResponse, so Test Connection can pass first):

    never     reads the request and never answers
    trickle   answers one byte every `pace` seconds, forever
    reset     closes the connection with a TCP reset
    500       HTTP 500 with a SCIM Error body
    429       HTTP 429 with Retry-After: 1
    huge      a 200 answer that never ends (chunked, a megabyte at a time)
    garbage   bytes that are not HTTP
    redirect  HTTP 302 to the same URL
    echo      HTTP 500 whose body echoes the Authorization header raw, base64 and percent-encoded

Everything is bounded: the server stops when the test ends, and a slow fault stops writing when the client
goes away. Tests use it to prove the simulator ends, cleanly and quickly, whatever the target does.
"""

from __future__ import annotations

import base64
import contextlib
import json
import socket
import struct
import threading
from typing import Self
from urllib.parse import quote

KINDS = ("never", "trickle", "reset", "500", "429", "huge", "garbage", "redirect", "echo")
EMPTY_LIST = json.dumps(
    {"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 0, "Resources": []}
).encode()


def _answer(status: str, body: bytes, extra: str = "") -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Type: application/scim+json\r\nContent-Length: {len(body)}\r\n"
    return (head + extra + "\r\n").encode() + body


class RawServer:
    """A raw-socket HTTP/1.1 server on 127.0.0.1: accepts in a thread, frames each request by its
    Content-Length and hands it to `handle`; counts connections (all, and open at once). The base of the
    fault servers here and of tests/simulator/test_http1.py's recording server."""

    def __init__(self) -> None:
        self.connections = 0
        self.open_now = 0
        self.most_open = 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self._sock.settimeout(0.1)
        self._threads: list[threading.Thread] = []
        self._accepting = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}/scim/v2"

    def __enter__(self) -> Self:
        self._accepting.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._accepting.join(timeout=5)
        self._sock.close()
        for thread in list(self._threads):
            thread.join(timeout=5)

    def handle(self, conn: socket.socket, head: bytes, body: bytes) -> bool:
        """Answer one request; False when the connection is done with."""
        raise NotImplementedError

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            with self._lock:
                self.connections += 1
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(0.1)
        with self._lock:
            self.open_now += 1
            self.most_open = max(self.most_open, self.open_now)
        try:
            with contextlib.closing(conn):
                self._read(conn)
        finally:
            with self._lock:
                self.open_now -= 1

    def _read(self, conn: socket.socket) -> None:
        buffer = b""
        while not self._stop.is_set():
            try:
                data = conn.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not data:
                return
            buffer += data
            while b"\r\n\r\n" in buffer:
                head, _, rest = buffer.partition(b"\r\n\r\n")
                length = _content_length(head)
                if len(rest) < length:
                    break
                buffer = rest[length:]
                if not self.handle(conn, head, rest[:length]):
                    return


class FaultServer(RawServer):
    def __init__(self, kind: str, *, healthy: int = 0, pace: float = 0.2) -> None:
        assert kind in KINDS, kind
        super().__init__()
        self.kind = kind
        self.healthy = healthy
        self.pace = pace
        self.requests = 0

    def handle(self, conn: socket.socket, head: bytes, body: bytes) -> bool:
        with self._lock:
            self.requests += 1
            number = self.requests
        if number <= self.healthy:
            conn.sendall(_answer("200 OK", EMPTY_LIST))
            return True
        return self._misbehave(conn, head)

    def _misbehave(self, conn: socket.socket, head: bytes) -> bool:
        """Do the fault; False when the connection is done with."""
        kind = self.kind
        if kind == "never":
            self._stop.wait()
            return False
        if kind == "trickle":
            for byte in _answer("200 OK", EMPTY_LIST):
                if self._stop.wait(self.pace):
                    return False
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return False
            return False
        if kind == "reset":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return False
        if kind == "500":
            conn.sendall(_answer("500 Internal Server Error", b'{"detail":"the server is broken"}'))
            return True
        if kind == "429":
            conn.sendall(_answer("429 Too Many Requests", b'{"detail":"slow down"}', "Retry-After: 1\r\n"))
            return True
        if kind == "huge":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\n")
            conn.sendall(b"Transfer-Encoding: chunked\r\n\r\n")
            chunk = b"x" * (1024 * 1024)
            frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
            while not self._stop.is_set():
                try:
                    conn.sendall(frame)
                except OSError:
                    return False
            return False
        if kind == "garbage":
            conn.sendall(b"\x16\x03\x01\x00\xff garbage \x00\x1b[31m not http\r\n\r\n")
            return False
        if kind == "redirect":
            path = head.split(b" ", 2)[1].decode()
            conn.sendall(_answer("302 Found", b"", f"Location: {path}\r\n"))
            return True
        # echo: the token back in every form a careless server might use, and terminal escapes, as plain text
        token = _token(head)
        said = (
            f"bad token {token} b64={base64.b64encode(token.encode()).decode()} pct={quote(token, safe='')}"
            f" header={_header(head, 'authorization')} \x1b[2J\x1b]0;owned\x07\r\n[bold]markup[/]"
        )
        conn.sendall(_answer("500 Internal Server Error", said.encode()))
        return True


def _content_length(head: bytes) -> int:
    value = _header(head, "content-length")
    return int(value) if value.isdigit() else 0


def _header(head: bytes, name: str) -> str:
    for line in head.decode("latin-1").split("\r\n")[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == name:
            return value.strip()
    return ""


def _token(head: bytes) -> str:
    return _header(head, "authorization").removeprefix("Bearer ").strip()
