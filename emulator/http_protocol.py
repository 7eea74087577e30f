"""The HTTP/1.1 protocol the emulator serves with (issue 13): uvicorn's httptools protocol (llhttp, in C),
which costs the emulator a fraction of h11's CPU per request. It refuses what h11 refused before the app,
so the hardening's guarantees (docs/hardening.md) hold as they did:

- a request head (request line and headers) over 16 KiB, h11's own bound: llhttp has none, and would hold a
  head without end in memory. Counted as it arrives (`data_received`), and exactly once it is whole;
- an HTTP/1.1 request without a Host header (RFC 9112 §3.2: 400), which llhttp lets through.

Both get uvicorn's own 400 (`send_400_response`), which carries a Content-Length and ends the connection, like
every request llhttp cannot parse: the answer is whole as soon as its last byte arrives.

Until issue 13 the emulator served with h11, whose own 400 uvicorn sent without a Content-Length: that answer
ended only with the connection, which uvicorn closed with the request's body unread, so the system reset it
(RST) where the end of the answer should be (issue 10 counted 93 dropped connections); a subclass added the
length. uvicorn's httptools 400 carries one already (tests/emulator/test_fuzz.py still sends such requests,
and shows the fuzzer catching h11's plain 400).

Hand-written because uvicorn has no setting for it; kept to the few callbacks, against the pinned uvicorn and
httptools (tests/emulator/test_http_protocol.py).
"""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_HEAD_BYTES = 16 * 1024  # h11's default max_incomplete_event_size


class _HeadRefused(Exception):
    """Raised in a parser callback: httptools turns it into HttpParserCallbackError, uvicorn into its 400."""


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    _in_head = False
    _head_bytes = 0
    _has_host = False
    _exact = 0

    def data_received(self, data: bytes) -> None:
        # Every byte that arrives outside a body counts toward the head it belongs to; a head whole within
        # this chunk resets the count (on_headers_complete), so only a head still arriving can exceed it.
        counting = self._in_head or self.cycle is None or not self.cycle.more_body
        if counting:
            self._head_bytes += len(data)
        super().data_received(data)
        if counting and self._head_bytes > MAX_HEAD_BYTES and not self.transport.is_closing():
            self.send_400_response("Invalid HTTP request received.")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head, self._has_host = True, False
        self._exact = 0

    def on_url(self, url: bytes) -> None:
        self._exact += len(url)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._exact += len(name) + len(value) + 4
        if name.lower() == b"host":
            self._has_host = True
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head, self._head_bytes = False, 0
        if self._exact > MAX_HEAD_BYTES:
            raise _HeadRefused("request head over 16 KiB")
        if not self._has_host and self.parser.get_http_version() == "1.1":
            raise _HeadRefused("HTTP/1.1 request without Host")
        super().on_headers_complete()
