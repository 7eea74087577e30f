"""A SCIM target that answers every call at once, for measuring what a client costs (bench only).

`python bench/null_target.py --port N` serves HTTP/1.1 keep-alive on 127.0.0.1 with asyncio, parsing no more
than it must: a filter query finds nothing (an empty ListResponse), a POST creates (201 with a new id), a
GET by id answers the id, a PATCH 204 and a DELETE 204. It keeps no users, so it costs the same at any size
and the client's CPU is what is left to see. Hand-written on purpose: any framework's cost would be measured
too. Loopback only; a request head over 64 KiB closes the connection.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json

LIST = json.dumps(
    {"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 0, "Resources": []}
).encode()
MAX_HEAD = 64 * 1024
_ids = itertools.count(1)


def _answer(status: str, body: bytes = b"") -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Type: application/scim+json\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


def respond(method: bytes, target: bytes) -> bytes:
    path = target.split(b"?", 1)[0]
    if method == b"POST":
        return _answer("201 Created", b'{"id":"%d"}' % next(_ids))
    if method in (b"PATCH", b"DELETE"):
        return _answer("204 No Content")
    last = path.rsplit(b"/", 1)[1]
    if last in (b"Users", b"Groups"):
        return _answer("200 OK", LIST)
    return _answer("200 OK", b'{"id":"%s"}' % last)


class NullProtocol(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buffer) > MAX_HEAD:
                    self.transport.close()
                return
            head = self.buffer[:end]
            length = 0
            at = head.lower().find(b"\r\ncontent-length:")
            if at >= 0:
                length = int(head[at + 17 :].split(b"\r\n", 1)[0])
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length :]
            method, target, _ = head.split(b"\r\n", 1)[0].split(b" ", 2)
            self.transport.write(respond(method, target))  # type: ignore[attr-defined]


async def serve(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(NullProtocol, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, required=True)
    asyncio.run(serve(parser.parse_args().port))


if __name__ == "__main__":
    main()
