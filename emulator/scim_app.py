"""The SCIM endpoint: scim2-server's ASGI application, wired for the profile (kintone: Kintone's User, rules
and direct answers; generic: RFC 7643's User and Group), behind the gate (scim_gate), with Entra's request
forms brought to what the models take (entra_compat, generic_compat) and the defect layer around it all."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from scim2_models import InvalidSyntaxException, InvalidValueException
from scim2_server.applications.asgi import ASGIApplication, Receive, Scope, Send
from scim2_server.requests import ScimRequest
from scim2_server.responses import ScimResponse

from scim_harness.emulator import entra_compat, generic_compat
from scim_harness.emulator.assumptions import Assumptions
from scim_harness.emulator.defects.layer import DefectLayer, RawResponse
from scim_harness.emulator.errors import ScimRefusalError
from scim_harness.emulator.filter_cost import check_filter_text
from scim_harness.emulator.generic_model import build_generic_provider, model
from scim_harness.emulator.generic_service import GenericScimService
from scim_harness.emulator.generic_storage import GenericStorage
from scim_harness.emulator.hot_paths import HotPaths
from scim_harness.emulator.inputs import InputError, load_json
from scim_harness.emulator.scim_gate import PEER_HEADER, RAW_QUERY_HEADER, Gate, endpoint_of
from scim_harness.emulator.scim_model import build_provider
from scim_harness.emulator.scim_service import KintoneScimService
from scim_harness.emulator.scim_storage import KintoneStorage
from scim_harness.emulator.state import EmulatorState
from scim_harness.emulator.store import UnstorableValue

_INTERNAL_HEADERS = {PEER_HEADER.encode(), RAW_QUERY_HEADER.encode()}
_PRINTABLE = re.compile(rb"[\x20-\x7e]*")
# RFC 3986 pchar and "/", without "%" (a decoded path's "%" is a character, written %25).
_PATH_SAFE = "/!$&'()*+,;=:@-._~"
_PLAIN_PATH = re.compile(r"[A-Za-z0-9/!$&'()*+,;=:@\-._~]*")


def _json_object(body: bytes) -> dict[str, Any] | None:
    """The body as a JSON object; None when it is none (the library words that refusal). A hostile body
    (too deep, a lone surrogate, NaN: inputs.load_json) is refused here with 400 invalidSyntax."""
    try:
        data = load_json(body)
    except InputError as exc:
        raise InvalidSyntaxException(detail=str(exc)) from exc
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _check_cost(request: ScimRequest, data: dict[str, Any] | None, assumptions: Assumptions) -> None:
    """Every filter the request carries (the query's, a /.search body's, a PATCH's value-filter paths) within
    the comparisons the service evaluates (filter_cost), before any library parses one."""
    text = request.query.get("filter")
    if text:
        check_filter_text(text, assumptions)
    if data is None:
        return
    if _is_search(request) and isinstance(data.get("filter"), str):
        check_filter_text(data["filter"], assumptions)
    operations = next((v for k, v in data.items() if k.lower() == "operations"), None)
    if isinstance(operations, list):
        paths = [op.get("path") for op in operations if isinstance(op, dict)]
        check_filter_text(" ".join(p for p in paths if isinstance(p, str)), assumptions)


def _is_search(request: ScimRequest) -> bool:
    return request.path.rstrip("/").endswith("/.search")


class ScimApplication(ASGIApplication):
    def __init__(self, state: EmulatorState) -> None:
        max_results = state.assumptions.max_results
        self.hot_paths: HotPaths | None = None
        if state.kintone:
            provider = build_provider(max_results)
            kintone_storage = KintoneStorage(state)
            kintone_service = KintoneScimService(provider, state)
            super().__init__(kintone_storage, provider, kintone_service)
            self.hot_paths = HotPaths(kintone_service, kintone_storage)
        else:
            provider = build_generic_provider(max_results)
            models = {name: model(provider, name) for name in ("User", "Group")}
            super().__init__(GenericStorage(state, models), provider, GenericScimService(provider, state))
        self.state = state
        self.gate = Gate(state)
        self.defects = DefectLayer(state, self.service.error_response)

    def get_base_url(self, scope: Scope) -> str:  # type: ignore[override]
        """From the Host header (the request guard let through only a valid one, in ASCII)."""
        headers = dict(scope["headers"])
        host = headers.get(b"host", b"").decode("latin-1")
        host = host or "{}:{}".format(*scope.get("server") or ("127.0.0.1", 80))
        return f"{scope['scheme']}://{host}{self.state.config.base_path}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        # The allow list needs the socket's peer and one defect the raw query, which ScimRequest lacks.
        client = scope.get("client")
        query = scope.get("query_string", b"")
        raw_query = query if _PRINTABLE.fullmatch(query) else b""  # a header value must be printable
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in _INTERNAL_HEADERS]
        headers += [
            (PEER_HEADER.encode(), (client[0] if client else "").encode()),
            (RAW_QUERY_HEADER.encode(), raw_query),
        ]
        request = await self.read_request({**scope, "headers": headers}, receive)
        if await self.defects.hang(request, receive):
            return
        response = await self.serve(request)
        await self.defects.delay()
        await self.send_response(response, send)

    async def serve(self, request: ScimRequest) -> ScimResponse:
        try:
            response = await self.defects.serve(request, self._serve)
        except Exception as exception:  # a defect's own bug still answers as a SCIM error
            response = self.handle_exception(request, exception)
        return self.finalize_response(request, response)

    async def _serve(self, request: ScimRequest) -> ScimResponse:
        try:
            return await self.dispatch_request(request)
        except Exception as exception:
            return self.handle_exception(request, exception)

    async def dispatch_request(self, request: ScimRequest) -> ScimResponse:
        self.gate.check(request)
        if self.hot_paths is not None:
            fast = self.hot_paths.answer(request)
            if fast is not None:
                return fast
        endpoint = endpoint_of(request.path)
        data = _json_object(request.body) if request.body else None
        _check_cost(request, data, self.state.assumptions)
        method = request.method.upper()
        if data is not None and self.state.kintone and endpoint == "users" and not _is_search(request):
            rules = self.state.rules
            if method in ("POST", "PUT"):
                request.body = json.dumps(entra_compat.normalise_resource(data, rules)).encode()
            elif method == "PATCH":
                patched = entra_compat.normalise_patch(data, rules)
                if entra_compat.only_ignored_operations(data, patched):
                    # Every operation was on an attribute Kintone ignores: answer with the user as it is.
                    request.method, request.body = "GET", b""
                else:
                    request.body = json.dumps(patched).encode()
        elif data is not None and not self.state.kintone and endpoint in ("users", "groups"):
            if method in ("POST", "PUT"):
                request.body = json.dumps(generic_compat.normalise_resource(data)).encode()
            elif method == "PATCH":
                request.body = json.dumps(generic_compat.normalise_patch(data)).encode()
        return await self.handler.handle(request)

    def handle_exception(self, request: ScimRequest, exception: Exception) -> ScimResponse:
        if isinstance(exception, UnstorableValue):
            exception = InvalidValueException(detail=str(exception))
        response = super().handle_exception(request, exception)
        if isinstance(exception, ScimRefusalError):
            response.headers.update(dict(exception.refusal.headers))
        return response

    @staticmethod
    async def send_response(response: ScimResponse, send: Send) -> None:
        """As scim2-server sends it, plus Content-Length: uvicorn then sends the body as it is, rather than
        as a chunk followed by a separately written terminating chunk."""
        headers = [(name.encode(), value.encode()) for name, value in response.headers.items()]
        body = b""
        if isinstance(response, RawResponse):
            body = response.raw
        elif response.body is not None:
            body = json.dumps(response.body).encode()
        if body or response.body is not None:
            headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": int(response.status), "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def finalize_response(self, request: ScimRequest, response: ScimResponse) -> ScimResponse:
        # The library's Location is the decoded path as it came: "/Users/%0a" put a newline in a header,
        # and h11 dropped the connection rather than send it. A URL is percent-encoded (RFC 3986 §2.1).
        if "Location" not in response.headers and not _PLAIN_PATH.fullmatch(request.path):
            path = quote(request.path.strip("/"), safe=_PATH_SAFE)
            response.headers["Location"] = f"{request.base_url.rstrip('/')}/{path}"
        response = super().finalize_response(request, response)
        if self.state.kintone and self.state.rules.plain_json_responses:
            response.headers["Content-Type"] = "application/json"
        return response
