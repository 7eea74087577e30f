"""The SCIM User JSON of a Kintone user: the one writer, used by every answer that carries a user.

Hand-written rather than dumped by scim2-models because lookups by login name and by id are Entra's most
frequent calls, and validating and dumping a model costs more than SQLite does (docs/emulator.md,
"Benchmark"). scim2-models still validates every request and applies every PATCH; the row written here was
validated when it was stored. Both the direct answers (hot_paths) and scim2-server's responses
(KintoneScimService) come here, so there is no second copy of this JSON to keep equal.

Projection (`attributes` / `excludedAttributes`, RFC 7644 §3.9) works on the written JSON: scim2-models has
already validated the parameters against the User schema; `schemas` and `id` (returned "always") stay.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter

from scim_harness.common.scim_wire import LIST_SCHEMA, USER_SCHEMA
from scim_harness.emulator.meta import parse_iso
from scim_harness.emulator.store import UserRecord

# pydantic's own datetime rendering, so times read exactly as scim2-models writes them elsewhere.
_DATETIME = TypeAdapter(datetime)
_ALWAYS_RETURNED = frozenset({"id"})
_URN_PREFIX = USER_SCHEMA.lower() + ":"


def _time(text: str) -> Any:
    return _DATETIME.dump_python(parse_iso(text), mode="json")


def user_body(record: UserRecord, location: str) -> dict[str, Any]:
    """The User as a response carries it: keys in the schema's order, absent values left out, no version
    (ETags are not supported), the one e-mail as the primary work address."""
    body: dict[str, Any] = {"schemas": [USER_SCHEMA], "id": str(record.id)}
    if record.external_id is not None:
        body["externalId"] = record.external_id
    body["meta"] = {
        "resourceType": "User",
        "created": _time(record.created),
        "lastModified": _time(record.modified),
        "location": location,
    }
    body["userName"] = record.user_name
    name = {
        key: value
        for key, value in (("familyName", record.family_name), ("givenName", record.given_name))
        if value is not None
    }
    if name:
        body["name"] = name
    if record.display_name is not None:
        body["displayName"] = record.display_name
    body["active"] = record.active
    if record.email:
        body["emails"] = [{"value": record.email, "type": "work", "primary": True}]
    return body


def list_body(total: int, start_index: int, resources: list[dict[str, Any]]) -> dict[str, Any]:
    """A ListResponse (RFC 7644 §3.4.2) around bodies already written."""
    return {
        "schemas": [LIST_SCHEMA],
        "totalResults": total,
        "startIndex": start_index,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }


def _selection(paths: Iterable[str]) -> dict[str, set[str] | None]:
    """attribute -> the sub-attributes named (None: the whole attribute), names lower-cased, URN dropped."""
    selected: dict[str, set[str] | None] = {}
    for path in paths:
        text = str(path).strip()
        if text.lower().startswith(_URN_PREFIX):
            text = text[len(_URN_PREFIX) :]
        attribute, _, sub = text.lower().partition(".")
        if not sub:
            selected[attribute] = None
        elif attribute not in selected or selected[attribute] is not None:
            selected.setdefault(attribute, set()).add(sub)  # type: ignore[union-attr]
    return selected


def _part(value: Any, subs: set[str], keep: bool) -> Any:
    """The sub-attributes of a complex value (or of each element of a multi-valued one) kept or dropped."""
    if isinstance(value, list):
        parts = [_part(item, subs, keep) for item in value]
        return [part for part in parts if part not in (None, {})]
    if isinstance(value, dict):
        return {key: item for key, item in value.items() if (key.lower() in subs) == keep}
    return value if keep else None


def project(
    body: dict[str, Any], attributes: Sequence[Any] | None, excluded: Sequence[Any] | None
) -> dict[str, Any]:
    """The body with only `attributes`, or without `excluded` (RFC 7644 §3.9); `schemas` and `id` stay."""
    if not attributes and not excluded:
        return body
    selection = _selection(attributes or excluded or ())
    keep = bool(attributes)
    projected: dict[str, Any] = {}
    for key, value in body.items():
        lowered = key.lower()
        if key == "schemas" or lowered in _ALWAYS_RETURNED:
            projected[key] = value
            continue
        if lowered not in selection:
            if not keep:  # excludedAttributes keeps what it does not name
                projected[key] = value
            continue
        subs = selection[lowered]
        if subs is None:
            if keep:
                projected[key] = value
            continue
        part = _part(value, subs, keep)
        if part not in (None, {}, []):
            projected[key] = part
    return projected
