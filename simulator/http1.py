"""HTTP/1.1 on one connection, the way the simulator speaks it: the request's bytes, and a whole answer.

Hand-written on purpose (issue 13, docs/performance.md): httpx, httpcore and h11 together cost about 0.5 ms of
CPU per request on the development machine, more than the simulator's whole budget (0.3 ms), because they
serve every use of HTTP (streaming, HTTP/2, cookies, auth flows, redirects, event objects per message). The
simulator needs one narrow use: one request at a time per connection, HTTP/1.1, nothing followed, the answer
read whole within a size limit and a deadline. What this module does, and why it is enough:

- the request head: `Host` first, then the caller's headers in their order, then `Content-Length`: the bytes
  httpx sent before (tests/simulator/test_http1.py compares both byte for byte); header names and values are
  checked, so no value can inject a header line;
- the answer (RFC 9112): a status line `HTTP/1.x NNN reason`, header fields (obsolete line folding joined),
  interim 1xx answers skipped, the body framed by `Transfer-Encoding: chunked`, by `Content-Length`, or by the
  end of the connection; no body for HEAD, 1xx, 204 and 304. Anything else is a `RemoteProtocolError`;
- bounds: at most `MAX_HEAD_BYTES` of head and `limit` bytes of body (`TooLarge`, the answer is not read on),
  and every socket operation bounded by what is left of the call's total deadline (`CallTimeout`);
- a `Content-Encoding` is not decoded: the simulator never asks for one (no Accept-Encoding, as Entra's .NET
  client, whose automatic decompression is off by default) — our assumption, UNCONFIRMED for Entra.

The socket and the pool of connections are `simulator.transport`'s; this module only reads and writes bytes.
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass

MAX_HEAD_BYTES = 64 * 1024
"""The longest answer head (status line and header fields) read; a longer one is a protocol error."""
_RECV = 65536
_STATUS = re.compile(rb"HTTP/1\.([01]) ([0-9]{3})(?: [^\r\n]*)?")
_WHITESPACE = " \t"
_TOKEN_CHARS = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_CHUNK_SIZE = re.compile(rb"([0-9A-Fa-f]{1,16})[ \t]*(?:;[^\r\n]*)?")


class TransportFailure(Exception):
    """The call got no whole answer; the class name is shown in the failure's text (`ReadError: ...`)."""


class ConnectError(TransportFailure):
    """No connection: refused, unreachable, a name that does not resolve, TLS refused."""


class ReadError(TransportFailure):
    pass


class WriteError(TransportFailure):
    pass


class RemoteProtocolError(TransportFailure):
    """The target's bytes are not an HTTP/1.1 answer (or our request could not be written as one)."""


class CallTimeout(Exception):
    """The call's total deadline passed."""


class TooLarge(Exception):
    """The answer's body is larger than the size limit; it was not read on."""


@dataclass(slots=True)
class Answer:
    status: int
    headers: tuple[tuple[str, str], ...]
    """Names in lower case, repeated fields joined with ", " (as httpx's `Headers.items()` did)."""
    body: bytes
    reusable: bool
    """The connection may carry another request (HTTP/1.1, no `Connection: close`, the body was framed)."""


# ---- the request ------------------------------------------------------------------------------------------


def header_lines(headers: Iterable[tuple[str, str]]) -> str:
    """`Name: value\\r\\n` lines; RemoteProtocolError for a name that is no token, a value with CR or LF."""
    lines = []
    for name, value in headers:
        if not name or not _TOKEN_CHARS.issuperset(name) or "\r" in value or "\n" in value or "\0" in value:
            raise RemoteProtocolError(f"the request header {name[:40]!r} cannot be sent as it is")
        lines.append(f"{name}: {value}\r\n")
    return "".join(lines)


def request_bytes(method: str, target: str, host: str, lines: str, body: bytes | None) -> bytes:
    """The whole request: `lines` are the checked header lines (`header_lines`), `Host` and length added."""
    if body is None:
        head = f"{method} {target} HTTP/1.1\r\nHost: {host}\r\n{lines}\r\n"
    elif body:
        head = f"{method} {target} HTTP/1.1\r\nHost: {host}\r\n{lines}Content-Length: {len(body)}\r\n\r\n"
    else:  # httpx put an empty body's length right after Host
        head = f"{method} {target} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\n{lines}\r\n"
    try:
        encoded = head.encode("ascii")
    except UnicodeEncodeError:
        raise RemoteProtocolError("a request header holds characters that are not ASCII") from None
    return encoded + body if body else encoded


# ---- the answer -------------------------------------------------------------------------------------------


class Reader:
    """Bytes from one connection, each read bounded by the call's deadline (`time.monotonic()` seconds)."""

    __slots__ = ("armed", "buffer", "deadline", "sock")

    def __init__(self, sock: socket.socket, buffer: bytearray) -> None:
        self.sock = sock
        self.buffer = buffer
        self.deadline = 0.0
        self.armed = False
        """The socket's timeout was just set to what is left of the deadline (by the request's write)."""

    def fill(self) -> bool:
        """Read more into the buffer; False at the end of the connection."""
        try:
            if self.armed:
                self.armed = False
            else:
                left = self.deadline - time.monotonic()
                if left <= 0:
                    raise CallTimeout
                self.sock.settimeout(left)
            data = self.sock.recv(_RECV)
        except TimeoutError:
            raise CallTimeout from None
        except OSError as exc:
            raise ReadError(str(exc)) from exc
        self.buffer += data
        return bool(data)

    def line(self, what: str, limit: int) -> bytes:
        """One CRLF-ended line, taken from the buffer (without the CRLF)."""
        return self.until(b"\r\n", what, limit)

    def until(self, separator: bytes, what: str, limit: int, *, nothing: str = "") -> bytes:
        """The bytes before the next `separator` (at most `limit` of them), taken from the buffer with it;
        `nothing` is the error when the connection ends before a single byte came."""
        buffer = self.buffer
        start = 0
        while (end := buffer.find(separator, start)) < 0:
            if len(buffer) > limit:
                raise RemoteProtocolError(f"the answer's {what} is longer than {limit:,} bytes")
            start = max(len(buffer) - len(separator) + 1, 0)
            if not self.fill():
                raise RemoteProtocolError(nothing if nothing and not buffer else _ended(what))
        if end > limit:
            raise RemoteProtocolError(f"the answer's {what} is longer than {limit:,} bytes")
        data = bytes(buffer[:end])
        del buffer[: end + len(separator)]
        return data

    def exactly(self, size: int) -> bytes:
        buffer = self.buffer
        while len(buffer) < size:
            if not self.fill():
                raise RemoteProtocolError(_ended("body"))
        data = bytes(buffer[:size])
        del buffer[:size]
        return data


def read_answer(reader: Reader, method: str, limit: int) -> Answer:
    """One whole answer; interim (1xx) answers are skipped."""
    while True:
        version, status, headers = _head(reader)
        if status >= 200:
            break
        if status == 101:
            raise RemoteProtocolError("the target switched protocols (HTTP 101)")
    named: dict[str, str] = {}
    for name, value in headers:
        named[name] = f"{named[name]}, {value}" if name in named else value
    reusable = version == 1 and "close" not in named.get("connection", "").lower()
    if method == "HEAD" or status in (204, 304):
        return Answer(status, tuple(named.items()), b"", reusable)
    encoding = named.get("transfer-encoding")
    if encoding is not None:
        if encoding.lower().rsplit(",", 1)[-1].strip() != "chunked":
            raise RemoteProtocolError(f"unsupported Transfer-Encoding {encoding[:40]!r}")
        body = _chunked(reader, limit)
    elif "content-length" in named:
        length = _content_length(named["content-length"])
        if length > limit:
            raise TooLarge
        body = reader.exactly(length)
    else:  # the body ends with the connection
        while len(reader.buffer) <= limit:
            if not reader.fill():
                break
        else:
            raise TooLarge
        body, reusable = bytes(reader.buffer), False
        reader.buffer.clear()
    return Answer(status, tuple(named.items()), body, reusable)


def _head(reader: Reader) -> tuple[int, int, list[tuple[str, str]]]:
    raw = reader.until(
        b"\r\n\r\n", "head", MAX_HEAD_BYTES, nothing="Server disconnected without sending a response."
    )
    status_line, _, fields = raw.partition(b"\r\n")
    match = _STATUS.fullmatch(status_line)
    if match is None:
        raise RemoteProtocolError(f"illegal status line: {status_line[:200]!r}")
    if not fields:
        return int(match[1]), int(match[2]), []
    try:
        headers = _fields(fields.decode("ascii"))  # nearly always: one decode for every field
    except UnicodeDecodeError:
        headers = _fields_slowly(fields)
    return int(match[1]), int(match[2]), headers


def _fields(text: str) -> list[tuple[str, str]]:
    headers: list[tuple[str, str]] = []
    for line in text.split("\r\n"):
        name, colon, value = line.partition(":")
        if colon and name and _TOKEN_CHARS.issuperset(name):
            headers.append((name.lower(), value.strip(_WHITESPACE)))
        elif line[:1] in (" ", "\t") and headers:  # obsolete line folding (RFC 9112 §5.2)
            name, value = headers[-1]
            headers[-1] = (name, f"{value} {line.strip(_WHITESPACE)}".strip())
        else:
            raise RemoteProtocolError(f"illegal header line: {line[:200].encode()!r}")
    return headers


def _fields_slowly(fields: bytes) -> list[tuple[str, str]]:
    """Fields with bytes outside ASCII: each value decoded on its own (ASCII, else UTF-8, else Latin-1)."""
    headers = _fields(fields.decode("latin-1"))
    return [(name, _text(value.encode("latin-1"))) for name, value in headers]


def _chunked(reader: Reader, limit: int) -> bytes:
    body = bytearray()
    while True:
        line = reader.line("chunk size", 1024)
        match = _CHUNK_SIZE.fullmatch(line)
        if match is None:
            raise RemoteProtocolError(f"illegal chunk size line: {line[:100]!r}")
        size = int(match[1], 16)
        if size == 0:
            while reader.line("trailer", MAX_HEAD_BYTES):  # trailers are read and dropped
                pass
            return bytes(body)
        if len(body) + size > limit:
            raise TooLarge
        body += reader.exactly(size)
        if reader.exactly(2) != b"\r\n":
            raise RemoteProtocolError("a chunk does not end with CRLF")


def _content_length(value: str) -> int:
    if value.isdigit() and len(value) <= 18:
        return int(value)
    values = {part.strip() for part in value.split(",")}
    if len(values) != 1 or not (only := values.pop()).isdigit() or len(only) > 18:
        raise RemoteProtocolError(f"illegal Content-Length {value[:40]!r}")
    return int(only)


def _text(value: bytes) -> str:
    """A header value as text: ASCII, else UTF-8, else Latin-1 (httpx's order)."""
    try:
        return value.decode("ascii")
    except UnicodeDecodeError:
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value.decode("latin-1")


def _ended(what: str) -> str:
    return f"the target closed the connection in the middle of the answer's {what}"
