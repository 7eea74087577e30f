"""The emulator-only admin surface (/_emulator/*): what Kintone's Provisioning page does, which Kintone offers
no public API for, plus the test-only switches. An adapter: it parses, asks the state, the token service or
kintone_rules, and answers in Kintone's User API shape. A refused request changes nothing.
"""

from __future__ import annotations

import math
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from scim_harness.emulator.admin_http import AdminError, bad_request, guarded, json_object
from scim_harness.emulator.state import EmulatorState, iso, parse_iso
from scim_harness.emulator.store import TokenRecord
from scim_harness.emulator.tokens import TokenService

# What an answer shows of a token: everything but its hash.
TOKEN_INFO_FIELDS = ("id", "notes", "expires_at", "enabled", "created_at")
# The clock moves at most a century either way: token expiry needs days, not more.
MAX_CLOCK_OFFSET_S = 100 * 366 * 86400


def token_info(token: TokenRecord) -> dict[str, Any]:
    return {name: getattr(token, name) for name in TOKEN_INFO_FIELDS}


class AdminApi:
    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.tokens = TokenService(state)

    def routes(self) -> list[Route]:
        def route(path: str, handler: Any, *methods: str) -> Route:
            return Route(f"/_emulator{path}", guarded(self.state, handler), methods=list(methods))

        return [
            route("/tokens", self.tokens_create, "POST"),
            route("/tokens", self.tokens_list, "GET"),
            route("/tokens/lookup", self.tokens_lookup, "POST"),
            route("/tokens/{token_id}", self.tokens_patch, "PATCH"),
            route("/tokens/{token_id}", self.tokens_delete, "DELETE"),
            route("/propagation", self.propagation, "GET", "PUT"),
            route("/ip-allowlist", self.ip_allowlist, "GET", "PUT"),
            route("/clock", self.clock, "GET", "PUT"),
            route("/rules", self.rules, "GET", "PUT"),
            route("/defects", self.defects, "GET", "PUT"),
            route("/profile", self.profile, "GET"),
            route("/reset", self.reset, "POST"),
        ]

    async def _body(self, request: Request) -> dict[str, Any]:
        return await json_object(request, self.state.assumptions.max_body_bytes)

    # -- API tokens ----------------------------------------------------------

    async def tokens_create(self, request: Request) -> Response:
        body = await self._body(request)
        try:
            created = self.tokens.create(body.get("validity_days"), body.get("notes", ""))
        except ValueError as exc:
            raise bad_request(str(exc)) from exc
        scim_endpoint = f"{str(request.base_url).rstrip('/')}{self.state.config.base_path}"
        info = token_info(created.record)
        info.pop("created_at")
        return JSONResponse({**info, "token": created.value, "scim_endpoint": scim_endpoint}, status_code=201)

    async def tokens_list(self, request: Request) -> Response:
        return JSONResponse({"tokens": [token_info(t) for t in self.state.db.tokens.all()]})

    async def tokens_lookup(self, request: Request) -> Response:
        """Which token has this value (for drivers given only a value, such as the --token seed)."""
        value = (await self._body(request)).get("token")
        if not isinstance(value, str):
            raise bad_request("token must be a string.")
        match = self.tokens.find(value)
        if match is None:
            raise AdminError(404, "not_found", "No API token has this value.")
        return JSONResponse(token_info(match))

    def _token(self, token_id: str) -> TokenRecord:
        token = self.state.db.tokens.get(token_id)
        if token is None:
            raise AdminError(404, "not_found", "No API token has this id.")
        return token

    async def tokens_patch(self, request: Request) -> Response:
        """`{"enabled": bool}` and/or `{"expires_at": ISO 8601 or null}`, checked whole before anything is
        written."""
        token_id = request.path_params["token_id"]
        self._token(token_id)
        body = await self._body(request)
        if not body or set(body) - {"enabled", "expires_at"}:
            raise bad_request('Send {"enabled": true|false} and/or {"expires_at": ISO|null}.')
        enabled = body.get("enabled")
        if "enabled" in body and not isinstance(enabled, bool):
            raise bad_request("enabled must be true or false.")
        expires_at = body.get("expires_at")
        if expires_at is not None:
            if not isinstance(expires_at, str):
                raise bad_request("expires_at must be an ISO 8601 date-time or null.")
            try:
                expires_at = iso(parse_iso(expires_at))
            except (TypeError, ValueError, OverflowError) as exc:
                raise bad_request("expires_at must be an ISO 8601 date-time.") from exc
        self.state.db.tokens.update(
            token_id, enabled=enabled, expires_at=expires_at, change_expiry="expires_at" in body
        )
        return JSONResponse(token_info(self._token(token_id)))

    async def tokens_delete(self, request: Request) -> Response:
        if not self.state.db.tokens.delete(request.path_params["token_id"]):
            raise AdminError(404, "not_found", "No API token has this id.")
        return Response(status_code=204)

    # -- Provisioning page settings ------------------------------------------

    async def propagation(self, request: Request) -> Response:
        if request.method == "PUT" and not self.state.kintone:
            raise bad_request("The generic profile has no Propagate Provisioning.")
        if request.method == "PUT":
            enabled = (await self._body(request)).get("enabled")
            if not isinstance(enabled, bool):
                raise bad_request("enabled must be true or false.")
            self.state.set_propagation(enabled)
        return JSONResponse({"enabled": self.state.propagation_enabled()})

    async def ip_allowlist(self, request: Request) -> Response:
        if request.method == "PUT":
            addresses = (await self._body(request)).get("addresses")
            try:
                self.state.set_ip_allowlist(addresses)
            except ValueError as exc:
                raise bad_request(str(exc)) from exc
        return JSONResponse({"addresses": self.state.ip_allowlist()})

    async def clock(self, request: Request) -> Response:
        if request.method == "PUT":
            offset = (await self._body(request)).get("offset_seconds")
            if (
                isinstance(offset, bool)
                or not isinstance(offset, int | float)
                or not math.isfinite(offset)
                or abs(offset) > MAX_CLOCK_OFFSET_S
            ):
                raise bad_request(
                    f"offset_seconds must be a number of at most {MAX_CLOCK_OFFSET_S} either way."
                )
            self.state.clock_offset_seconds = float(offset)
        return JSONResponse({"offset_seconds": self.state.clock_offset_seconds})

    async def rules(self, request: Request) -> Response:
        """The Kintone rule switches; the generic profile has no Kintone rules to break."""
        if request.method == "PUT":
            changes = await self._body(request)
            if not self.state.kintone and any(value is True for value in changes.values()):
                raise bad_request("The generic profile has no Kintone rules: see /_emulator/defects.")
            try:
                self.state.rules.update(changes)
            except ValueError as exc:
                raise bad_request(str(exc)) from exc
        return JSONResponse(self.state.rules.to_dict())

    async def defects(self, request: Request) -> Response:
        """`{"switches": {name: bool}, "parameters": {name: number}}`; PUT takes any part of it."""
        if request.method == "PUT":
            try:
                self.state.defects.update(await self._body(request), self.state.profile)
            except ValueError as exc:
                raise bad_request(str(exc)) from exc
            self.state.defect_memory.clear()
        return JSONResponse(self.state.defects.to_dict())

    async def profile(self, request: Request) -> Response:
        config = self.state.config
        return JSONResponse(
            {
                "profile": config.profile,
                "base_path": config.base_path,
                "resource_types": ["User"] if self.state.kintone else ["User", "Group"],
                "tls": request.url.scheme == "https",
            }
        )

    async def reset(self, request: Request) -> Response:
        self.state.reset()
        self.tokens.seed()
        return Response(status_code=204)
