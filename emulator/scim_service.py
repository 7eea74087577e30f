"""scim2-server's ScimService for the Kintone profile: every User response written by user_json, from the
stored row, and the value-filter path Entra needs."""

from __future__ import annotations

from functools import lru_cache
from http import HTTPStatus
from typing import Any

from scim2_models import (
    PatchOp,
    Resource,
    ResourceType,
    ResponseParameters,
    ScimProvider,
    SearchRequest,
)
from scim2_server.conditions import Conditions
from scim2_server.requests import ScimRequest
from scim2_server.responses import ScimResponse
from scim2_server.routing import Target
from scim2_server.routing import match as route_match
from scim2_server.service import ScimService
from scim2_server.storage import SearchPage

from scim_harness.emulator.kintone_user import record_of
from scim_harness.emulator.state import EmulatorState
from scim_harness.emulator.store import UserRecord
from scim_harness.emulator.user_json import list_body, project, user_body
from scim_harness.emulator.value_filter import patch_creating_elements


@lru_cache(maxsize=1024)
def _cached_match(method: str, path: str) -> Target:
    """scim2-server's route match, asked twice a request (handler and service) and costing a scan of every
    route each time; a Target is frozen, and a refusal (an exception) is not kept."""
    return route_match(method, path)


class KintoneScimService(ScimService):
    def __init__(self, provider: ScimProvider, state: EmulatorState) -> None:
        super().__init__(provider)
        self.state = state
        self.user_type = self.resource_type_at("Users")

    @staticmethod
    def match(request: ScimRequest) -> Target:
        return _cached_match(request.method.upper(), request.path)

    def max_body_size(self, request: ScimRequest) -> int | None:
        """Every body is bounded (the library bounds only bulk bodies); larger ones get 413. Only a bulk
        path asks the library, whose answer costs a route match."""
        if request.path.strip("/").lower() != "bulk":
            return self.state.assumptions.max_body_bytes
        limit = super().max_body_size(request)
        return self.state.assumptions.max_body_bytes if limit is None else limit

    # -- every User response, from the row ------------------------------------

    def location(self, base_url: str, user_id: int | str) -> str:
        return self.resource_location(base_url, self.user_type, str(user_id))

    def _user_response(
        self,
        base_url: str,
        user: Resource[Any] | UserRecord,
        status: HTTPStatus,
        response_parameters: ResponseParameters[Any] | None = None,
    ) -> ScimResponse:
        record = user if isinstance(user, UserRecord) else record_of(user)  # type: ignore[arg-type]
        location = self.location(base_url, record.id)
        body = user_body(record, location)
        if response_parameters is not None:
            body = project(body, response_parameters.attributes, response_parameters.excluded_attributes)
        return ScimResponse(status, body, {"Content-Location": location})

    def creation_response(self, base_url: str, created: Resource[Any] | UserRecord) -> ScimResponse:  # type: ignore[override]
        """201 with Location; from the User the library created or the row the direct POST stored."""
        response = self._user_response(base_url, created, HTTPStatus.CREATED)
        response.headers["Location"] = response.headers["Content-Location"]
        return response

    def query_response(
        self,
        base_url: str,
        resource: Resource[Any],
        response_parameters: ResponseParameters[Any],
        conditions: Conditions,
    ) -> ScimResponse:
        if not self.check_preconditions(resource, "GET", conditions):
            return ScimResponse(HTTPStatus.NOT_MODIFIED, None, {})
        return self._user_response(base_url, resource, HTTPStatus.OK, response_parameters)

    def replacement_response(
        self, base_url: str, resource: Resource[Any], response_parameters: ResponseParameters[Any]
    ) -> ScimResponse:
        return self._user_response(base_url, resource, HTTPStatus.OK, response_parameters)

    def patch_response(
        self, base_url: str, resource: Resource[Any], response_parameters: ResponseParameters[Any]
    ) -> ScimResponse:
        """204 (RFC 7644 §3.5.2: no attributes asked for), else the user projected as asked."""
        if not response_parameters.attributes and not response_parameters.excluded_attributes:
            return ScimResponse(HTTPStatus.NO_CONTENT, None, {})
        return self._user_response(base_url, resource, HTTPStatus.OK, response_parameters)

    def search_response(
        self,
        base_url: str,
        resource_types: list[ResourceType],
        page: SearchPage,
        search_request: SearchRequest[Any],
    ) -> ScimResponse:
        bodies = []
        for user in page.resources:
            record = record_of(user)  # type: ignore[arg-type]
            body = user_body(record, self.location(base_url, record.id))
            bodies.append(project(body, search_request.attributes, search_request.excluded_attributes))
        return ScimResponse(
            HTTPStatus.OK, list_body(page.total or 0, search_request.start_index or 1, bodies)
        )

    # -- Entra's value-filter path --------------------------------------------

    def apply_patch(
        self, current: Resource[Any], patch_op: PatchOp[Any], conditions: Conditions
    ) -> Resource[Any] | None:
        """emails[type eq "work"].value creates the address when there is none (value_filter)."""
        state = self.state
        if state.rules.no_target_on_unmatched_filter_path or state.defects.on("patch_value_filter_no_target"):
            return super().apply_patch(current, patch_op, conditions)
        self.check_preconditions(current, "PATCH", conditions)
        return current if patch_creating_elements(current, patch_op) else None
