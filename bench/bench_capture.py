"""Prints the cost of traffic capture: N SCIM-like requests to a loopback server, CaptureProxy on and off.

Usage: .venv/bin/python bench/bench_capture.py [--requests 2000] [--threads 4]
Bounded: the request count is capped and every request has a timeout; everything runs on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scim_harness.capture import CaptureProxy

MAX_REQUESTS = 20_000
TOKEN = "bench-token-0123456789"
USER = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "id": "2819c223-7f76-453a-919d-413861904646",
    "userName": "alice@contoso.com",
    "name": {"givenName": "Alice", "familyName": "Smith"},
    "displayName": "Alice Smith",
    "emails": [{"value": "alice@contoso.com", "type": "work", "primary": True}],
    "active": True,
}


class _ScimLike(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else headers and body go out as two segments and wait on delayed ACKs

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _answer(self, status: int, payload: object) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/scim+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._answer(
            200,
            {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
                "totalResults": 1,
                "Resources": [USER],
            },
        )

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer(201, USER)

    def do_PATCH(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer(200, USER)


def _drive(base_url: str, requests: int, threads: int) -> float:
    """Sends `requests` calls (GET filter, POST, PATCH in turn) on `threads` keep-alive clients; seconds."""
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/scim+json"}
    patch = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Replace", "path": "displayName", "value": "Alice S."}],
    }

    def worker(share: int) -> None:
        with httpx.Client(headers=headers, timeout=10) as client:
            for i in range(share):
                match i % 3:
                    case 0:
                        client.get(f"{base_url}/Users", params={"filter": 'userName eq "alice@contoso.com"'})
                    case 1:
                        client.post(f"{base_url}/Users", json=USER)
                    case _:
                        client.patch(f"{base_url}/Users/{USER['id']}", json=patch)

    shares = [requests // threads + (1 if i < requests % threads else 0) for i in range(threads)]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(worker, shares))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    requests = max(1, min(args.requests, MAX_REQUESTS))
    threads = max(1, min(args.threads, 32))

    server = ThreadingHTTPServer(("127.0.0.1", 0), _ScimLike)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    upstream = f"http://127.0.0.1:{server.server_port}/scim/v2"
    try:
        off = _drive(upstream, requests, threads)
        with tempfile.TemporaryDirectory() as scratch:
            har = Path(scratch) / "traffic.har"
            with CaptureProxy(upstream, secrets=[TOKEN], har_path=har) as proxy:
                on = _drive(proxy.url.split("?")[0], requests, threads)
                recorded = len(proxy.exchanges())
            har_size = har.stat().st_size
    finally:
        server.shutdown()

    print(f"capture bench: {requests} SCIM-like requests (GET filter / POST / PATCH) over {threads} threads")
    print(f"  capture off: {off:7.2f} s  {requests / off:8.0f} req/s")
    print(
        f"  capture on : {on:7.2f} s  {requests / on:8.0f} req/s  ({recorded} exchanges recorded, "
        f"HAR {har_size / 1024:.0f} KiB)"
    )
    print(f"  overhead   : {on / off:7.2f}x  (+{(on - off) / requests * 1000:.2f} ms per request)")


if __name__ == "__main__":
    main()
