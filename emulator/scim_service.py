"""scim2-server's ScimService with the two things it does differently from what Entra needs."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from scim2_models import PatchOp, PatchOperation, Resource, ResponseParameters, ScimProvider
from scim2_server.conditions import Conditions
from scim2_server.requests import ScimRequest
from scim2_server.responses import ScimResponse
from scim2_server.service import ScimService

from scim_harness.emulator.kintone_user import published_user_body
from scim_harness.emulator.scim_model import WorkEmail
from scim_harness.emulator.state import EmulatorState

# emails[type eq "work"].value: Entra expects the element to be created when none matches (RFC 7644 says 400
# noTarget; entra-provisioning.md §4, I-ADDFILT, I-SG). Kintone's only multi-valued attribute is emails.
_EMAIL_FILTER_PATH = re.compile(r'^\s*emails\s*\[\s*type\s+eq\s+"(?P<type>[^"]*)"\s*\]\s*\.\s*\w+\s*$', re.I)


class KintoneScimService(ScimService):
    """Also answers writes without scim2-models' publish-and-dump where the answer is the whole stored user:
    the same JSON, built directly (tests/emulator/test_hot_paths.py holds the two to each other)."""

    def __init__(self, provider: ScimProvider, state: EmulatorState) -> None:
        super().__init__(provider)
        self.state = state

    def max_body_size(self, request: ScimRequest) -> int | None:
        """Every body is bounded (the library bounds only bulk bodies); larger ones get 413."""
        limit = super().max_body_size(request)
        return self.state.assumptions.max_body_bytes if limit is None else limit

    def creation_response(self, base_url: str, created: Resource[Any]) -> ScimResponse:
        location = self._location(base_url, created)
        body = published_user_body(created, location)
        if body is None:
            return super().creation_response(base_url, created)
        response = ScimResponse(HTTPStatus.CREATED, body, {"Content-Location": location})
        response.headers["Location"] = location
        return response

    def replacement_response(
        self, base_url: str, resource: Resource[Any], response_parameters: ResponseParameters[Any]
    ) -> ScimResponse:
        if _projected(response_parameters):
            return super().replacement_response(base_url, resource, response_parameters)
        location = self._location(base_url, resource)
        body = published_user_body(resource, location)
        if body is None:
            return super().replacement_response(base_url, resource, response_parameters)
        return ScimResponse(HTTPStatus.OK, body, {"Content-Location": location})

    def patch_response(
        self, base_url: str, resource: Resource[Any], response_parameters: ResponseParameters[Any]
    ) -> ScimResponse:
        # Without ETags the 204 carries nothing of the resource, so it needs no published copy.
        if _projected(response_parameters) or self.etag_supported:
            return super().patch_response(base_url, resource, response_parameters)
        return ScimResponse(HTTPStatus.NO_CONTENT, None, {})

    def _location(self, base_url: str, resource: Resource[Any]) -> str:
        return self.resource_location(base_url, self.get_resource_type_of(resource), str(resource.id))

    def apply_patch(
        self, current: Resource[Any], patch_op: PatchOp[Any], conditions: Conditions
    ) -> Resource[Any] | None:
        if not self.state.rules.no_target_on_unmatched_filter_path:
            for operation in patch_op.operations or []:
                self._create_filtered_email(current, operation)
        return super().apply_patch(current, patch_op, conditions)

    @staticmethod
    def _create_filtered_email(current: Any, operation: PatchOperation[Any]) -> None:
        if operation.op not in (PatchOperation.Op.add, PatchOperation.Op.replace_) or operation.path is None:
            return
        match = _EMAIL_FILTER_PATH.match(str(operation.path))
        if match is None:
            return
        wanted = match["type"]
        emails = list(current.emails or [])
        if any(str(email.type or "").lower() == wanted.lower() for email in emails):
            return
        emails.append(WorkEmail(type=wanted))
        current.emails = emails


def _projected(response_parameters: ResponseParameters[Any]) -> bool:
    return bool(response_parameters.attributes or response_parameters.excluded_attributes)
