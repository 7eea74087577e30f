"""Entra's value-filter paths on multi-valued attributes (`emails[type eq "work"].value`,
`phoneNumbers[type eq "mobile"].value`): when no element matches, Entra expects one to be created, for both
add and replace (entra-provisioning.md §4, I-ADDFILT, I-SG). RFC 7644 §3.5.2 lets a server answer 400 noTarget
instead, which is what scim2-models does; so the operations are applied one at a time, each after adding an
empty element of the filtered type when none is there yet."""

from __future__ import annotations

import re
from typing import Any

from scim2_models import PatchOp, PatchOperation

_TYPE_FILTER_PATH = re.compile(
    r'^\s*(?:urn:[^\[]*:)?(?P<attr>\w+)\s*\[\s*type\s+eq\s+"(?P<type>[^"]*)"\s*\]\s*\.\s*\w+\s*$', re.I
)


def patch_creating_elements(current: Any, patch_op: PatchOp[Any]) -> bool:
    """Apply every operation in order, as PatchOp.patch does; True when the resource changed."""
    changed = False
    for operation in patch_op.operations or []:
        _create_filtered_element(current, operation)
        changed = patch_op.model_copy(update={"operations": [operation]}).patch(current) or changed
    return changed


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
    elements = list(getattr(current, field) or [])
    wanted = match["type"].lower()
    if any(str(getattr(element, "type", "") or "").lower() == wanted for element in elements):
        return
    elements.append(model.get_field_root_type(field)(type=match["type"]))
    setattr(current, field, elements)
