"""The two shapes a refusal takes, chosen by where the request went: an RFC 7644 §3.12 Error under the SCIM
base path, Kintone's User API shape {message, id, code} everywhere else (kintone-scim.md §4; the codes are
assumptions, Assumptions.user_api_codes). For the answers given before any route runs (the REST limit, the
request guard), which therefore cannot rely on a route's own error handling.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from typing import Any

from starlette.responses import JSONResponse

from scim_harness.common.scim_wire import ERROR_SCHEMA
from scim_harness.emulator.state import EmulatorState

SCIM_MEDIA_TYPE = b"application/scim+json"
JSON_MEDIA_TYPE = b"application/json"


class AsciiJSONResponse(JSONResponse):
    """Starlette's JSONResponse writes raw UTF-8, which fails on a lone surrogate; an error text may echo a
    client's value, so errors are written with \\u escapes (the same JSON)."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, allow_nan=False, separators=(",", ":")).encode("ascii")


def is_scim_path(path: str, base_path: str) -> bool:
    return path == base_path or path.startswith(base_path + "/")


def scim_error(status: int, detail: str, scim_type: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"schemas": [ERROR_SCHEMA], "status": str(status), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    return body


def kintone_error(state: EmulatorState, code_key: str, message: str) -> dict[str, Any]:
    code = state.assumptions.user_api_codes.get(code_key, code_key)
    return {"message": message, "id": secrets.token_hex(10), "code": code}


async def send_error(
    send: Any,
    state: EmulatorState,
    path: str,
    status: int,
    message: str,
    *,
    scim_type: str | None = None,
    code_key: str = "bad_request",
    headers: Iterable[tuple[bytes, bytes]] = (),
) -> None:
    """A whole answer (start and body) in the shape the path's surface uses."""
    if is_scim_path(path, state.config.base_path):
        media_type, body = SCIM_MEDIA_TYPE, scim_error(status, message, scim_type)
    else:
        media_type, body = JSON_MEDIA_TYPE, kintone_error(state, code_key, message)
    raw = json.dumps(body).encode()
    start = [(b"content-type", media_type), (b"content-length", str(len(raw)).encode()), *headers]
    await send({"type": "http.response.start", "status": status, "headers": start})
    await send({"type": "http.response.body", "body": raw})
