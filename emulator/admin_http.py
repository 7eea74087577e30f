"""What the administrator's two surfaces share (Kintone's User API copy and /_emulator/*): the
X-Cybozu-Authorization check behind a throttle on failed logins (admin_throttle), bounded and checked JSON
bodies, and errors in Kintone's User API shape {message, id, code} (kintone-scim.md §4; the codes are
assumptions, Assumptions.user_api_codes). Secrets never appear in an answer.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from scim_harness.emulator.error_bodies import AsciiJSONResponse
from scim_harness.emulator.error_bodies import kintone_error as error_body
from scim_harness.emulator.inputs import InputError, load_json
from scim_harness.emulator.state import EmulatorState
from scim_harness.emulator.store import UnstorableValue

Handler = Callable[[Request], Awaitable[Response]]


class AdminError(Exception):
    def __init__(
        self, status: int, code_key: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code_key = code_key
        self.message = message
        self.headers = headers


def bad_request(message: str) -> AdminError:
    return AdminError(400, "bad_request", message)


def kintone_error(
    state: EmulatorState, status: int, code_key: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return AsciiJSONResponse(error_body(state, code_key, message), status_code=status, headers=headers)


def _check_admin(state: EmulatorState, request: Request) -> None:
    """The administrator's credentials, behind the throttle on failed logins (admin_throttle)."""
    throttle = state.admin_throttle
    address = request.client.host if request.client else ""
    wait = throttle.retry_after(address)
    if wait is not None:
        seconds = max(1, math.ceil(wait))
        raise AdminError(
            429,
            "too_many_requests",
            f"Too many failed administrator logins from this address: try again in {seconds} s.",
            {"Retry-After": str(seconds)},
        )
    if not state.is_admin(request.headers.get("x-cybozu-authorization")):
        throttle.failed(address)
        raise AdminError(401, "unauthorized", "Administrator authentication failed.")
    throttle.succeeded(address)


def guarded(state: EmulatorState, handler: Handler) -> Handler:
    """The handler behind the administrator check, with AdminError (and a value the store cannot keep)
    answered in Kintone's shape."""

    async def endpoint(request: Request) -> Response:
        try:
            _check_admin(state, request)
            return await handler(request)
        except AdminError as error:
            return kintone_error(state, error.status, error.code_key, error.message, error.headers)
        except UnstorableValue as error:
            return kintone_error(state, 400, "bad_request", str(error))

    return endpoint


async def json_object(request: Request, limit: int) -> dict[str, Any]:
    """The body as a JSON object ({} when empty); a larger body than `limit`, bad or hostile JSON
    (inputs.load_json) or another JSON value is an AdminError. The request guard has already bounded the
    body to `limit` before reading it."""
    body = await request.body()
    if len(body) > limit:
        raise AdminError(413, "bad_request", "The request body is too large.")
    if not body:
        return {}
    try:
        data = load_json(body)
    except InputError as exc:
        raise bad_request(str(exc)) from exc
    except ValueError as exc:
        raise AdminError(400, "invalid_json", "The request body is not valid JSON.") from exc
    if not isinstance(data, dict):
        raise bad_request("The request body must be a JSON object.")
    return data


def as_object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise bad_request("Each item must be a JSON object.")
    return data
