"""HTTP transport the way Entra's provisioning service connects: TLS it trusts, and a total deadline per call.

Two things httpx does not do on its own, hand-written here because no library offers them for httpx:

- **A total deadline.** httpx's timeouts bound each socket operation, so a target that sends one byte every
  30 seconds keeps a 60-second read timeout from ever firing, in the headers or in the body. `deadline()`
  sets the deadline of the calling thread's request, and `DeadlineBackend` (an httpcore network backend)
  clamps the timeout of every connect, TLS handshake, read and write to what is left of it, so the whole call
  ends within the deadline, however the target dribbles (Entra's 60 seconds, Q-60S).
- **Entra's trust.** A certificate must chain to a trusted root (the public roots, as in `certifi`, plus a
  test CA given as `ca_file`), the name must match, and TLS 1.2 is the least version offered (§2, D-SCIM).
"""

from __future__ import annotations

import contextlib
import functools
import os
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from typing import Any

import certifi
import httpcore
import httpx


class _Deadline(threading.local):
    at: float | None = None


_DEADLINE = _Deadline()


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Every network operation of this thread's request must end within `seconds` from now."""
    previous = _DEADLINE.at
    _DEADLINE.at = time.monotonic() + seconds
    try:
        yield
    finally:
        _DEADLINE.at = previous


def _remaining(timeout: float | None, expired: type[Exception]) -> float | None:
    at = _DEADLINE.at
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise expired("the call's total deadline passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _remaining(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _remaining(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        upgraded = self._stream.start_tls(
            ssl_context, server_hostname, _remaining(timeout, httpcore.ConnectTimeout)
        )
        return _DeadlineStream(upgraded)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's own socket backend, with every operation bounded by the calling thread's deadline."""

    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._backend.connect_tcp(
            host, port, _remaining(timeout, httpcore.ConnectTimeout), local_address, socket_options
        )
        return _DeadlineStream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("the simulator connects over TCP only")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


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


def deadline_transport(context: ssl.SSLContext, max_connections: int) -> httpx.HTTPTransport:
    """httpx's own transport over a connection pool whose sockets keep the call's deadline.

    httpx 0.28 has no parameter for httpcore's network backend, so the pool it built is replaced by one that
    uses `DeadlineBackend`; the pool's other settings are httpx's defaults (HTTP/1.1, no retries).
    """
    transport = httpx.HTTPTransport(verify=context, retries=0)
    transport._pool = httpcore.ConnectionPool(
        ssl_context=context,
        max_connections=max_connections,
        max_keepalive_connections=max_connections,
        keepalive_expiry=5.0,
        http1=True,
        http2=False,
        retries=0,
        network_backend=DeadlineBackend(),
    )
    return transport
