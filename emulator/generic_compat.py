"""Entra's documented request forms brought to RFC 7643/7644 before the generic profile validates them, so a
correct service also serves Entra (entra-provisioning.md §3, §4, §7). Everything else is left for
scim2-models to take or refuse.

- The misspelt enterprise URN of Entra's create example (`...enterprise:2.0User`) is read as the real one.
- The manager sent as a bare id (`"value": "271"`, I-MGR541, I-MGR686) becomes `{"value": "271"}`.
- Microsoft's own group schema URN beside the core one in a group create (§7) is dropped.
- The legacy member removal `{"op": "Remove", "path": "members", "value": [{"value": id}, ...]}` (D-COMPAT)
  becomes one `remove` of `members[value eq "id"]` per member: RFC 7644 §3.5.2.2 has no value on a remove.
"""

from __future__ import annotations

from typing import Any

from scim_harness.common.scim_wire import ENTERPRISE_SCHEMA, MS_GROUP_SCHEMA, quote_filter_value
from scim_harness.emulator.entra_compat import ENTERPRISE_SCHEMA_TYPO

_MANAGER_PATHS = {f"{ENTERPRISE_SCHEMA}:manager".lower(), "manager"}


def _schemas(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    fixed = [
        ENTERPRISE_SCHEMA if isinstance(s, str) and s.lower() == ENTERPRISE_SCHEMA_TYPO.lower() else s
        for s in value
    ]
    fixed = [s for s in fixed if not (isinstance(s, str) and s.lower() == MS_GROUP_SCHEMA.lower())]
    return list(dict.fromkeys(fixed))


def _manager(value: Any) -> Any:
    return {"value": value} if isinstance(value, str | int) and not isinstance(value, bool) else value


def normalise_resource(body: dict[str, Any]) -> dict[str, Any]:
    """A POST/PUT body of a User or a Group."""
    fixed: dict[str, Any] = {}
    for key, value in body.items():
        if key.lower() == "schemas":
            value = _schemas(value)
        elif key.lower() == ENTERPRISE_SCHEMA_TYPO.lower():
            key = ENTERPRISE_SCHEMA
        if key == ENTERPRISE_SCHEMA and isinstance(value, dict):
            value = {k: _manager(v) if k.lower() == "manager" else v for k, v in value.items()}
            value = {**fixed.get(key, {}), **value}
        fixed[key] = value
    return fixed


def _member_removals(operation: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The legacy `Remove members` with a value list, as one filtered remove per member; None otherwise."""
    path, value = operation.get("path"), operation.get("value")
    if not (
        str(operation.get("op", "")).lower() == "remove"
        and isinstance(path, str)
        and path.strip().lower() == "members"
        and isinstance(value, list)
        and value
        and all(isinstance(item, dict) and isinstance(item.get("value"), str) for item in value)
    ):
        return None
    return [
        {"op": "remove", "path": f'members[value eq "{quote_filter_value(item["value"])}"]'} for item in value
    ]


def normalise_patch(body: dict[str, Any]) -> dict[str, Any]:
    """A PatchOp body on a User or a Group."""
    operations_key = next((k for k in body if k.lower() == "operations"), None)
    operations = body.get(operations_key) if operations_key else None
    if not isinstance(operations, list):
        return body
    fixed: list[Any] = []
    for operation in operations:
        if not isinstance(operation, dict):
            fixed.append(operation)
            continue
        removals = _member_removals(operation)
        if removals is not None:
            fixed.extend(removals)
            continue
        path = operation.get("path")
        if isinstance(path, str) and path.strip().lower() in _MANAGER_PATHS and "value" in operation:
            operation = {**operation, "value": _manager(operation["value"])}
        elif path is None and isinstance(operation.get("value"), dict):
            operation = {
                **operation,
                "value": {
                    k: _manager(v) if k.lower() in _MANAGER_PATHS else v
                    for k, v in operation["value"].items()
                },
            }
        fixed.append(operation)
    return {**body, operations_key: fixed}
