"""conftest.py of a tiny suite shaped like ours: a real loopback target behind a real CaptureProxy."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from rich.table import Table

from scim_harness.capture import CaptureProxy
from scim_harness.reporting.plugin import register_secrets, set_environment

pytest_plugins = ["scim_harness.reporting.plugin"]

TOKEN = os.environ["SAMPLE_TOKEN"]
ADMIN_PASSWORD = os.environ["SAMPLE_ADMIN_PASSWORD"]
EXTRA_SECRET = os.environ["SAMPLE_EXTRA_SECRET"]


class _Target(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    users: ClassVar[dict[str, dict]] = {}

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, status: int, payload: object) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/scim+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"null")
        if self.path.startswith("/_emulator/tokens"):
            self._send(201, {"id": "1", "token": TOKEN, "scim_endpoint": "/scim/v2", "notes": body["notes"]})
        elif self.headers.get("Authorization") != f"Bearer {TOKEN}":
            self._send(401, {"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "401"})
        elif body["userName"] in self.users:
            self._send(409, {"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "409"})
        else:
            self.users[body["userName"]] = {**body, "id": str(len(self.users) + 1)}
            self._send(201, self.users[body["userName"]])

    def do_GET(self) -> None:
        self._send(200, {"Resources": list(self.users.values()), "totalResults": len(self.users)})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # As the suite does for @kintone scenarios on a vendor's server: skipped before they start.
    for item in items:
        if item.get_closest_marker("kintone_only"):
            item.add_marker(pytest.mark.skip(reason="not applicable: a Kintone-only rule, skipped up front"))


@pytest.fixture(scope="session")
def capture_proxy(request: pytest.FixtureRequest) -> Iterator[CaptureProxy]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Target)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    register_secrets(request.config, [EXTRA_SECRET])
    set_environment(request.config, target="sample", dialect="aadOptscim062020")
    har = Path(os.environ["SAMPLE_REPORTS"]) / "traffic.har"
    with CaptureProxy(
        f"http://127.0.0.1:{server.server_port}/scim/v2", secrets=[ADMIN_PASSWORD], har_path=har
    ) as proxy:
        yield proxy
    server.shutdown()


class _Logs:
    def __init__(self) -> None:
        self.entries: list[dict] = []

    def to_json(self) -> str:
        return json.dumps(self.entries)

    def as_table(self) -> Table:
        # A rich Table, as simulator.logs returns: the plugin must render it to text.
        table = Table(title="Provisioning logs")
        for column in ("action", "identity", "status"):
            table.add_column(column)
        for entry in self.entries:
            table.add_row(entry["action"], entry["user"], str(entry["status"]))
        return table


class _Job:
    """Stands in for simulator.engine.ProvisioningJob: only the part the plugin reads (logs)."""

    def __init__(self) -> None:
        self.logs = _Logs()


@pytest.fixture
def provisioning_job() -> _Job:
    return _Job()


@pytest.fixture
def secret_token() -> str:
    return EXTRA_SECRET
