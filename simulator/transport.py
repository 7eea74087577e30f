"""The connections Entra's provisioning service calls over: TLS it trusts, a bounded pool, a total deadline.

Hand-written rather than httpx's transport, for speed (issue 13: httpx's stack cost more CPU per request than
the simulator's whole budget; see `simulator.http1` and docs/performance.md), keeping what the simulator owes
its users:

- **A total deadline per call.** `ConnectionPool.exchange(..., deadline=)` bounds every step by what is left
  of one deadline: the wait for a free connection, connect, the TLS handshake, each write and each read. A
  target that sends one byte every 30 seconds cannot keep a call alive past Entra's 60 seconds (Q-60S).
- **A size limit** on the answer (`simulator.http1`).
- **Entra's trust.** A certificate must chain to a trusted root (the public roots, as in `certifi`, plus a
  test CA given as `ca_file`), the name must match, and TLS 1.2 is the least version offered (§2, D-SCIM).
- **A bounded pool.** At most `max_connections` connections are open at once; an idle one is kept for
  `KEEPALIVE_S` seconds and dropped when the target closed it (checked before each reuse), as httpcore did.
- **The same request target httpx sent.** A target of plain characters goes out as written; anything httpx
  would have re-encoded (spaces, non-ASCII, `"<>{}`, dot segments, a `#`) goes through `httpx.URL` itself.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import select
import socket
import ssl
import threading
import time
from dataclasses import dataclass

import certifi
import httpx

from scim_harness.simulator.http1 import (
    Answer,
    CallTimeout,
    ConnectError,
    Reader,
    WriteError,
    read_answer,
    request_bytes,
)

KEEPALIVE_S = 5.0
"""How long an idle connection is kept (httpx's default before, which the simulator used)."""
# Characters httpx sends unchanged in a path or a query (tests/simulator/test_http1.py checks each one).
_PLAIN_TARGET = re.compile(r"/[!$%&'()*+,\-./0-9:;=?@A-Z\[\\\]^_a-z|~]*")


def tls_context(ca_file: str | None = None) -> ssl.SSLContext:
    """Public roots plus `ca_file` (a PEM test CA), names checked, TLS 1.2 or newer; ValueError if bad.

    One context per CA file (and its modification time), shared by every client: reading the public roots
    costs tens of milliseconds, and an SSLContext is made to be shared (nothing changes it after this)."""
    try:
        stamp = os.stat(ca_file).st_mtime_ns if ca_file else None
    except OSError:
        stamp = None  # _new_context says what is wrong with the file
    return _shared_context(ca_file or None, stamp)


@functools.lru_cache(maxsize=16)
def _shared_context(ca_file: str | None, stamp: int | None) -> ssl.SSLContext:
    return _new_context(ca_file)


def _new_context(ca_file: str | None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=certifi.where())
    if ca_file:
        try:
            context.load_verify_locations(cafile=ca_file)
        except (OSError, ssl.SSLError) as exc:
            reason = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or exc
            raise ValueError(f"cannot use CA file {ca_file}: {reason}") from None
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a URL's requests go: the socket address, the Host header, TLS or not."""

    tls: bool
    host: str
    """The host to connect to and to name in TLS (IDNA-encoded, IPv6 without brackets)."""
    port: int
    host_header: str

    @classmethod
    def of(cls, url: str) -> Origin:
        parsed = httpx.URL(url)
        tls = parsed.scheme == "https"
        port = parsed.port or (443 if tls else 80)
        return cls(tls, parsed.raw_host.decode("ascii"), port, parsed.netloc.decode("ascii"))


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of an absolute http(s) URL, as written."""
    start = url.find("//") + 2
    ends = [i for i in (url.find("/", start), url.find("?", start)) if i >= 0]
    return url[: min(ends)] if ends else url


def request_target(url: str, origin: str) -> str:
    """The request target of `url` (which starts with `origin`) exactly as httpx would have sent it."""
    target = url[len(origin) :] or "/"
    if target[0] != "/":
        target = "/" + target
    if _PLAIN_TARGET.fullmatch(target) and "/." not in target.split("?", 1)[0]:
        return target
    return httpx.URL(url).raw_path.decode("ascii")


class _Connection:
    __slots__ = ("idle_since", "poll", "reader", "sock")

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.reader = Reader(sock, bytearray())
        self.idle_since = 0.0
        self.poll = select.poll()
        self.poll.register(sock, select.POLLIN)

    def stale(self, now: float) -> bool:
        """Idle too long, or the target closed it (or sent something unasked) while it was idle."""
        if now - self.idle_since > KEEPALIVE_S or self.reader.buffer:
            return True
        try:
            return bool(self.poll.poll(0))
        except (OSError, ValueError):
            return True

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


class ConnectionPool:
    """Keep-alive HTTP/1.1 connections to any origin, at most `max_connections` open at once; thread-safe."""

    def __init__(self, context: ssl.SSLContext, max_connections: int) -> None:
        self._context = context
        self._max = max_connections
        self._idle: dict[Origin, list[_Connection]] = {}
        self._open = 0
        self._closed = False
        self._free = threading.Condition(threading.Lock())
        self._waiting = 0
        self._origins: dict[str, Origin] = {}

    def exchange(
        self,
        method: str,
        origin: str,
        target: str,
        head: str,
        body: bytes | None,
        *,
        deadline: float,
        limit: int,
    ) -> Answer:
        """Send one request to `origin` (`origin_of`) and read its whole answer.

        `target` is the request target (`request_target`), `head` the checked header lines (`http1`).
        Raises CallTimeout, TooLarge or a TransportFailure; never leaves a broken connection in the pool.
        """
        where = self._origins.get(origin)
        if where is None:
            where = self._origins.setdefault(origin, Origin.of(origin))
        data = request_bytes(method, target, where.host_header, head, body)
        connection = self._acquire(where, deadline)
        try:
            if connection is None:
                connection = self._connect(where, deadline)
            connection.reader.deadline = deadline
            self._write(connection, data, deadline)
            answer = read_answer(connection.reader, method, limit)
        except BaseException:
            self._release(where, connection, keep=False)
            raise
        self._release(where, connection, keep=answer.reusable)
        return answer

    def close(self) -> None:
        with self._free:
            self._closed = True
            idle, self._idle = self._idle, {}
            for connections in idle.values():
                for connection in connections:
                    connection.close()
                    self._open -= 1
            self._free.notify_all()

    # ---- connections --------------------------------------------------------------------------------------

    def _acquire(self, origin: Origin, deadline: float) -> _Connection | None:
        """An idle connection to `origin`, or None with a slot reserved for a new one."""
        with self._free:
            while True:
                now = time.monotonic()
                idle = self._idle.get(origin)
                while idle:
                    connection = idle.pop()
                    if not connection.stale(now):
                        return connection
                    connection.close()
                    self._open -= 1
                if self._open < self._max:
                    self._open += 1
                    return None
                if not self._drop_idle_elsewhere():
                    left = deadline - now
                    if left <= 0:
                        raise CallTimeout
                    self._waiting += 1
                    try:
                        if not self._free.wait(left):
                            raise CallTimeout
                    finally:
                        self._waiting -= 1

    def _drop_idle_elsewhere(self) -> bool:
        """Close one idle connection to another origin to make room (the Tenant URL changed)."""
        for connections in self._idle.values():
            if connections:
                connections.pop(0).close()
                self._open -= 1
                return True
        return False

    def _release(self, origin: Origin, connection: _Connection | None, *, keep: bool) -> None:
        with self._free:
            if connection is not None and keep and not self._closed:
                connection.idle_since = time.monotonic()
                self._idle.setdefault(origin, []).append(connection)
            else:
                if connection is not None:
                    connection.close()
                self._open -= 1
            if self._waiting:
                self._free.notify()

    def _connect(self, origin: Origin, deadline: float) -> _Connection:
        left = deadline - time.monotonic()
        if left <= 0:
            raise CallTimeout
        try:
            sock = socket.create_connection((origin.host, origin.port), timeout=left)
        except TimeoutError:
            raise CallTimeout from None
        except OSError as exc:
            raise ConnectError(str(exc)) from exc
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if origin.tls:
                sock = self._handshake(sock, origin, deadline)
        except BaseException:
            sock.close()
            raise
        return _Connection(sock)

    def _handshake(self, sock: socket.socket, origin: Origin, deadline: float) -> ssl.SSLSocket:
        left = deadline - time.monotonic()
        if left <= 0:
            raise CallTimeout
        try:
            tls = self._context.wrap_socket(sock, server_hostname=origin.host, do_handshake_on_connect=False)
            tls.settimeout(left)  # the whole handshake is one blocking call bounded by this
            tls.do_handshake()
        except TimeoutError:
            raise CallTimeout from None
        except (OSError, ssl.SSLError) as exc:  # SSLCertVerificationError is read by the client's message
            raise ConnectError(str(exc)) from exc
        return tls

    @staticmethod
    def _write(connection: _Connection, data: bytes, deadline: float) -> None:
        began = time.monotonic()
        left = deadline - began
        if left <= 0:
            raise CallTimeout
        try:
            connection.sock.settimeout(left)
            connection.sock.sendall(data)  # one deadline for the whole write (Python 3.5+)
        except TimeoutError:
            raise CallTimeout from None
        except OSError as exc:
            raise WriteError(str(exc)) from exc
        # The first read may keep the timeout just set, when the write took no time to speak of: the read
        # then still ends within a millisecond of the deadline. Saves a system call per request.
        connection.reader.armed = time.monotonic() - began < 0.001


__all__ = ["ConnectionPool", "Origin", "origin_of", "request_target", "tls_context"]
