"""The SCIM endpoint: scim2-server's ASGI application behind Kintone's gate (IP allow list, API token,
Propagate Provisioning, no Groups) and Entra's request quirks."""

from __future__ import annotations

import json
from typing import Any

from scim2_models import PayloadTooLargeException
from scim2_server.applications.asgi import ASGIApplication, Scope
from scim2_server.requests import ScimRequest
from scim2_server.responses import ScimResponse

from scim_harness.emulator import kintone_rules
from scim_harness.emulator.entra_compat import normalise_patch, normalise_resource, rewrite_json
from scim_harness.emulator.errors import ScimRefusalError
from scim_harness.emulator.hot_paths import HotPaths
from scim_harness.emulator.scim_model import build_provider
from scim_harness.emulator.scim_service import KintoneScimService
from scim_harness.emulator.scim_storage import KintoneStorage
from scim_harness.emulator.state import EmulatorState
from scim_harness.emulator.tokens import TokenService

PEER_HEADER = b"x-emulator-peer"
DISCOVERY = {"serviceproviderconfig", "schemas", "resourcetypes"}


def _endpoint(path: str) -> str:
    """The first segment of a SCIM path, lower-cased: "users", "groups", "schemas"..."""
    return path.strip("/").split("/", 1)[0].lower()


class KintoneScimApplication(ASGIApplication):
    def __init__(self, state: EmulatorState) -> None:
        provider = build_provider(state.assumptions.max_results)
        storage = KintoneStorage(state)
        service = KintoneScimService(provider, state)
        super().__init__(storage, provider, service)
        self.state = state
        self.tokens = TokenService(state)
        self.hot_paths = HotPaths(service, storage)

    def get_base_url(self, scope: Scope) -> str:  # type: ignore[override]
        headers = dict(scope["headers"])
        host = headers.get(b"host", b"").decode() or "{}:{}".format(*scope.get("server") or ("127.0.0.1", 80))
        return f"{scope['scheme']}://{host}{self.state.config.base_path}"

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            # The allow list needs the peer address, which ScimRequest does not carry.
            headers = [(k, v) for k, v in scope["headers"] if k.lower() != PEER_HEADER]
            scope = {**scope, "headers": [*headers, (PEER_HEADER, _peer(scope).encode())]}
        await super().__call__(scope, receive, send)

    async def dispatch_request(self, request: ScimRequest) -> ScimResponse:
        self._gate(request)
        fast = self.hot_paths.answer(request)
        if fast is not None:
            return fast
        if _endpoint(request.path) == "users" and request.body:
            rules = self.state.rules
            if request.method.upper() in {"POST", "PUT"}:
                request.body = rewrite_json(request.body, normalise_resource, rules) or request.body
            elif request.method.upper() == "PATCH":
                rewritten = rewrite_json(request.body, normalise_patch, rules)
                if rewritten is not None and _only_ignored_operations(request.body, rewritten):
                    # Every operation was on an attribute Kintone ignores: answer with the user as it is.
                    request.method, request.body = "GET", b""
                elif rewritten is not None:
                    request.body = rewritten
        return await self.handler.handle(request)

    def _gate(self, request: ScimRequest) -> None:
        """What Kintone checks before any SCIM work: address, token, resource type, propagation, size."""
        state = self.state
        endpoint = _endpoint(request.path)
        if not state.ip_allowed(request.header(PEER_HEADER.decode())):
            raise ScimRefusalError(state.assumptions.ip_blocked)
        if endpoint != "serviceproviderconfig" and not self.tokens.accepts(request.header("Authorization")):
            raise ScimRefusalError(state.assumptions.unauthorized)
        if endpoint == "groups":
            raise ScimRefusalError(state.assumptions.groups)
        if endpoint not in DISCOVERY:
            refusal = kintone_rules.propagation_refusal(
                request.method, state.propagation_enabled(), state.assumptions, state.rules
            )
            if refusal is not None:
                raise ScimRefusalError(refusal)
        if len(request.body) > state.assumptions.max_body_bytes:
            raise PayloadTooLargeException(
                detail=f"The request body exceeds {state.assumptions.max_body_bytes} bytes"
            )

    @staticmethod
    async def send_response(response: ScimResponse, send: Any) -> None:
        """As scim2-server sends it, plus Content-Length: uvicorn then sends the body as it is, rather than
        as a chunk followed by a separately written terminating chunk."""
        headers = [(name.encode(), value.encode()) for name, value in response.headers.items()]
        body = b""
        if response.body is not None:
            body = json.dumps(response.body).encode()
            headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": int(response.status), "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def finalize_response(self, request: ScimRequest, response: ScimResponse) -> ScimResponse:
        response = super().finalize_response(request, response)
        if self.state.rules.plain_json_responses:
            response.headers["Content-Type"] = "application/json"
        return response


def _peer(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else ""


def _only_ignored_operations(original: bytes, rewritten: bytes) -> bool:
    def count(body: bytes) -> int:
        data = json.loads(body)
        key = next((k for k in data if k.lower() == "operations"), None)
        operations = data.get(key) if key else None
        return len(operations) if isinstance(operations, list) else -1

    return count(original) > 0 and count(rewritten) == 0
