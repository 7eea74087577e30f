"""uvicorn's h11 protocol with one change: the 400 uvicorn itself sends for a request h11 cannot parse (a
malformed request line, headers over 16 KiB, a missing Host) carries a Content-Length.

Without one, that answer ends only when the connection does, and uvicorn closes the connection with the
request's body still unread, so the system resets it (RST) where the end of the answer should be: the
client never gets a complete answer, which is a dropped connection (issue 10 counted 93). With the length
the answer is whole as soon as its last byte arrives, whatever happens to the connection next.

Hand-written because uvicorn has no setting for it; kept to the one method, against the pinned uvicorn
(tests/emulator/test_fuzz.py sends such requests with bodies).
"""

from __future__ import annotations

import h11
from uvicorn.protocols.http.h11_impl import STATUS_PHRASES, H11Protocol


class WholeAnswerH11Protocol(H11Protocol):
    def send_400_response(self, msg: str) -> None:
        body = msg.encode("ascii")
        headers = [
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        event = h11.Response(status_code=400, headers=headers, reason=STATUS_PHRASES[400])
        self.transport.write(self.conn.send(event))
        self.transport.write(self.conn.send(event=h11.Data(data=body)))
        self.transport.write(self.conn.send(event=h11.EndOfMessage()))
        self.transport.close()
