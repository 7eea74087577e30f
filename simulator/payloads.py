"""Request bodies and queries exactly as Entra writes them, per dialect (entra-provisioning.md §1-§7).

Hand-written rather than built with scim2-models on purpose: Entra's bodies are not standard SCIM (capitalised
ops, `active` as a string, pathless ops keyed by dotted paths), and a faithful simulator must reproduce them
byte for byte, which a validating model would refuse or normalise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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

# Elements Entra marks primary when it creates them: the documented POST marks the work email (§3).
# Marking the work address too is our assumption (UNCONFIRMED).
_PRIMARY_ELEMENTS = {("emails", "work"), ("addresses", "work")}

_PATH = re.compile(
    r'^(?P<attr>[A-Za-z$][\w$-]*)(?:\[type eq "(?P<type>[^"]*)"\])?(?:\.(?P<sub>[A-Za-z$][\w$-]*))?$'
)


@dataclass(frozen=True)
class ScimPath:
    """A mapping target: `name.givenName`, `emails[type eq "work"].value`, `urn:...:User:department`."""

    attr: str
    type_filter: str | None = None
    sub: str | None = None
    urn: str | None = None

    @property
    def has_value_filter(self) -> bool:
        return self.type_filter is not None


def parse_path(path: str) -> ScimPath:
    urn = None
    rest = path
    if path.startswith("urn:"):
        urn, _, rest = path.rpartition(":")
    match = _PATH.match(rest)
    if not match:
        raise ValueError(f"unsupported SCIM attribute path {path!r}")
    return ScimPath(attr=match["attr"], type_filter=match["type"], sub=match["sub"], urn=urn)


def as_bool(value: Any) -> bool | None:
    """`active` arrives as a Switch() string "True"/"False" (or a boolean from a custom expression)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def group_filter_query(value: str, attribute: str = "displayName") -> str:
    """The documented group match: members excluded, then the filter (displayName unless mapped, §7)."""
    return "excludedAttributes=members&" + filter_query(attribute, value)


# ---- users -------------------------------------------------------------------------------------------------


def user_create_body(values: Mapping[str, Any]) -> dict[str, Any]:
    """POST /Users in the documented shape (§3): both schemas, boolean active, meta.resourceType, nesting."""
    body: dict[str, Any] = {"schemas": [USER_SCHEMA, ENTERPRISE_SCHEMA]}
    for path, value in values.items():
        if value is None:
            continue  # null source values are not flowed (D-KNOWN)
        _set_value(body, parse_path(path), _json_value(path, value))
    body["meta"] = {"resourceType": "User"}
    return body


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


def current_value(resource: Mapping[str, Any], path: str) -> Any:
    """What the target holds at a mapping path (None when absent), read from a GET answer."""
    parsed = parse_path(path)
    container: Any = resource.get(parsed.urn) if parsed.urn else resource
    if not isinstance(container, Mapping):
        return None
    value = container.get(parsed.attr)
    if parsed.type_filter is not None:
        if not isinstance(value, list):
            return None
        element = next(
            (e for e in value if isinstance(e, Mapping) and e.get("type") == parsed.type_filter), None
        )
        return None if element is None else element.get(parsed.sub or "value")
    if parsed.sub is not None:
        return value.get(parsed.sub) if isinstance(value, Mapping) else None
    if isinstance(value, Mapping) and "value" in value:
        return value["value"]  # a complex single value such as manager
    return value


@dataclass(frozen=True)
class Change:
    """One attribute that differs between what the mappings produce and what the target holds."""

    op: Literal["Add", "Replace"]
    path: str
    old: Any
    new: Any


def diff_user(
    desired: Mapping[str, Any], current: Mapping[str, Any], *, add_when_missing: bool
) -> list[Change]:
    """The attributes to PATCH, in mapping order; nothing when nothing differs (§4).

    Add when the target lacks the attribute and Replace when it differs is the inferred rule (UNCONFIRMED);
    with `add_when_missing=False` every change is a Replace. Null source values are never sent (nor removed).
    """
    changes: list[Change] = []
    for path, new in desired.items():
        if new is None:
            continue
        old = current_value(current, path)
        if old is None:
            changes.append(Change("Add" if add_when_missing else "Replace", path, None, new))
        elif not _same(path, old, new):
            changes.append(Change("Replace", path, old, new))
    return changes


def _same(path: str, old: Any, new: Any) -> bool:
    if path == "active":
        return as_bool(old) == as_bool(new)
    if isinstance(old, bool) or isinstance(new, bool):
        return str(old).lower() == str(new).lower()
    return str(old) == str(new)


def user_patch_body(changes: Iterable[Change], dialect: Dialect) -> dict[str, Any]:
    """PATCH /Users/{id} body for the changes, in the dialect's form (§4 tables, D-COMPAT)."""
    changes = list(changes)
    if dialect is Dialect.LEGACY:
        operations = [{"op": c.op, "path": c.path, "value": _legacy_value(c.path, c.new)} for c in changes]
        return {"schemas": [PATCH_SCHEMA], "Operations": operations}

    # Compliant: value-filter paths stay separate ops, then Adds, then the single-valued Replaces merged into
    # one pathless op keyed by dotted path strings (D-COMPAT). One lone Replace keeps its path, as the
    # documented flagged disable does; merging only from two on is our reading (UNCONFIRMED).
    filtered = [c for c in changes if parse_path(c.path).has_value_filter]
    adds = [c for c in changes if c.op == "Add" and c not in filtered]
    replaces = [c for c in changes if c.op == "Replace" and c not in filtered]
    operations = [
        {"op": c.op.lower(), "path": c.path, "value": _json_value(c.path, c.new)} for c in filtered + adds
    ]
    if len(replaces) == 1:
        only = replaces[0]
        operations.append({"op": "replace", "path": only.path, "value": _json_value(only.path, only.new)})
    elif replaces:
        merged = {c.path: _json_value(c.path, c.new) for c in replaces}
        operations.append({"op": "replace", "value": merged})
    return {"schemas": [PATCH_SCHEMA], "Operations": operations}


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


def active_patch_body(active: bool, dialect: Dialect) -> dict[str, Any]:
    """The disable / re-enable PATCH (§5)."""
    return user_patch_body([Change("Replace", "active", None, str(active))], dialect)


# ---- groups ------------------------------------------------------------------------------------------------


def group_create_body(
    display_name: str, external_id: str | None, *, form: str = "documented"
) -> dict[str, Any]:
    """POST /Groups, no members (§7): the documented body, or the observed one (core schema, members [])."""
    if form == "observed":
        body: dict[str, Any] = {"schemas": [GROUP_SCHEMA], "displayName": display_name, "members": []}
        if external_id is not None:
            body["externalId"] = external_id
        return body
    body = {"schemas": [GROUP_SCHEMA, MS_GROUP_SCHEMA]}
    if external_id is not None:
        body["externalId"] = external_id
    body["displayName"] = display_name
    body["meta"] = {"resourceType": "Group"}
    return body


def group_members_body(
    op: Literal["Add", "Remove"], member_ids: Iterable[str], dialect: Dialect
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
    return {"schemas": [PATCH_SCHEMA], "Operations": operations}


def group_patch_body(changes: Iterable[Change], dialect: Dialect) -> dict[str, Any]:
    """Rename / externalId change of a group: the same rules as a user PATCH."""
    return user_patch_body(changes, dialect)
