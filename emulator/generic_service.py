"""scim2-server's ScimService for the generic profile: the library's own behaviour (scim2-models validates,
patches and writes every resource), plus the one thing Entra needs that RFC 7644 lets a server refuse.

A value-filter path such as `phoneNumbers[type eq "mobile"].value` matching no element: RFC 7644 §3.5.2
allows 400 noTarget, but Entra expects the element to be created (entra-provisioning.md §4, I-ADDFILT, I-SG),
so an element of that type is added first.
"""

from __future__ import annotations

import re
from typing import Any

from scim2_models import PatchOp, PatchOperation, Resource, ScimProvider
from scim2_server.conditions import Conditions
from scim2_server.requests import ScimRequest
from scim2_server.service import ScimService

from scim_harness.emulator.state import EmulatorState

_TYPE_FILTER_PATH = re.compile(
    r'^\s*(?:urn:[^\[]*:)?(?P<attr>\w+)\s*\[\s*type\s+eq\s+"(?P<type>[^"]*)"\s*\]\s*\.\s*\w+\s*$', re.I
)


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
        if not self.state.defects.on("patch_value_filter_no_target"):
            for operation in patch_op.operations or []:
                _create_filtered_element(current, operation)
        return super().apply_patch(current, patch_op, conditions)


def _create_filtered_element(current: Any, operation: PatchOperation[Any]) -> None:
    if operation.op not in (PatchOperation.Op.add, PatchOperation.Op.replace_) or operation.path is None:
        return
    match = _TYPE_FILTER_PATH.match(str(operation.path))
    if match is None:
        return
    model = type(current)
    wanted_attr = match["attr"].lower()
    field = next(
        (
            name
            for name, info in model.model_fields.items()
            if (info.serialization_alias or info.alias or name).lower() == wanted_attr
        ),
        None,
    )
    if field is None or not model.get_field_multiplicity(field):
        return  # the library answers an unknown or single-valued path itself
    element_type = model.get_field_root_type(field)
    elements = list(getattr(current, field) or [])
    wanted = match["type"].lower()
    if any(str(getattr(element, "type", "") or "").lower() == wanted for element in elements):
        return
    elements.append(element_type(type=match["type"]))
    setattr(current, field, elements)
