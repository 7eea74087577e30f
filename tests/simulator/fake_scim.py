"""A small recording, fault-injecting SCIM server on loopback, for the simulator's tests.

The server is deliberately lenient the way a good SCIM target must be for Entra (case-insensitive ops,
`active` as "True"/"False", pathless ops keyed by dotted paths, creating a missing filtered element), so the
tests see exactly what the simulator sends and can script the answers Entra must react to. The fixtures that
build jobs against it are in tests/simulator/conftest.py.
"""

from __future__ import annotations

import json
import re
import ssl
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlsplit

from scim_harness.simulator.tenant import Tenant

TOKEN = "test-secret-token-0123456789"
BASE_PATH = "/scim/v2"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
_FILTER = re.compile(r'^\s*(?P<attr>\S+)\s+eq\s+"(?P<value>.*)"\s*$', re.IGNORECASE)
_ELEMENT = re.compile(r'^(?P<attr>\w+)\[type eq "(?P<type>[^"]*)"\](?:\.(?P<sub>\w+))?$')
_MEMBER_FILTER = re.compile(r'^members\[value eq "(?P<id>[^"]*)"\]$')


@dataclass
class Recorded:
    method: str
    path: str
    raw_query: str
    headers: dict[str, str]
    body: Any
    raw: bytes = b""
    """The body exactly as it arrived: goldens compare these bytes."""

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(self.raw_query, keep_blank_values=True)


@dataclass
class Fault:
    method: str
    path: re.Pattern[str]
    status: int
    times: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    raw: bytes | None = None


class FakeScim:
    """In-memory users and groups behind a real HTTP server; records every request it receives."""

    def __init__(
        self,
        *,
        token: str = TOKEN,
        groups: bool = True,
        hide_inactive: bool = False,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.token = token
        self.groups_enabled = groups
        self.hide_inactive = hide_inactive
        self.users: dict[str, dict[str, Any]] = {}
        self.groups: dict[str, dict[str, Any]] = {}
        self.requests: list[Recorded] = []
        self.faults: list[Fault] = []
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._server.handle_error = lambda request, address: None  # refused handshakes, hung-up clients
        self.scheme = "http"
        if tls is not None:  # the handshake happens in the handler's thread, on the first read
            self._server.socket = tls.wrap_socket(
                self._server.socket, server_side=True, do_handshake_on_connect=False
            )
            self.scheme = "https"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    # ---- lifecycle and helpers for tests ----

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{self.scheme}://{host}:{port}/scim/v2"

    def start(self) -> FakeScim:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail(
        self,
        method: str,
        path: str,
        status: int,
        *,
        times: int = 1,
        body: Any = None,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
        raw: bytes | None = None,
    ) -> None:
        """Answer the next `times` requests matching method and path regex with this status instead."""
        self.faults.append(Fault(method, re.compile(path), status, times, body, headers or {}, delay, raw))

    def seed_user(self, **resource: Any) -> str:
        user_id = str(uuid.uuid4())
        with self.lock:
            self.users[user_id] = {"id": user_id, "active": True, **resource}
        return user_id

    def user_named(self, user_name: str) -> dict[str, Any] | None:
        with self.lock:
            return next((u for u in self.users.values() if u["userName"].lower() == user_name.lower()), None)

    def sent(self, method: str | None = None, path: str | None = None) -> list[Recorded]:
        with self.lock:
            return [
                r
                for r in self.requests
                if (method is None or r.method == method) and (path is None or re.fullmatch(path, r.path))
            ]

    def clear(self) -> None:
        with self.lock:
            self.requests.clear()

    # ---- HTTP ----

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _go(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = None
                with server.lock:
                    server.requests.append(
                        Recorded(self.command, parts.path, parts.query, dict(self.headers.items()), body, raw)
                    )
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    status, answer, headers, raw_answer = server.answer(
                        self.command, parts.path, parts.query, body, self.headers.get("Authorization", "")
                    )
                finally:
                    with server.lock:
                        server.in_flight -= 1
                data = (
                    raw_answer
                    if raw_answer is not None
                    else (b"" if answer is None else json.dumps(answer).encode())
                )
                self.send_response(status)
                if data:
                    self.send_header("Content-Type", "application/scim+json")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _go

        return Handler

    def answer(
        self, method: str, path: str, query: str, body: Any, authorization: str
    ) -> tuple[int, Any, dict[str, str], bytes | None]:
        with self.lock:
            fault = next(
                (f for f in self.faults if f.times > 0 and f.method == method and f.path.search(path)), None
            )
            if fault is not None:
                fault.times -= 1
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            default = {"schemas": [ERROR], "status": str(fault.status), "detail": "injected"}
            return fault.status, fault.body if fault.body is not None else default, fault.headers, fault.raw
        if authorization != f"Bearer {self.token}":
            return 401, {"schemas": [ERROR], "status": "401", "detail": "bad token"}, {}, None
        prefix = "/scim/v2"
        if not path.startswith(prefix):
            return 404, _error(404, "unknown path"), {}, None
        rest = path[len(prefix) :].strip("/").split("/")
        kind, object_id = rest[0], (rest[1] if len(rest) > 1 else None)
        with self.lock:
            if kind == "Users":
                return (*self._users(method, object_id, query, body), {}, None)
            if kind == "Groups" and self.groups_enabled:
                return (*self._groups(method, object_id, query, body), {}, None)
        return 404, _error(404, "unknown endpoint"), {}, None

    def _users(self, method: str, object_id: str | None, query: str, body: Any) -> tuple[int, Any]:
        if object_id is None and method == "GET":
            found = [u for u in self.users.values() if _matches(u, query)]
            if self.hide_inactive:
                found = [u for u in found if u.get("active") is not False]
            return 200, {
                "schemas": [LIST],
                "totalResults": len(found),
                "Resources": found,
                "startIndex": 1,
                "itemsPerPage": len(found),
            }
        if object_id is None and method == "POST":
            name = body.get("userName", "")
            if any(u["userName"].lower() == name.lower() for u in self.users.values()):
                return 409, _error(409, "userName already exists", "uniqueness")
            user = {k: v for k, v in body.items() if k != "meta"}
            user["id"] = str(uuid.uuid4())
            user.setdefault("active", True)
            self.users[user["id"]] = user
            return 201, user
        user = self.users.get(object_id or "")
        if user is None:
            return 404, _error(404, "no such user")
        if method == "GET":
            return 200, user
        if method == "DELETE":
            del self.users[user["id"]]
            return 204, None
        if method == "PATCH":
            for op in body["Operations"]:
                _apply(user, op)
            return 200, user
        return 405, _error(405, "method not allowed")

    def _groups(self, method: str, object_id: str | None, query: str, body: Any) -> tuple[int, Any]:
        if object_id is None and method == "GET":
            found = [_without_members(g) for g in self.groups.values() if _matches(g, query)]
            return 200, {"schemas": [LIST], "totalResults": len(found), "Resources": found}
        if object_id is None and method == "POST":
            group = {k: v for k, v in body.items() if k != "meta"}
            group["id"] = str(uuid.uuid4())
            group["members"] = list(group.get("members", []))
            self.groups[group["id"]] = group
            return 201, group
        group = self.groups.get(object_id or "")
        if group is None:
            return 404, _error(404, "no such group")
        if method == "GET":
            return 200, _without_members(group)
        if method == "DELETE":
            del self.groups[group["id"]]
            return 204, None
        if method == "PATCH":
            for op in body["Operations"]:
                _apply_group(group, op)
            return 204, None
        return 405, _error(405, "method not allowed")


def _error(status: int, detail: str, scim_type: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"schemas": [ERROR], "status": str(status), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    return body


def _without_members(group: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in group.items() if k != "members"}


def _matches(resource: dict[str, Any], query: str) -> bool:
    params = parse_qs(query)
    if "filter" not in params:
        return True
    match = _FILTER.match(params["filter"][0])
    assert match, f"unexpected filter {params['filter'][0]!r}"
    value = _read(resource, match["attr"])
    return isinstance(value, str) and value.lower() == match["value"].lower()


def _read(resource: dict[str, Any], path: str) -> Any:
    element = _ELEMENT.match(path)
    if element:
        for item in resource.get(element["attr"], []):
            if item.get("type") == element["type"]:
                return item.get(element["sub"] or "value")
        return None
    if path.startswith("urn:"):
        urn, _, attr = path.rpartition(":")
        return resource.get(urn, {}).get(attr)
    head, _, sub = path.partition(".")
    value = resource.get(head)
    return value.get(sub) if sub and isinstance(value, dict) else value


def _write(resource: dict[str, Any], path: str, value: Any) -> None:
    if path.lower() == "active" and isinstance(value, str):
        value = value.lower() == "true"
    element = _ELEMENT.match(path)
    if element:
        items = resource.setdefault(element["attr"], [])
        item = next((i for i in items if i.get("type") == element["type"]), None)
        if item is None:  # Entra expects the element to be created (I-ADDFILT)
            item = {"type": element["type"]}
            items.append(item)
        item[element["sub"] or "value"] = value
        return
    if path.startswith("urn:"):
        urn, _, attr = path.rpartition(":")
        resource.setdefault(urn, {})[attr] = value
        return
    head, _, sub = path.partition(".")
    if sub:
        resource.setdefault(head, {})[sub] = value
    else:
        resource[head] = value


def _apply(user: dict[str, Any], op: dict[str, Any]) -> None:
    kind = op["op"].lower()
    assert kind in ("add", "replace"), op
    if "path" in op:
        _write(user, op["path"], op["value"])
    else:
        for path, value in op["value"].items():
            _write(user, path, value)


def _apply_group(group: dict[str, Any], op: dict[str, Any]) -> None:
    kind, path = op["op"].lower(), op.get("path", "")
    members = group.setdefault("members", [])
    removal = _MEMBER_FILTER.match(path)
    if kind == "remove" and removal:
        group["members"] = [m for m in members if m["value"] != removal["id"]]
    elif kind == "remove" and path == "members":
        gone = {v["value"] for v in op["value"]}
        group["members"] = [m for m in members if m["value"] not in gone]
    elif kind == "add" and path == "members":
        known = {m["value"] for m in members}
        members.extend({"value": v["value"]} for v in op["value"] if v["value"] not in known)
    else:
        _write(group, path, op["value"])


def add_person(tenant: Tenant, name: str, *, assigned: bool = True, **extra: Any) -> str:
    """A user with every attribute the default mapping reads."""
    attributes = {
        "userPrincipalName": f"{name}@contoso.com",
        "displayName": name.capitalize(),
        "givenName": name.capitalize(),
        "surname": "Smith",
        "mail": f"{name}@contoso.com",
        "mailNickname": name,
    }
    attributes.update(extra)
    return tenant.add_user(assigned=assigned, **attributes).id


def decoded_filter(request: Recorded) -> str:
    return unquote_plus(request.raw_query.split("filter=", 1)[1])
