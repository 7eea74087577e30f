"""The defects at work: a thin layer around the correct service. With no defect switched on it only passes
the request through. Each switched-on defect rewrites the request (defects.requests), the answer
(defects.answers), or, for a few, the flow: a PATCH or DELETE that only reads, a deleted user kept readable,
an answer held back or never sent."""

from __future__ import annotations

import asyncio
import json
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from scim2_server.requests import ScimRequest
from scim2_server.responses import ScimResponse

from scim_harness.emulator.assumptions import ScimRefusal
from scim_harness.emulator.defects import answers, requests
from scim_harness.emulator.defects.answers import RawResponse
from scim_harness.emulator.defects.requests import Parsed
from scim_harness.emulator.defects.switches import DefectSwitches
from scim_harness.emulator.errors import ScimRefusalError
from scim_harness.emulator.inputs import load_json
from scim_harness.emulator.scim_gate import endpoint_of
from scim_harness.emulator.state import EmulatorState

__all__ = ["DefectLayer", "RawResponse"]

Serve = Callable[[ScimRequest], Awaitable[ScimResponse]]
DELETED_KEPT = 1000  # read_after_delete_returns_user remembers this many deleted users at most
_DISCOVERY_404 = {
    "service_provider_config_404": "serviceproviderconfig",
    "resource_types_404": "resourcetypes",
    "schemas_404": "schemas",
}


def _json_object(body: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or None (a hostile body too: the service refuses it after this layer)."""
    try:
        data = load_json(body)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _resource_id(path: str) -> str | None:
    parts = path.strip("/").split("/")
    return parts[1] if len(parts) == 2 else None


class DefectLayer:
    def __init__(self, state: EmulatorState, error_response: Callable[[Exception], ScimResponse]) -> None:
        self.state = state
        self._error_response = error_response

    @property
    def _deleted(self) -> OrderedDict[str, dict[str, Any]]:
        """Deleted users kept readable (read_after_delete_returns_user); emptied by a reset."""
        return self.state.defect_memory.setdefault("deleted", OrderedDict())  # type: ignore[no-any-return]

    def _refuse(self, refusal: ScimRefusal) -> ScimResponse:
        response = self._error_response(ScimRefusalError(refusal))
        response.headers.update(dict(refusal.headers))
        return response

    # -- time ----------------------------------------------------------------

    async def hang(self, request: ScimRequest, receive: Callable[[], Awaitable[dict[str, Any]]]) -> bool:
        """users_never_answer: hold a /Users request unanswered until the client hangs up (or hang_seconds
        pass, or the server stops). True when the request must get no answer."""
        defects = self.state.defects
        if not defects.on("users_never_answer") or endpoint_of(request.path) != "users":
            return False
        deadline = time.monotonic() + defects.hang_seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                message = await asyncio.wait_for(receive(), timeout=min(left, 1.0))
            except TimeoutError:
                continue
            if message.get("type") == "http.disconnect":
                break
        return True

    async def delay(self) -> None:
        """slow_answers: every answer waits latency_seconds (other requests are served meanwhile)."""
        if self.state.defects.on("slow_answers"):
            await asyncio.sleep(self.state.defects.latency_seconds)

    # -- requests and answers ------------------------------------------------

    async def serve(self, request: ScimRequest, inner: Serve) -> ScimResponse:
        defects = self.state.defects
        if not defects.enabled:
            return await inner(request)
        method = request.method.upper()
        parsed = Parsed(
            request, method, endpoint_of(request.path), _json_object(request.body) if request.body else None
        )
        response = await self._serve(parsed, inner, defects)
        return answers.error_bodies(response, defects)

    async def _serve(self, parsed: Parsed, inner: Serve, defects: DefectSwitches) -> ScimResponse:
        request, method, endpoint = parsed.request, parsed.method, parsed.endpoint
        resource_id = _resource_id(request.path)
        early = self._refusal(parsed, defects)
        if early is not None:
            return self._refuse(early)
        start_index = request.query.get("startIndex")
        operations_before = len(parsed.operations or [])
        refusal = requests.read_query(parsed, defects) or requests.read_patch(parsed, defects)
        if refusal is not None:
            return self._refuse(refusal)
        if endpoint == "groups" and resource_id is not None:
            refusal = self._group_refusal(parsed, resource_id, defects)
            if refusal is not None:
                return self._refuse(refusal)
        if endpoint == "users" and resource_id is not None:
            if method == "PATCH" and defects.on("patch_not_applied"):
                return await inner(self._read_of(request))
            if method == "DELETE":
                return await self._delete(request, resource_id, inner, defects)
        if method == "PATCH" and operations_before and parsed.operations == []:
            return await self._nothing_to_apply(request, inner)
        response = await inner(request)
        if answers.no_match_404(parsed, response, defects):
            return self._refuse(ScimRefusal(404, None, "No resource matches the filter"))
        if method == "GET" and resource_id is not None and response.status == HTTPStatus.NOT_FOUND:
            kept = self._deleted.get(resource_id) if endpoint == "users" else None
            if kept is not None:
                return ScimResponse(HTTPStatus.OK, json.loads(json.dumps(kept)))
        answers.searches(parsed, response, defects, start_index)
        answers.discovery(parsed, response, defects)
        return answers.statuses(parsed, response, defects)

    def _refusal(self, parsed: Parsed, defects: DefectSwitches) -> ScimRefusal | None:
        """What a defective service refuses before looking at the request: throttling, missing discovery
        endpoints, media types, PATCH altogether."""
        if defects.on("throttled_without_retry_after"):
            served = self.state.defect_memory["served"] = self.state.defect_memory.get("served", 0) + 1
            if served % 2 == 0:
                return ScimRefusal(429, None, "Too many requests")
        if any(defects.on(name) and parsed.endpoint == where for name, where in _DISCOVERY_404.items()):
            return ScimRefusal(404, None, "Not found")
        path = parsed.request.path.rstrip("/").lower()
        if defects.on("resource_types_without_groups") and (
            path.endswith("/resourcetypes/group") or path.endswith(":group")
        ):
            return ScimRefusal(404, None, "Not found")
        if parsed.method == "PATCH" and defects.on("patch_refused_put_only"):
            return ScimRefusal(501, None, "PATCH is not supported: replace the resource with PUT")
        return requests.media_refusal(parsed, defects)

    def _group_refusal(self, parsed: Parsed, group_id: str, defects: DefectSwitches) -> ScimRefusal | None:
        if parsed.method == "DELETE" and defects.on("group_delete_refused"):
            return ScimRefusal(405, None, "Groups cannot be deleted", (("Allow", "GET, PUT, PATCH"),))
        if parsed.method == "PATCH" and defects.on("group_member_add_not_idempotent"):
            groups = self.state.db.groups
            if any(groups.has_member(group_id, value) for value in requests.member_values(parsed)):
                return ScimRefusal(409, "uniqueness", "The user is already a member of the group")
        return None

    @staticmethod
    def _read_of(request: ScimRequest) -> ScimRequest:
        return ScimRequest(
            method="GET", base_url=request.base_url, path=request.path, headers=request.headers
        )

    async def _nothing_to_apply(self, request: ScimRequest, inner: Serve) -> ScimResponse:
        """A PATCH whose every operation a defect dropped: 204 as if applied (the resource must exist)."""
        read = await inner(self._read_of(request))
        return ScimResponse(HTTPStatus.NO_CONTENT) if read.status == HTTPStatus.OK else read

    async def _delete(
        self, request: ScimRequest, user_id: str, inner: Serve, defects: DefectSwitches
    ) -> ScimResponse:
        if defects.on("delete_not_applied"):
            return await self._nothing_to_apply(request, inner)
        before = None
        if defects.on("delete_200_with_body") or defects.on("read_after_delete_returns_user"):
            before = await inner(self._read_of(request))
        response = await inner(request)
        if response.status != HTTPStatus.NO_CONTENT or before is None or before.status != HTTPStatus.OK:
            return response
        if defects.on("read_after_delete_returns_user") and isinstance(before.body, dict):
            self._deleted[user_id] = before.body
            while len(self._deleted) > DELETED_KEPT:
                self._deleted.popitem(last=False)
        if defects.on("delete_200_with_body"):
            return ScimResponse(HTTPStatus.OK, before.body)
        return response
