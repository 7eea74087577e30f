"""scim2-server's ScimService for the generic profile: the library's own behaviour (scim2-models validates,
patches and writes every resource), plus the one thing Entra needs that RFC 7644 lets a server refuse.

A value-filter path such as `phoneNumbers[type eq "mobile"].value` matching no element: RFC 7644 §3.5.2
allows 400 noTarget, but Entra expects the element to be created (value_filter).
"""

from __future__ import annotations

from typing import Any

from scim2_models import PatchOp, Resource, ScimProvider
from scim2_server.conditions import Conditions
from scim2_server.requests import ScimRequest
from scim2_server.service import ScimService

from scim_harness.emulator.state import EmulatorState
from scim_harness.emulator.value_filter import patch_creating_elements


class GenericScimService(ScimService):
    def __init__(self, provider: ScimProvider, state: EmulatorState) -> None:
        super().__init__(provider)
        self.state = state

    def max_body_size(self, request: ScimRequest) -> int | None:
        """Every body is bounded (the library bounds only bulk bodies); larger ones get 413."""
        limit = super().max_body_size(request)
        return self.state.assumptions.max_body_bytes if limit is None else limit

    def apply_patch(
        self, current: Resource[Any], patch_op: PatchOp[Any], conditions: Conditions
    ) -> Resource[Any] | None:
        if self.state.defects.on("patch_value_filter_no_target"):
            return super().apply_patch(current, patch_op, conditions)
        self.check_preconditions(current, "PATCH", conditions)
        return current if patch_creating_elements(current, patch_op) else None
