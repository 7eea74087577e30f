"""The simulator's own HTTP/1.1 client (simulator.http1, simulator.transport): the bytes httpx sent, answers
read by RFC 9112's framing, bounds, and a pool that keeps its promises.

The request bytes are compared with httpx itself, the oracle of what the simulator sent before it had its own
client: the same call goes once through our pool and once through httpx (a caller's own transport), and a raw
socket server records both byte for byte. Answers are written by hand on a socket pair and read back.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from scim_harness.simulator.client import ScimClient
from scim_harness.simulator.http1 import (
    MAX_HEAD_BYTES,
    CallTimeout,
    Reader,
    RemoteProtocolError,
    TooLarge,
    read_answer,
)
from scim_harness.simulator.settings import EngineSettings
from scim_harness.simulator.transport import ConnectionPool, origin_of, request_target, tls_context
from tests.simulator.faults import FaultServer, RawServer

TOKEN = "tok-0123456789abcdef"


class RecordingServer(RawServer):
    """Records every request's raw bytes; answers 200 with a small JSON body (or what `answer` says)."""

    def __init__(self, answer: bytes = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}") -> None:
        super().__init__()
        self.answer = answer
        self.raw: list[bytes] = []

    def handle(self, conn: socket.socket, head: bytes, body: bytes) -> bool:
        self.raw.append(head + b"\r\n\r\n" + body)
        time.sleep(0.02 if b"/slow" in head else 0)
        conn.sendall(self.answer)
        return True


# ---- the request: the bytes httpx sent ------------------------------------------------------------------

CALLS = [
    ("GET", "/Users", {"query": "filter=userName+eq+%22a%40b.example%22"}),
    ("POST", "/Users", {"body": {"userName": "ü", "active": True, "emails": [{"value": "x"}]}}),
    ("PATCH", "/Users/42", {"body": {"schemas": ["x"], "Operations": []}}),
    ("DELETE", "/Users/42", {}),
    ("POST", "/Users", {"raw_body": b""}),
    ("POST", "/Users", {"raw_body": b"{broken", "headers": {"Content-Type": "text/plain"}}),
    ("GET", "/Users", {"token": None, "headers": {"Accept": "application/scim+json"}}),
    ("GET", "/Users", {"token": "another-token", "headers": {"authorization": "Bearer x", "X-Extra": "1"}}),
    ("POST", "/Users", {"body": {"a": 1}, "headers": {"Content-Type": None}}),
    ("GET", "/Users", {"query": {"filter": 'userName eq "a b"', "count": "1"}}),
    ("GET", "/Users", {"query": 'a b=ü&c=%zz&d=[x]|{y}^`"<>\\&e=/../#frag'}),
    ("GET", "/Us ers/ü%41/../x/./y", {}),
    ("GET", "/Users/..", {}),
]


def _record(url: str, calls: list, *, httpx_transport: bool, settings: EngineSettings) -> list[bytes]:
    transport = httpx.HTTPTransport() if httpx_transport else None
    with (
        RecordingServer() as server,
        ScimClient(url.replace("PORT", server.url), TOKEN, settings=settings, transport=transport) as client,
    ):
        for method, path, kwargs in calls:
            client.send(method, path, **kwargs)
        deadline = time.monotonic() + 5
        while len(server.raw) < len(calls) and time.monotonic() < deadline:
            time.sleep(0.01)
        port = server.url.split(":")[2].split("/")[0]
        return [raw.replace(port.encode(), b"PORT") for raw in server.raw]


@pytest.mark.parametrize("extra", [(), (("User-Agent", "Microsoft.Azure.SCIM"), ("X-A", "1"))])
@pytest.mark.parametrize("tenant_url", ["PORT", "PORT?aadOptscim062020&tenant=a%20b"])
def test_every_request_is_byte_for_byte_what_httpx_sent(extra, tenant_url) -> None:
    settings = EngineSettings(request_headers=extra)
    ours = _record(tenant_url, CALLS, httpx_transport=False, settings=settings)
    theirs = _record(tenant_url, CALLS, httpx_transport=True, settings=settings)
    assert len(ours) == len(CALLS)
    for mine, httpx_bytes in zip(ours, theirs, strict=True):
        assert mine == httpx_bytes


@pytest.mark.parametrize("where", ["path", "query"])
def test_each_character_of_a_target_goes_out_as_httpx_sends_it(where: str) -> None:
    for code in range(0x20, 0x7F):
        char = chr(code)
        url = f"http://h.example/a{char}b?x=1" if where == "path" else f"http://h.example/a?x={char}&y"
        assert request_target(url, origin_of(url)) == httpx.URL(url).raw_path.decode(), repr(char)


def test_the_host_header_is_httpx_netloc() -> None:
    from scim_harness.simulator.transport import Origin

    assert Origin.of("https://ExAmple.COM:443").host_header == "example.com"
    assert Origin.of("http://[::1]:8080").host_header == "[::1]:8080"
    assert Origin.of("http://bücher.example").host == "xn--bcher-kva.example"


def test_a_header_that_would_inject_a_line_is_never_sent() -> None:
    with RecordingServer() as server, ScimClient(server.url, TOKEN) as client:
        answer = client.send("GET", "/Users", headers={"X-Evil": "a\r\nInjected: yes"})
        assert answer.error_code == "WebExceptionProtocolError" and "cannot be sent" in answer.text
        assert server.raw == []


# ---- the answer: RFC 9112 framing -------------------------------------------------------------------------


@contextmanager
def answered(data: bytes, *, close: bool = True) -> Iterator[Reader]:
    """A reader whose peer has written `data` (and then closed, unless `close` is False)."""
    ours, theirs = socket.socketpair()
    try:
        theirs.sendall(data)
        if close:
            theirs.shutdown(socket.SHUT_WR)
        reader = Reader(ours, bytearray())
        reader.deadline = time.monotonic() + 2
        yield reader
    finally:
        ours.close()
        theirs.close()


def test_content_length_framing_keeps_what_follows() -> None:
    with answered(
        b"HTTP/1.1 201 Created\r\nContent-Length: 4\r\nLocation: /x\r\n\r\n{}{}NEXT", close=False
    ) as r:
        answer = read_answer(r, "POST", 1024)
    assert (answer.status, answer.body, answer.reusable) == (201, b"{}{}", True)
    assert dict(answer.headers)["location"] == "/x" and bytes(r.buffer) == b"NEXT"


def test_chunked_framing_with_extensions_and_trailers() -> None:
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    data = head + b'4;ext=1\r\n{"a"\r\n3\r\n:1}\r\n0\r\nX-T: 1\r\n\r\n'
    with answered(data, close=False) as reader:
        answer = read_answer(reader, "GET", 1024)
    assert answer.body == b'{"a":1}' and answer.reusable


def test_a_body_without_framing_ends_with_the_connection() -> None:
    with answered(b'HTTP/1.1 200 OK\r\n\r\n{"a":1}') as reader:
        answer = read_answer(reader, "GET", 1024)
    assert answer.body == b'{"a":1}' and not answer.reusable


@pytest.mark.parametrize(("status", "method"), [(204, "PATCH"), (304, "GET"), (200, "HEAD")])
def test_no_body_for_204_304_and_head(status: int, method: str) -> None:
    with answered(f"HTTP/1.1 {status} X\r\nContent-Length: 5\r\n\r\n".encode(), close=False) as reader:
        answer = read_answer(reader, method, 1024)
    assert answer.status == status and answer.body == b""


def test_interim_answers_are_skipped_and_fields_joined() -> None:
    data = (
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nSet-Cookie: a\r\nset-cookie: b\r\n"
        b"X-Folded: one\r\n two\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    )
    with answered(data) as reader:
        answer = read_answer(reader, "GET", 1024)
    fields = dict(answer.headers)
    assert fields["set-cookie"] == "a, b" and fields["x-folded"] == "one two" and not answer.reusable


def test_header_values_outside_ascii_read_as_utf8_else_latin1() -> None:
    data = "HTTP/1.1 200 OK\r\nX-U: é\r\nContent-Length: 0\r\n\r\n".encode()
    with answered(data) as reader:
        assert dict(read_answer(reader, "GET", 1024).headers)["x-u"] == "é"
    with answered(b"HTTP/1.1 200 OK\r\nX-L: \xe9\r\nContent-Length: 0\r\n\r\n") as reader:
        assert dict(read_answer(reader, "GET", 1024).headers)["x-l"] == "é"


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"\x16\x03\x01 not http\r\n\r\n", "illegal status line"),
        (b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "illegal header line"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\nx", "illegal Content-Length"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "illegal Content-Length"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "unsupported Transfer-Encoding"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "illegal chunk size"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "middle of the answer's body"),
        (b"HTTP/1.1 200 OK\r\nContent-Le", "middle of the answer's head"),
        (b"", "Server disconnected without sending a response"),
        (b"HTTP/1.1 101 Switching Protocols\r\n\r\n", "switched protocols"),
        (b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * (MAX_HEAD_BYTES // 6 + 10), "longer than"),
    ],
)
def test_anything_else_is_a_protocol_error(data: bytes, words: str) -> None:
    with answered(data) as reader, pytest.raises(RemoteProtocolError, match=words):
        read_answer(reader, "GET", 1024)


@pytest.mark.parametrize(
    "data",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" + b"x" * 2048 + b"\r\n0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\n\r\n" + b"x" * 2000,
    ],
)
def test_a_body_over_the_limit_is_not_read(data: bytes) -> None:
    with answered(data) as reader, pytest.raises(TooLarge):
        read_answer(reader, "GET", 1024)


def test_a_silent_peer_ends_at_the_deadline() -> None:
    with answered(b"HTTP/1.1 200 OK\r\n", close=False) as reader:
        reader.deadline = time.monotonic() + 0.3
        began = time.monotonic()
        with pytest.raises(CallTimeout):
            read_answer(reader, "GET", 1024)
    assert time.monotonic() - began < 5  # about 0.3 s; wide margin for a loaded machine


# ---- the pool -----------------------------------------------------------------------------------------


def _exchange(pool: ConnectionPool, url: str, path: str = "/Users", timeout: float = 5.0):
    target = url + path
    origin = origin_of(target)
    lines = f"Authorization: Bearer {TOKEN}\r\n"
    return pool.exchange(
        "GET",
        origin,
        request_target(target, origin),
        lines,
        None,
        deadline=time.monotonic() + timeout,
        limit=1024,
    )


def _quietly(pool: ConnectionPool, url: str) -> None:
    """A call that holds its connection until the server stops (and then fails, as it should)."""
    with contextlib.suppress(RemoteProtocolError, CallTimeout):
        _exchange(pool, url, "/slow")


def test_keep_alive_reuses_one_connection() -> None:
    with RecordingServer() as server:
        pool = ConnectionPool(tls_context(), 4)
        for _ in range(5):
            assert _exchange(pool, server.url).status == 200
        pool.close()
    assert server.connections == 1


def test_connection_close_is_honoured() -> None:
    answer = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    with RecordingServer(answer) as server:
        pool = ConnectionPool(tls_context(), 4)
        for _ in range(3):
            assert _exchange(pool, server.url).status == 200
        pool.close()
    assert server.connections == 3


def test_a_connection_the_target_closed_while_idle_is_not_reused() -> None:
    with RecordingServer() as server:
        pool = ConnectionPool(tls_context(), 1)
        assert _exchange(pool, server.url).status == 200
        (idle,) = next(iter(pool._idle.values()))
        idle.sock.shutdown(socket.SHUT_RD)  # as if the peer's FIN had arrived: the socket reads EOF
        assert _exchange(pool, server.url).status == 200  # a new connection, not a failed call
        pool.close()
    assert server.connections == 2


def test_never_more_connections_than_the_bound_and_a_wait_keeps_the_deadline() -> None:
    with RecordingServer() as server:
        pool = ConnectionPool(tls_context(), 2)
        statuses: list[int] = []
        threads = [
            threading.Thread(target=lambda: statuses.append(_exchange(pool, server.url, "/slow").status))
            for _ in range(6)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert statuses == [200] * 6 and server.most_open <= 2
        blockers = [threading.Thread(target=_quietly, args=(pool, server.url)) for _ in range(2)]
        server.answer = b""  # the two calls in flight get no answer: their connections stay busy
        for thread in blockers:
            thread.start()
        time.sleep(0.2)
        began = time.monotonic()
        with pytest.raises(CallTimeout):
            _exchange(pool, server.url, timeout=0.3)  # waits for a free connection, within its deadline
        assert time.monotonic() - began < 5
        pool.close()
    for thread in blockers:
        thread.join(timeout=10)


def test_a_tls_handshake_that_never_ends_keeps_the_deadline() -> None:
    """A target that takes the connection and never answers the ClientHello: Timeout, within the deadline."""
    answers = []
    with FaultServer("never") as target:
        url = target.url.replace("http://", "https://")
        with ScimClient(url, TOKEN, timeout=0.5) as client:
            began = time.monotonic()
            call = threading.Thread(target=lambda: answers.append(client.get("/Users")), daemon=True)
            call.start()
            call.join(timeout=30)  # a handshake without a deadline fails here instead of hanging the suite
            took = time.monotonic() - began
    assert answers, "the call did not end"
    assert answers[0].error_code == "Timeout" and "within 0.5 s" in answers[0].text
    assert took < 5  # about 0.5 s; wide margin for a loaded machine
