"""The references the simulator's figures are measured against: the same requests, sent by minimal clients.

`Recording` listens to a job (`ProvisioningJob.on_exchange`) and keeps every request it sends, per sending
thread. `replay()` sends the same requests, on as many keep-alive connections as the job used (one thread
each, in the order each thread sent them), with one of two minimal clients:

- `raw`: a socket, the request bytes written by hand, the answer read by Content-Length or chunks: the least
  CPU an HTTP/1.1 client can spend in Python, and the floor the target alone sets on wall time;
- `httpx`: `httpx.Client.request()`, what a plain httpx program would spend.

Both send Entra's headers (Host, Authorization, Content-Type, Content-Length) and the job's exact bodies.
"""

from __future__ import annotations

import socket
import threading
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from support import TOKEN, ServerProcess, Usage

from scim_harness.simulator.answers import Response
from scim_harness.simulator.client import SentRequest


@dataclass(frozen=True)
class Sent:
    method: str
    target: str
    """Path and query below the host, as sent."""
    body: bytes | None


class Recording:
    """Every request of a job, in order per sending thread (each worker holds one connection at a time)."""

    def __init__(self, base_path: str) -> None:
        self._base = base_path
        self._lock = threading.Lock()
        self.by_thread: dict[int, list[Sent]] = defaultdict(list)

    def __call__(self, sent: SentRequest, _answer: Response) -> None:
        target = self._base + sent.path + (f"?{sent.query}" if sent.query else "")
        with self._lock:
            self.by_thread[threading.get_ident()].append(Sent(sent.method, target, sent.body))

    @property
    def requests(self) -> int:
        return sum(len(sequence) for sequence in self.by_thread.values())

    def sequences(self) -> list[list[Sent]]:
        return list(self.by_thread.values())


def _read_answer(sock: socket.socket, buffer: bytearray, method: str) -> int:
    """Reads one whole answer from `buffer` + the socket; returns its status. Keeps what follows."""
    while (end := buffer.find(b"\r\n\r\n")) < 0:
        buffer += _recv(sock)
    head = bytes(buffer[:end]).decode("latin-1")
    del buffer[: end + 4]
    status = int(head[9:12])
    lines = (line.partition(":") for line in head.split("\r\n")[1:])
    fields = {name.strip().lower(): value.strip() for name, _, value in lines}
    if method == "HEAD" or status in (204, 304) or status < 200:
        return status
    if "content-length" in fields:
        length = int(fields["content-length"])
        while len(buffer) < length:
            buffer += _recv(sock)
        del buffer[:length]
        return status
    while True:  # chunked
        while (eol := buffer.find(b"\r\n")) < 0:
            buffer += _recv(sock)
        size = int(bytes(buffer[:eol]).split(b";")[0], 16)
        while len(buffer) < eol + 2 + size + 2:
            buffer += _recv(sock)
        del buffer[: eol + 2 + size + 2]
        if size == 0:
            return status


def _recv(sock: socket.socket) -> bytes:
    data = sock.recv(65536)
    if not data:
        raise ConnectionError("the target closed the connection")
    return data


def _raw(host: str, port: int, sequence: list[Sent], statuses: list[int]) -> None:
    netloc = f"{host}:{port}"
    authorization = f"Authorization: Bearer {TOKEN}\r\n"
    content_type = "Content-Type: application/scim+json; charset=utf-8\r\n"
    buffer = bytearray()
    with socket.create_connection((host, port), timeout=60) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for sent in sequence:
            head = f"{sent.method} {sent.target} HTTP/1.1\r\nHost: {netloc}\r\n{authorization}"
            if sent.body is not None:
                head += f"{content_type}Content-Length: {len(sent.body)}\r\n"
            sock.sendall(head.encode() + b"\r\n" + (sent.body or b""))
            statuses.append(_read_answer(sock, buffer, sent.method))


def _httpx(origin: str, sequence: list[Sent], statuses: list[int]) -> None:
    with httpx.Client(base_url=origin, timeout=60) as client:
        for sent in sequence:
            headers = {"Authorization": f"Bearer {TOKEN}"}
            if sent.body is not None:
                headers["Content-Type"] = "application/scim+json; charset=utf-8"
            answer = client.request(sent.method, sent.target, content=sent.body, headers=headers)
            statuses.append(answer.status_code)


def replay(server: ServerProcess, sequences: list[list[Sent]], client: str = "raw") -> tuple[Usage, int]:
    """Sends the sequences, one thread and connection each, all at once; (usage, requests answered)."""
    url = urlsplit(server.url)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    statuses: list[int] = []
    if client == "raw":
        threads = [threading.Thread(target=_raw, args=(host, port, s, statuses)) for s in sequences]
    else:
        origin = f"{url.scheme}://{url.netloc}"
        threads = [threading.Thread(target=_httpx, args=(origin, s, statuses)) for s in sequences]
    with Usage(server) as usage:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return usage, len(statuses)
