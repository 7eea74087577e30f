"""What the administrator's two surfaces share (Kintone's User API copy and /_emulator/*): the
X-Cybozu-Authorization check, bounded JSON bodies, and errors in Kintone's User API shape {message, id, code}
(kintone-scim.md §4; the codes are assumptions, Assumptions.user_api_codes). Secrets never appear in an
answer.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from scim_harness.emulator.state import EmulatorState

Handler = Callable[[Request], Awaitable[Response]]


class AdminError(Exception):
    def __init__(self, status: int, code_key: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code_key = code_key
        self.message = message


def bad_request(message: str) -> AdminError:
    return AdminError(400, "bad_request", message)


def kintone_error(state: EmulatorState, status: int, code_key: str, message: str) -> JSONResponse:
    code = state.assumptions.user_api_codes.get(code_key, code_key)
    return JSONResponse({"message": message, "id": secrets.token_hex(10), "code": code}, status_code=status)


def guarded(state: EmulatorState, handler: Handler) -> Handler:
    """The handler behind the administrator check, with AdminError answered in Kintone's shape."""

    async def endpoint(request: Request) -> Response:
        try:
            if not state.is_admin(request.headers.get("x-cybozu-authorization")):
                raise AdminError(401, "unauthorized", "Administrator authentication failed.")
            return await handler(request)
        except AdminError as error:
            return kintone_error(state, error.status, error.code_key, error.message)

    return endpoint


async def json_object(request: Request, limit: int) -> dict[str, Any]:
    """The body as a JSON object ({} when empty); a larger body than `limit`, bad JSON or another JSON value
    is an AdminError."""
    body = await request.body()
    if len(body) > limit:
        raise AdminError(413, "bad_request", "The request body is too large.")
    if not body:
        return {}
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise AdminError(400, "invalid_json", "The request body is not valid JSON.") from exc
    if not isinstance(data, dict):
        raise bad_request("The request body must be a JSON object.")
    return data


def as_object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise bad_request("Each item must be a JSON object.")
    return data
