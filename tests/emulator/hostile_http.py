"""A raw HTTP/1.1 client for hostile requests: it sends exactly the bytes it is given (odd bytes in the
target and the headers, bodies that lie about their length, chunked bodies, a body cut off mid-way), and
reads the answer with h11, so "a complete HTTP answer" means what h11 means by it.

Hand-written because every ordinary client (httpx, http.client, h11's own writer) refuses to send most of
these requests, which is the point of sending them.
"""

from __future__ import annotations

import contextlib
import socket
import time
from dataclasses import dataclass, field

import h11

MAX_ANSWER_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class HostileRequest:
    method: bytes
    target: bytes
    headers: tuple[tuple[bytes, bytes], ...] = ()
    body: bytes = b""
    framing: str = "length"
    """length: a true Content-Length; chunked: Transfer-Encoding chunked; none: no framing header at all;
    cut: a Content-Length larger than the body, and the connection closed after the body (a client that
    hung up mid-body: no answer is expected)."""

    def wire(self) -> bytes:
        head = [self.method + b" " + self.target + b" HTTP/1.1"]
        head += [name + b": " + value for name, value in self.headers]
        body = self.body
        if self.framing == "length":
            head.append(b"Content-Length: " + str(len(body)).encode())
        elif self.framing == "cut":
            head.append(b"Content-Length: " + str(len(body) + 64).encode())
        elif self.framing == "chunked":
            head.append(b"Transfer-Encoding: chunked")
            middle = len(body) // 2
            parts = [p for p in (body[:middle], body[middle:]) if p]
            body = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"
        head.append(b"Connection: close")
        return b"\r\n".join(head) + b"\r\n\r\n" + body

    def short(self, limit: int = 160) -> str:
        text = f"{self.method.decode('latin-1')} {self.target.decode('latin-1')} [{self.framing}]"
        text += f" headers={[(n.decode('latin-1'), v.decode('latin-1')) for n, v in self.headers]!r}"
        text += (
            f" body={self.body[:limit]!r}{'...' if len(self.body) > limit else ''} ({len(self.body)} bytes)"
        )
        return text


@dataclass
class Answer:
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    complete: bool = False
    problem: str | None = None
    """Why there is no complete answer: "timeout", "reset", "closed", "bad answer: ..."."""
    seconds: float = 0.0


def send(host: str, port: int, request: HostileRequest, timeout: float = 10.0) -> Answer:
    """One request on a new connection; the answer as h11 reads it. Never raises for what the server does."""
    started = time.monotonic()
    answer = Answer()
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            # The server may answer early and close: its answer may be waiting all the same (RFC 9112 §9.5).
            with contextlib.suppress(ConnectionResetError, BrokenPipeError):
                sock.sendall(request.wire())
            if request.framing == "cut":
                answer.problem = "cut"  # we hung up: nothing to read
                return answer
            _read(sock, request, answer, started + timeout)
    except TimeoutError:
        answer.problem = "timeout"
    except (ConnectionResetError, BrokenPipeError):
        answer.problem = "reset"
    answer.seconds = time.monotonic() - started
    return answer


def _read(sock: socket.socket, request: HostileRequest, answer: Answer, deadline: float) -> None:
    client = h11.Connection(h11.CLIENT, max_incomplete_event_size=256 * 1024)
    # h11 reads an answer only after a request: tell it ours was a plain one with the same method (a HEAD
    # answer has no body).
    method = b"HEAD" if request.method == b"HEAD" else b"GET"
    client.send(h11.Request(method=method, target=b"/", headers=[(b"host", b"fuzz")]))
    client.send(h11.EndOfMessage())
    chunks: list[bytes] = []
    size = 0
    while True:
        try:
            event = client.next_event()
        except h11.RemoteProtocolError as exc:
            answer.problem = f"bad answer: {exc}"
            return
        if event is h11.NEED_DATA:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            data = sock.recv(65536)
            if not data and client.their_state is h11.SEND_RESPONSE:
                answer.problem = "closed"  # the server hung up without answering
            client.receive_data(data)
            continue
        if isinstance(event, h11.Response):
            answer.status = event.status_code
            answer.headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in event.headers}
        elif isinstance(event, h11.Data):
            size += len(event.data)
            if size > MAX_ANSWER_BYTES:
                answer.problem = "answer too large"
                return
            chunks.append(bytes(event.data))
        elif isinstance(event, h11.EndOfMessage):
            answer.body = b"".join(chunks)
            answer.complete = answer.status is not None
            return
        elif isinstance(event, h11.ConnectionClosed):
            answer.problem = answer.problem or "closed"
            return
