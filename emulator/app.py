"""The whole emulator as one ASGI app: SCIM under the base path, the administrator's surfaces beside it
(Kintone's User API copy in the kintone profile, /_emulator/* in both), behind Kintone's REST limit."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount

from scim_harness.emulator.admin_api import AdminApi
from scim_harness.emulator.config import EmulatorConfig
from scim_harness.emulator.error_bodies import SCIM_MEDIA_TYPE, is_scim_path, kintone_error, scim_error
from scim_harness.emulator.guard import RequestGuard
from scim_harness.emulator.limits import ConnectionLimit
from scim_harness.emulator.scim_app import ScimApplication
from scim_harness.emulator.state import EmulatorState
from scim_harness.emulator.tokens import TokenService
from scim_harness.emulator.user_api import UserApi


async def _not_found(request: Request, exc: Exception) -> JSONResponse:
    """Outside SCIM in Kintone's shape; under the SCIM base path a SCIM Error (a path holding a line break,
    such as /scim/v2/Users/%0a, does not match the SCIM mount's pattern and ends here)."""
    state: EmulatorState = request.app.state.emulator
    if is_scim_path(request.url.path, state.config.base_path):
        body = scim_error(404, "Not found.")
        return JSONResponse(body, status_code=404, media_type=SCIM_MEDIA_TYPE.decode())
    return JSONResponse({"message": "Not found.", "id": "", "code": "CB_NO01"}, status_code=404)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own refusals outside SCIM (405 for a method a route does not take) in Kintone's shape."""
    assert isinstance(exc, HTTPException)
    state: EmulatorState = request.app.state.emulator
    body = kintone_error(state, "bad_request", f"{exc.detail}.")
    return JSONResponse(body, status_code=exc.status_code, headers=dict(exc.headers or {}))


def build_app(config: EmulatorConfig, state: EmulatorState | None = None) -> Starlette:
    state = state or EmulatorState(config)
    TokenService(state).seed()
    # SCIM first: Starlette tries the routes in order, and SCIM carries almost every request.
    routes: list[BaseRoute] = [Mount(config.base_path, app=ScimApplication(state)), *AdminApi(state).routes()]
    if state.kintone:
        routes += UserApi(state).routes()
    app = Starlette(
        routes=routes,
        exception_handlers={404: _not_found, HTTPException: _http_error},
        # The REST limit counts every request in progress, a body still arriving too; the guard is inside it.
        middleware=[
            Middleware(ConnectionLimit, state=state),  # type: ignore[arg-type]
            Middleware(RequestGuard, state=state),  # type: ignore[arg-type]
        ],
    )
    app.state.emulator = state
    return app
