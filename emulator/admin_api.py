"""The administrator's surface: Kintone's own User API (/v1/users.json) and what the Provisioning page does
(/_emulator/*), both authenticated with the administrator's X-Cybozu-Authorization header.

Errors use Kintone's User API shape {message, id, code}. Secrets never appear in an answer, except the
token value in the one response that creates it.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from scim_harness.emulator.kintone_user import kintone_api_user
from scim_harness.emulator.state import EmulatorState, iso, parse_iso
from scim_harness.emulator.store import DuplicateLoginName, TokenRecord
from scim_harness.emulator.tokens import TokenService, hash_token

USER_API_MAX = 100
Handler = Callable[[Request], Awaitable[Response]]


class AdminError(Exception):
    def __init__(self, status: int, code_key: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code_key = code_key
        self.message = message


def _error_response(state: EmulatorState, error: AdminError) -> JSONResponse:
    code = state.assumptions.user_api_codes.get(error.code_key, error.code_key)
    body = {"message": error.message, "id": secrets.token_hex(10), "code": code}
    return JSONResponse(body, status_code=error.status)


async def _json_body(request: Request, limit: int) -> Any:
    body = await request.body()
    if len(body) > limit:
        raise AdminError(413, "bad_request", "The request body is too large.")
    if not body:
        return {}
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise AdminError(400, "invalid_json", "The request body is not valid JSON.") from exc


def _object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise AdminError(400, "bad_request", "The request body must be a JSON object.")
    return data


# What an answer shows of a token: everything but its hash.
TOKEN_INFO_FIELDS = ("id", "notes", "expires_at", "enabled", "created_at")


def _token_info(token: TokenRecord) -> dict[str, Any]:
    return {name: getattr(token, name) for name in TOKEN_INFO_FIELDS}


def _query_list(request: Request, name: str) -> list[str]:
    """Kintone accepts codes[0]=a&codes[1]=b; also take codes=a&codes=b and codes[]=a."""
    values: list[str] = []
    for key, value in request.query_params.multi_items():
        if key == name or key == f"{name}[]" or (key.startswith(f"{name}[") and key.endswith("]")):
            values.append(value)
    return values


def _int_param(request: Request, name: str, default: int, low: int, high: int | None) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise AdminError(400, "bad_request", f"{name} must be an integer.") from exc
    if value < low or (high is not None and value > high):
        raise AdminError(400, "bad_request", f"{name} must be between {low} and {high or 'any'}.")
    return value


class AdminApi:
    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.tokens = TokenService(state)

    def routes(self) -> list[Route]:
        guard = self._guarded
        return [
            Route("/v1/users.json", guard(self.users_get), methods=["GET"]),
            Route("/v1/users.json", guard(self.users_post), methods=["POST"]),
            Route("/v1/users.json", guard(self.users_delete), methods=["DELETE"]),
            Route("/_emulator/tokens", guard(self.tokens_create), methods=["POST"]),
            Route("/_emulator/tokens", guard(self.tokens_list), methods=["GET"]),
            Route("/_emulator/tokens/lookup", guard(self.tokens_lookup), methods=["POST"]),
            Route("/_emulator/tokens/{token_id}", guard(self.tokens_patch), methods=["PATCH"]),
            Route("/_emulator/tokens/{token_id}", guard(self.tokens_delete), methods=["DELETE"]),
            Route("/_emulator/propagation", guard(self.propagation), methods=["GET", "PUT"]),
            Route("/_emulator/ip-allowlist", guard(self.ip_allowlist), methods=["GET", "PUT"]),
            Route("/_emulator/clock", guard(self.clock), methods=["GET", "PUT"]),
            Route("/_emulator/rules", guard(self.rules), methods=["GET", "PUT"]),
            Route("/_emulator/reset", guard(self.reset), methods=["POST"]),
        ]

    def _guarded(self, handler: Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            try:
                if not self.state.is_admin(request.headers.get("x-cybozu-authorization")):
                    raise AdminError(401, "unauthorized", "Administrator authentication failed.")
                return await handler(request)
            except AdminError as error:
                return _error_response(self.state, error)

        return endpoint

    async def _body(self, request: Request) -> dict[str, Any]:
        return _object(await _json_body(request, self.state.assumptions.max_body_bytes))

    # -- Kintone User API -----------------------------------------------------

    async def users_get(self, request: Request) -> Response:
        db = self.state.db
        ids, codes = _query_list(request, "ids"), _query_list(request, "codes")
        if ids and codes:
            raise AdminError(400, "bad_request", "Specify either ids or codes, not both.")
        size = _int_param(request, "size", USER_API_MAX, 1, USER_API_MAX)
        offset = _int_param(request, "offset", 0, 0, None)
        where, params = "", ()
        if ids:
            if not all(i.isdigit() for i in ids):
                raise AdminError(400, "bad_request", "ids must be numbers.")
            where, params = f"id IN ({','.join('?' * len(ids))})", tuple(int(i) for i in ids)
        elif codes:
            where, params = f"lower(user_name) IN ({','.join(['lower(?)'] * len(codes))})", tuple(codes)
        records = db.page_users(where, params, offset, size)
        return JSONResponse({"users": [kintone_api_user(r) for r in records]})

    async def users_post(self, request: Request) -> Response:
        users = (await self._body(request)).get("users")
        if not isinstance(users, list) or not 1 <= len(users) <= USER_API_MAX:
            raise AdminError(400, "bad_request", f"users must be a list of 1 to {USER_API_MAX} users.")
        rows = [self._user_row(user) for user in users]
        now = self.state.now_iso()
        created = []
        try:
            for row in rows:
                created.append(self.state.db.insert_user(row, origin="admin", now=now))
        except DuplicateLoginName as exc:
            for record in created:  # all or nothing, as Kintone's bulk calls are
                self.state.db.delete_user(record.id)
            raise AdminError(400, "duplicate", f"The login name {exc} is already in use.") from exc
        return JSONResponse({})

    def _user_row(self, user: Any) -> dict[str, Any]:
        user = _object(user)
        for required in ("code", "password", "name"):
            if not isinstance(user.get(required), str):
                raise AdminError(400, "bad_request", f"{required} is required and must be a string.")
        for optional in ("surName", "givenName", "email"):
            if user.get(optional) is not None and not isinstance(user[optional], str):
                raise AdminError(400, "bad_request", f"{optional} must be a string.")
        code, name = user["code"], user["name"]
        limits = self.state.assumptions
        checks = [
            (
                not code.strip() or len(code) > limits.login_name_max,
                "code must be 1 to 128 characters, not blank.",
            ),
            (len(name) > limits.display_name_max, "name must be at most 128 characters."),
            (len(user["password"]) > 64, "password must be at most 64 characters."),
            (len(user.get("surName") or "") > limits.surname_max, "surName must be at most 64 characters."),
            (
                len(user.get("givenName") or "") > limits.given_name_max,
                "givenName must be at most 64 characters.",
            ),
        ]
        for failed, message in checks:
            if failed:
                raise AdminError(400, "bad_request", message)
        valid = user.get("valid", True)
        if not isinstance(valid, bool):
            raise AdminError(400, "bad_request", "valid must be true or false.")
        return {
            "user_name": code,
            "display_name": name,
            "family_name": user.get("surName") or None,
            "given_name": user.get("givenName") or None,
            "email": user.get("email") or None,
            "active": valid,
        }

    async def users_delete(self, request: Request) -> Response:
        codes = (await self._body(request)).get("codes")
        if not isinstance(codes, list) or not 1 <= len(codes) <= USER_API_MAX:
            raise AdminError(400, "bad_request", f"codes must be a list of 1 to {USER_API_MAX} login names.")
        db = self.state.db
        records = []
        for code in codes:
            record = db.find_by_login(code) if isinstance(code, str) else None
            if record is None:
                raise AdminError(400, "not_found", f"The user {code!r} does not exist.")
            records.append(record)
        now = self.state.now_iso()
        for record in records:
            db.delete_user(record.id)
            if record.scim_linked:
                # Kintone: a provisioned user deleted by an administrator is not recreated by later syncs.
                db.add_tombstone(record.user_name, now=now)
        return JSONResponse({})

    # -- API tokens ----------------------------------------------------------

    async def tokens_create(self, request: Request) -> Response:
        body = await self._body(request)
        try:
            created = self.tokens.create(body.get("validity_days"), body.get("notes", ""))
        except ValueError as exc:
            raise AdminError(400, "bad_request", str(exc)) from exc
        scim_endpoint = f"{str(request.base_url).rstrip('/')}{self.state.config.base_path}"
        info = _token_info(created.record)
        info.pop("created_at")
        return JSONResponse({**info, "token": created.value, "scim_endpoint": scim_endpoint}, status_code=201)

    async def tokens_list(self, request: Request) -> Response:
        return JSONResponse({"tokens": [_token_info(t) for t in self.state.db.tokens()]})

    async def tokens_lookup(self, request: Request) -> Response:
        """Which token has this value (for drivers given only a value, such as the --token seed)."""
        value = (await self._body(request)).get("token")
        if not isinstance(value, str):
            raise AdminError(400, "bad_request", "token must be a string.")
        wanted = hash_token(value)
        match = None
        for token in self.state.db.tokens():
            if secrets.compare_digest(token.token_hash, wanted):
                match = token
        if match is None:
            raise AdminError(404, "not_found", "No API token has this value.")
        return JSONResponse(_token_info(match))

    def _find_token(self, token_id: str) -> TokenRecord:
        for token in self.state.db.tokens():
            if token.id == token_id:
                return token
        raise AdminError(404, "not_found", "No API token has this id.")

    async def tokens_patch(self, request: Request) -> Response:
        token_id = request.path_params["token_id"]
        self._find_token(token_id)
        body = await self._body(request)
        unknown = set(body) - {"enabled", "expires_at"}
        if unknown or not body:
            raise AdminError(
                400, "bad_request", 'Send {"enabled": true|false} and/or {"expires_at": ISO|null}.'
            )
        if "enabled" in body:
            if not isinstance(body["enabled"], bool):
                raise AdminError(400, "bad_request", "enabled must be true or false.")
            self.state.db.set_token_enabled(token_id, body["enabled"])
        if "expires_at" in body:
            expires_at = body["expires_at"]
            if expires_at is not None:
                try:
                    expires_at = iso(parse_iso(expires_at))
                except (TypeError, ValueError) as exc:
                    raise AdminError(400, "bad_request", "expires_at must be an ISO 8601 date-time.") from exc
            self.state.db.set_token_expiry(token_id, expires_at)
        return JSONResponse(_token_info(self._find_token(token_id)))

    async def tokens_delete(self, request: Request) -> Response:
        if not self.state.db.delete_token(request.path_params["token_id"]):
            raise AdminError(404, "not_found", "No API token has this id.")
        return Response(status_code=204)

    # -- Provisioning page settings ------------------------------------------

    async def propagation(self, request: Request) -> Response:
        if request.method == "PUT":
            enabled = (await self._body(request)).get("enabled")
            if not isinstance(enabled, bool):
                raise AdminError(400, "bad_request", "enabled must be true or false.")
            self.state.set_propagation(enabled)
        return JSONResponse({"enabled": self.state.propagation_enabled()})

    async def ip_allowlist(self, request: Request) -> Response:
        if request.method == "PUT":
            addresses = (await self._body(request)).get("addresses")
            try:
                self.state.set_ip_allowlist(addresses)
            except ValueError as exc:
                raise AdminError(400, "bad_request", str(exc)) from exc
        return JSONResponse({"addresses": self.state.ip_allowlist()})

    async def clock(self, request: Request) -> Response:
        if request.method == "PUT":
            offset = (await self._body(request)).get("offset_seconds")
            if isinstance(offset, bool) or not isinstance(offset, int | float):
                raise AdminError(400, "bad_request", "offset_seconds must be a number.")
            self.state.clock_offset_seconds = float(offset)
        return JSONResponse({"offset_seconds": self.state.clock_offset_seconds})

    async def rules(self, request: Request) -> Response:
        if request.method == "PUT":
            try:
                self.state.rules.update(await self._body(request))
            except ValueError as exc:
                raise AdminError(400, "bad_request", str(exc)) from exc
        return JSONResponse(self.state.rules.to_dict())

    async def reset(self, request: Request) -> Response:
        self.state.reset()
        self.tokens.seed()
        return Response(status_code=204)
