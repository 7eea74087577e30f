"""Request bodies and queries exactly as Entra writes them, per dialect (entra-provisioning.md §1-§7).

Hand-written rather than built with scim2-models on purpose: Entra's bodies are not standard SCIM (capitalised
ops, `active` as a string, pathless ops keyed by dotted paths), and a faithful simulator must reproduce them
byte for byte, which a validating model would refuse or normalise. The bytes are the client's compact JSON of
these dicts (`simulator.client.encode_json`), so key order is decided here:

- a resource (POST): `schemas`, `externalId`, `userName`, `active`, then the other core attributes in
  alphabetical order (`meta` and `roles` among them), then extension attributes (URN keys, their members in
  alphabetical order). Both of Microsoft's POST /Users examples follow this rule (D-SCIM now; D-SCIM2019 with
  `addresses`, `displayName`, `emails`, `meta`, `name`, `phoneNumbers`, `preferredLanguage`, `title`, then
  `department`, `manager`), and so does the group create (`schemas`, `externalId`, `displayName`, `meta`).
  Inside `name`, RFC 7643's order (`formatted`, `familyName`, `givenName`, ...), as the examples show; inside
  a multi-valued element, alphabetical (`primary`, `type`, `value`), as the current example shows.
- a PATCH: `schemas` then `Operations` (D-COMPAT), or the reverse (`patch_operations_first`, D-SCIM's disable
  example and I-SSO's traffic); each op `op`, `path`, `value`; a pathless op's value keyed in mapping order.
Where no example shows an attribute, this rule is our assumption (UNCONFIRMED).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from scim_harness.common.scim_wire import (
    ENTERPRISE_SCHEMA,
    GROUP_SCHEMA,
    MS_GROUP_SCHEMA,
    PATCH_SCHEMA,
    USER_SCHEMA,
    Dialect,
    filter_query,
)
from scim_harness.simulator.scim_paths import Change, ScimPath, as_bool, current_value, diff_user, parse_path

__all__ = [  # paths and the diff live in simulator.scim_paths; kept importable from here
    "PATCH_SCHEMA",
    "Change",
    "ScimPath",
    "as_bool",
    "current_value",
    "diff_user",
    "group_create_body",
    "group_filter_query",
    "group_members_body",
    "group_patch_body",
    "ordered_resource",
    "parse_path",
    "patch_body",
    "reference_patch_body",
    "user_create_body",
    "user_patch_body",
]

# Elements Entra marks primary when it creates them: the documented POST marks the work email (§3).
# Marking the work address too is our assumption (UNCONFIRMED).
_PRIMARY_ELEMENTS = {("emails", "work"), ("addresses", "work")}
_LEADING_KEYS = ("schemas", "externalId", "userName", "active")
_NAME_ORDER = ("formatted", "familyName", "givenName", "middleName", "honorificPrefix", "honorificSuffix")


def group_filter_query(value: str, attribute: str = "displayName") -> str:
    """The documented group match: members excluded, then the filter (displayName unless mapped, §7)."""
    return "excludedAttributes=members&" + filter_query(attribute, value)


# ---- users -------------------------------------------------------------------------------------------------


def user_create_body(values: Mapping[str, Any], *, empty_roles: bool = True) -> dict[str, Any]:
    """POST /Users in the documented shape (§3): both schemas, boolean active, meta.resourceType, nesting.

    `empty_roles` adds the `"roles": []` of D-SCIM's example (a role mapping is not modelled).
    """
    body: dict[str, Any] = {"schemas": [USER_SCHEMA, ENTERPRISE_SCHEMA]}
    for path, value in values.items():
        if value is None:
            continue  # null source values are not flowed (D-KNOWN)
        _set_value(body, parse_path(path), _json_value(path, value))
    body["meta"] = {"resourceType": "User"}
    if empty_roles:
        body.setdefault("roles", [])
    return ordered_resource(body)


def ordered_resource(resource: Mapping[str, Any]) -> dict[str, Any]:
    """The resource's keys in the order Microsoft's examples show (see the module docstring)."""
    keys = tuple(resource)
    order = _ORDERS.get(keys)
    if order is None:
        order = _key_order(keys)
        if len(_ORDERS) < 256:  # a mapping set yields a handful of key sets: each is sorted once
            _ORDERS[keys] = order
    return {
        key: resource[key] if key in _LEADING_KEYS else _ordered_value(key, resource[key]) for key in order
    }


_ORDERS: dict[tuple[str, ...], tuple[str, ...]] = {}


def _key_order(keys: tuple[str, ...]) -> tuple[str, ...]:
    leading = [key for key in _LEADING_KEYS if key in keys]
    rest = sorted(key for key in keys if key not in leading)
    return (
        *leading,
        *(key for key in rest if not key.startswith("urn:")),
        *(key for key in rest if key.startswith("urn:")),
    )


def _ordered_value(key: str, value: Any) -> Any:
    if key == "name" and isinstance(value, Mapping):
        known = [k for k in _NAME_ORDER if k in value]
        return {k: value[k] for k in known + sorted(k for k in value if k not in known)}
    if key.startswith("urn:") and isinstance(value, Mapping):
        return {k: value[k] for k in sorted(value)}
    if isinstance(value, list):
        return [{k: item[k] for k in sorted(item)} if isinstance(item, Mapping) else item for item in value]
    return value


def _set_value(resource: dict[str, Any], path: ScimPath, value: Any) -> None:
    container = resource.setdefault(path.urn, {}) if path.urn else resource
    if path.type_filter is None:
        if path.sub is None:
            container[path.attr] = value
        else:
            container.setdefault(path.attr, {})[path.sub] = value
        return
    elements: list[dict[str, Any]] = container.setdefault(path.attr, [])
    element = next((e for e in elements if e.get("type") == path.type_filter), None)
    if element is None:
        element = {"primary": True} if (path.attr, path.type_filter) in _PRIMARY_ELEMENTS else {}
        element["type"] = path.type_filter
        elements.append(element)
    element[path.sub or "value"] = value


def patch_body(operations: list[dict[str, Any]], *, operations_first: bool = False) -> dict[str, Any]:
    """The PatchOp envelope, `schemas` first as in D-COMPAT unless `operations_first`."""
    if operations_first:
        return {"Operations": operations, "schemas": [PATCH_SCHEMA]}
    return {"schemas": [PATCH_SCHEMA], "Operations": operations}


def user_patch_body(
    changes: Iterable[Change], dialect: Dialect, *, operations_first: bool = False
) -> dict[str, Any]:
    """PATCH /Users/{id} body for the changes, in the dialect's form (§4 tables, D-COMPAT).

    `active` is always its own op with a path: the documented Disable form in both dialects (D-COMPAT
    table: legacy `"value":"False"`, a string; compliant `false`, a boolean), and its mirror to re-enable.
    """
    changes = list(changes)
    if dialect is Dialect.LEGACY:
        operations = [{"op": c.op, "path": c.path, "value": _legacy_value(c.path, c.new)} for c in changes]
        return patch_body(operations, operations_first=operations_first)

    # Compliant: `active`, value-filter paths as separate ops, then Adds, then the single-valued Replaces
    # merged into one pathless op keyed by dotted path strings (D-COMPAT). One lone Replace keeps its path;
    # merging only from two on is our reading (UNCONFIRMED).
    separate = [c for c in changes if c.path == "active" or parse_path(c.path).has_value_filter]
    separate.sort(key=lambda c: c.path != "active")
    adds = [c for c in changes if c.op == "Add" and c not in separate]
    replaces = [c for c in changes if c.op == "Replace" and c not in separate]
    operations = [
        {"op": c.op.lower(), "path": c.path, "value": _json_value(c.path, c.new)} for c in separate + adds
    ]
    if len(replaces) == 1:
        only = replaces[0]
        operations.append({"op": "replace", "path": only.path, "value": _json_value(only.path, only.new)})
    elif replaces:
        merged = {c.path: _json_value(c.path, c.new) for c in replaces}
        operations.append({"op": "replace", "value": merged})
    return patch_body(operations, operations_first=operations_first)


def reference_patch_body(
    change: Change, dialect: Dialect, *, operations_first: bool = False
) -> dict[str, Any]:
    """The manager PATCH sent after the user's own (§3, §4): the manager's target id as a bare string.

    `{"op":"Add","path":"urn:...:enterprise:2.0:User:manager","value":"271"}` (I-MGR541); lowercase op with
    the flag (I-MGR686).
    """
    op = change.op if dialect is Dialect.LEGACY else change.op.lower()
    return patch_body(
        [{"op": op, "path": change.path, "value": str(change.new)}], operations_first=operations_first
    )


def _legacy_value(path: str, value: Any) -> Any:
    if path == "active":
        flag = as_bool(value)
        return value if flag is None else str(flag)  # "True"/"False", a string (D-COMPAT, I-STR)
    return value


def _json_value(path: str, value: Any) -> Any:
    """`active` as a JSON boolean: POST bodies in both dialects and the compliant PATCH (D-COMPAT)."""
    if path == "active":
        flag = as_bool(value)
        return value if flag is None else flag
    return value


# ---- groups ------------------------------------------------------------------------------------------------


def group_create_body(
    display_name: str, external_id: str | None, *, form: str = "documented"
) -> dict[str, Any]:
    """POST /Groups, no members (§7): the documented body, or the observed one (core schema, members [])."""
    if form == "observed":
        body: dict[str, Any] = {"schemas": [GROUP_SCHEMA], "displayName": display_name, "members": []}
        if external_id is not None:
            body["externalId"] = external_id
        return ordered_resource(body)
    body = {"schemas": [GROUP_SCHEMA, MS_GROUP_SCHEMA], "displayName": display_name}
    if external_id is not None:
        body["externalId"] = external_id
    body["meta"] = {"resourceType": "Group"}
    return ordered_resource(body)


def group_members_body(
    op: Literal["Add", "Remove"],
    member_ids: Iterable[str],
    dialect: Dialect,
    *,
    operations_first: bool = False,
) -> dict[str, Any]:
    """Member add/remove PATCH (§7): the value is the target SCIM id of each user.

    Compliant removal uses one `members[value eq "..."]` op per member with no value (D-COMPAT).
    """
    ids = list(member_ids)
    if dialect is Dialect.COMPLIANT and op == "Remove":
        operations = [{"op": "remove", "path": f'members[value eq "{member}"]'} for member in ids]
    else:
        name = op if dialect is Dialect.LEGACY else op.lower()
        operations = [{"op": name, "path": "members", "value": [{"$ref": None, "value": m} for m in ids]}]
    return patch_body(operations, operations_first=operations_first)


def group_patch_body(
    changes: Iterable[Change], dialect: Dialect, *, operations_first: bool = False
) -> dict[str, Any]:
    """Rename / externalId change of a group: the same rules as a user PATCH."""
    return user_patch_body(changes, dialect, operations_first=operations_first)
