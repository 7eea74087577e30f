"""The bare reference the emulator is measured against (issue 13): a plain Starlette app answering the four
calls Entra makes most, on the same SQLite file, with the same indexed queries and the same JSON bytes, on the
same server stack (uvicorn with the emulator's HTTP protocol and event loop), in its own process.

What it leaves out is what the emulator adds: scim2-server's request handling and scim2-models' validation,
Kintone's rules, the request guard, the REST limit, the defect layer. What it keeps is what any SCIM server
must do: check the bearer token, parse the query or the JSON body, run the statement, write the answer.

- `GET /scim/v2/Users?filter=userName eq "..."`: `SELECT * FROM users WHERE lower(user_name) = lower(?)
  ORDER BY id` (the users_user_name_lower index, as the emulator's lookup), a ListResponse.
- `GET /scim/v2/Users/{id}`: `SELECT * FROM users WHERE id = ?`.
- `POST /scim/v2/Users`: the login checked free and the row inserted in one transaction, read back, 201.
- `PATCH /scim/v2/Users/{id}`: `replace` operations on plain attributes applied to the row, 204.

The user JSON is written by the emulator's own writer (emulator/user_json.py, plain dicts and json.dumps), so
both servers send the same bytes by construction. Loopback only.

    .venv/bin/python bench/reference_server.py --db FILE --port N
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import threading
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from scim_harness.emulator.server import EVENT_LOOP, HTTP_PROTOCOL
from scim_harness.emulator.store import UserRecord
from scim_harness.emulator.user_json import list_body, user_body

TOKEN = "bench-token-0123456789abcdef"
BASE = "/scim/v2"
MEDIA_TYPE = "application/scim+json"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
NOW = "2026-01-01T00:00:00.000000Z"
_USERNAME_EQ = re.compile(r'username eq "(?P<login>[^"\\]*)"', re.IGNORECASE)
# PATCH paths the reference takes (plain attributes of the row), lower-cased, to their columns.
_COLUMNS = {"displayname": "display_name", "externalid": "external_id", "username": "user_name"}


class Store:
    """One connection, as the emulator's store opens it (WAL, synchronous NORMAL, autocommit + BEGIN)."""

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.lock = threading.Lock()

    def rows(self, sql: str, params: tuple[Any, ...]) -> list[sqlite3.Row]:
        with self.lock:
            return self.conn.execute(sql, params).fetchall()


def _error(status: int, detail: str) -> Response:
    body = {"schemas": [ERROR_SCHEMA], "status": str(status), "detail": detail}
    return Response(json.dumps(body).encode(), status, media_type=MEDIA_TYPE)


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body).encode(), status, headers, media_type=MEDIA_TYPE)


def build(path: str) -> Starlette:
    store = Store(path)

    def location(request: Request, user_id: int) -> str:
        return f"{request.url.scheme}://{request.headers['host']}{BASE}/Users/{user_id}"

    def authorised(request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {TOKEN}"

    async def users(request: Request) -> Response:
        if not authorised(request):
            return _error(401, "Unauthorized")
        if request.method == "POST":
            return await create(request)
        match = _USERNAME_EQ.fullmatch(request.query_params.get("filter", ""))
        if match is None:
            return _error(400, "Only userName eq is served here")
        rows = store.rows(
            "SELECT * FROM users WHERE lower(user_name) = lower(?) ORDER BY id", (match["login"],)
        )
        records = [UserRecord.from_row(row) for row in rows]
        return _json(list_body(len(records), 1, [user_body(r, location(request, r.id)) for r in records]))

    async def create(request: Request) -> Response:
        data = json.loads(await request.body())
        emails = data.get("emails") or [{}]
        row = (data["userName"], data.get("externalId"), data.get("displayName"), emails[0].get("value"))
        with store.lock:
            conn = store.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                taken = conn.execute(
                    "SELECT id FROM users WHERE lower(user_name) = lower(?) AND id IS NOT ?", (row[0], None)
                ).fetchone()
                if taken is not None:
                    conn.execute("ROLLBACK")
                    return _error(409, "A user with this login name (userName) already exists")
                user_id = conn.execute(
                    "INSERT INTO users (user_name, external_id, display_name, email, active, created,"
                    " modified, version, origin, scim_linked) VALUES (?, ?, ?, ?, 1, ?, ?, 1, 'scim', 1)",
                    (*row, NOW, NOW),
                ).lastrowid
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        record = UserRecord.from_row(store.rows("SELECT * FROM users WHERE id = ?", (user_id,))[0])
        where = location(request, record.id)
        return _json(user_body(record, where), 201, {"Location": where, "Content-Location": where})

    async def user(request: Request) -> Response:
        if not authorised(request):
            return _error(401, "Unauthorized")
        user_id = int(request.path_params["id"])
        if request.method == "PATCH":
            return await patch(request, user_id)
        rows = store.rows("SELECT * FROM users WHERE id = ?", (user_id,))
        if not rows:
            return _error(404, "Not found")
        record = UserRecord.from_row(rows[0])
        where = location(request, record.id)
        return _json(user_body(record, where), headers={"Content-Location": where})

    async def patch(request: Request, user_id: int) -> Response:
        data = json.loads(await request.body())
        changes: dict[str, Any] = {}
        for operation in data.get("Operations", []):
            column = _COLUMNS.get(str(operation.get("path", "")).lower())
            if str(operation.get("op", "")).lower() != "replace" or column is None:
                return _error(400, "Only replace on a plain attribute is served here")
            changes[column] = operation.get("value")
        with store.lock:
            conn = store.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                if conn.execute("SELECT version FROM users WHERE id = ?", (user_id,)).fetchone() is None:
                    conn.execute("ROLLBACK")
                    return _error(404, "Not found")
                sets = "".join(f"{column} = :{column}, " for column in changes)
                conn.execute(
                    f"UPDATE users SET {sets}modified = :now, version = version + 1 WHERE id = :id",
                    {**changes, "now": NOW, "id": user_id},
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return Response(status_code=204)

    routes = [
        Route(f"{BASE}/Users", users, methods=["GET", "POST"]),
        Route(BASE + "/Users/{id:int}", user, methods=["GET", "PATCH"]),
    ]
    return Starlette(routes=routes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    config = uvicorn.Config(
        build(args.db),
        host="127.0.0.1",
        port=args.port,
        http=HTTP_PROTOCOL,
        loop=EVENT_LOOP,
        log_level="warning",
        access_log=False,
        lifespan="off",
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
