"""The defects that change how a request is read: each a small rewrite of the request, or a refusal of it,
before the correct service sees it (catalogue: entries_requests, entries_answers)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from scim2_server.requests import ScimRequest

from scim_harness.emulator.assumptions import ScimRefusal
from scim_harness.emulator.defects.switches import DefectSwitches
from scim_harness.emulator.scim_gate import RAW_QUERY_HEADER

_MEMBERS_FILTER = re.compile(r"^\s*members\s*\[", re.I)
_EMAIL_TYPE_PATH = re.compile(r'^\s*emails\s*\[\s*type\s+eq\s+"[^"]*"\s*\]\s*\.\s*value\s*$', re.I)
_MEDIA_TYPES = ("application/scim+json", "application/json", "*/*", "application/*")


@dataclass
class Parsed:
    """One request as the defects see it: method, first path segment, and the JSON body if it is an object."""

    request: ScimRequest
    method: str
    endpoint: str
    body: dict[str, Any] | None

    @property
    def operations(self) -> list[Any] | None:
        if self.body is None:
            return None
        key = next((k for k in self.body if k.lower() == "operations"), None)
        operations = self.body.get(key) if key else None
        return operations if isinstance(operations, list) else None

    def set_operations(self, operations: list[Any]) -> None:
        assert self.body is not None
        key = next((k for k in self.body if k.lower() == "operations"), "Operations")
        self.body[key] = operations
        self.request.body = json.dumps(self.body).encode()

    def drop_query(self, *names: str) -> None:
        self.request.query = {k: v for k, v in self.request.query.items() if k not in names}


def _op(operation: Any) -> str:
    return str(operation.get("op", "")) if isinstance(operation, dict) else ""


def _path(operation: Any) -> str:
    path = operation.get("path") if isinstance(operation, dict) else None
    return path.strip() if isinstance(path, str) else ""


def _is(operation: Any, op: str, path: str) -> bool:
    return _op(operation).lower() == op and _path(operation).lower() == path


def _last_segment(key: str) -> str:
    return key.rsplit(":", 1)[-1]


def media_refusal(parsed: Parsed, defects: DefectSwitches) -> ScimRefusal | None:
    """Content-Type and Accept as some servers check them too strictly (I-CT1, I-CT2)."""
    request = parsed.request
    content_type = (request.header("Content-Type") or "").lower()
    if (
        request.body
        and defects.on("scim_json_requests_refused")
        and content_type.startswith("application/scim+json")
    ):
        return ScimRefusal(415, None, "Unsupported media type: send application/json")
    if request.body and defects.on("charset_parameter_refused") and "charset" in content_type:
        return ScimRefusal(415, None, "Unsupported media type parameters")
    accept = (request.header("Accept") or "").lower()
    if defects.on("accept_header_required") and not any(kind in accept for kind in _MEDIA_TYPES):
        return ScimRefusal(406, None, "Not acceptable: send Accept: application/scim+json")
    return None


def read_query(parsed: Parsed, defects: DefectSwitches) -> ScimRefusal | None:
    """Filters and paging on GET searches; members on group reads."""
    request, endpoint = parsed.request, parsed.endpoint
    if parsed.method != "GET":
        return None
    if endpoint == "groups" and defects.on("group_excluded_members_ignored"):
        parsed.drop_query("excludedAttributes")
    if "/" in request.path.strip("/"):
        return None
    if defects.on("filter_plus_not_a_space") and "filter" in request.query:
        for pair in (request.header(RAW_QUERY_HEADER) or "").split("&"):
            name, _, value = pair.partition("=")
            if name == "filter":
                request.query = {**request.query, "filter": unquote(value)}  # '+' stays a '+'
    if endpoint == "users":
        scim_filter = request.query.get("filter", "")
        if defects.on("filter_external_id_unsupported") and "externalid" in scim_filter.lower():
            return ScimRefusal(400, "invalidFilter", "Filtering on externalId is not supported")
        if defects.on("filter_ignored"):
            parsed.drop_query("filter")
    if endpoint == "groups" and defects.on("group_filter_ignored"):
        parsed.drop_query("filter")
    if defects.on("paging_start_index_ignored"):
        parsed.drop_query("startIndex")
    if defects.on("paging_count_ignored"):
        parsed.drop_query("count")
    start = request.query.get("startIndex", "")
    if defects.on("paging_start_index_zero_based") and start.isdigit() and len(start) < 10:
        request.query = {**request.query, "startIndex": str(int(start) + 1)}
    return None


def read_patch(parsed: Parsed, defects: DefectSwitches) -> ScimRefusal | None:
    """PATCH forms refused or read wrongly, or operations dropped (DefectLayer answers an emptied PATCH)."""
    operations = parsed.operations
    if parsed.method != "PATCH" or parsed.body is None:
        return None
    if defects.on("patch_operations_key_lower_case_only") and "Operations" in parsed.body:
        return ScimRefusal(400, "invalidSyntax", "Unknown attribute 'Operations': expected 'operations'")
    if operations is None:
        return None
    if defects.on("patch_capitalised_ops_refused") and any(_op(o) != _op(o).lower() for o in operations):
        return ScimRefusal(400, "invalidSyntax", "Unknown operation: ops are add, replace and remove")
    for operation in operations:
        value = operation.get("value") if isinstance(operation, dict) else None
        pathless = isinstance(operation, dict) and not _path(operation) and isinstance(value, dict)
        if defects.on("patch_string_booleans_refused") and (
            (_path(operation).lower() == "active" and isinstance(value, str))
            or (pathless and any(k.lower() == "active" and isinstance(v, str) for k, v in value.items()))
        ):
            return ScimRefusal(400, "invalidValue", "active must be a boolean")
        if (
            defects.on("patch_pathless_dotted_keys_refused")
            and pathless
            and any("." in _last_segment(k) for k in value)
        ):
            return ScimRefusal(400, "invalidPath", "Unknown attribute in a path-less value")
    if parsed.endpoint == "groups":
        return _read_group_patch(parsed, operations, defects)
    if defects.on("patch_only_first_operation"):
        operations = operations[:1]
    if defects.on("patch_active_ignored"):
        operations = [_without_active(o) for o in operations if _path(o).lower() != "active"]
        operations = [o for o in operations if o is not None]
    if defects.on("patch_email_replace_drops_type"):
        operations = [
            {"op": "replace", "path": "emails", "value": [{"value": o.get("value")}]}
            if _op(o).lower() in ("add", "replace") and _EMAIL_TYPE_PATH.match(_path(o))
            else o
            for o in operations
        ]
    parsed.set_operations(operations)
    return None


def _without_active(operation: Any) -> Any:
    """A path-less operation without its `active` key (None when nothing is left)."""
    value = operation.get("value") if isinstance(operation, dict) else None
    if _path(operation) or not isinstance(value, dict):
        return operation
    kept = {k: v for k, v in value.items() if k.lower() != "active"}
    return {**operation, "value": kept} if kept else None


def _read_group_patch(parsed: Parsed, operations: list[Any], defects: DefectSwitches) -> ScimRefusal | None:
    kept: list[Any] = []
    for operation in operations:
        op, path, value = _op(operation).lower(), _path(operation), operation.get("value")
        legacy_remove = op == "remove" and path.lower() == "members" and isinstance(value, list) and value
        if defects.on("group_member_add_only_first") and op == "add" and path.lower() == "members":
            operation = {**operation, "value": value[:1]} if isinstance(value, list) else operation
        if (
            defects.on("group_compliant_member_remove_ignored")
            and op == "remove"
            and _MEMBERS_FILTER.match(path)
        ):
            continue
        if defects.on("group_legacy_member_remove_ignored") and legacy_remove:
            continue
        if defects.on("group_legacy_member_remove_removes_all") and legacy_remove:
            operation = {"op": "remove", "path": "members"}
        if defects.on("group_rename_ignored"):
            if _is(operation, "replace", "displayname"):
                continue
            operation = _without_key(operation, "displayname")
            if operation is None:
                continue
        kept.append(operation)
    parsed.set_operations(kept)
    return None


def _without_key(operation: Any, key: str) -> Any:
    value = operation.get("value") if isinstance(operation, dict) else None
    if _path(operation) or not isinstance(value, dict):
        return operation
    kept = {k: v for k, v in value.items() if k.lower() != key}
    return {**operation, "value": kept} if kept else None


def member_values(parsed: Parsed) -> list[str]:
    """The member ids a group PATCH adds."""
    values = []
    for operation in parsed.operations or []:
        value = operation.get("value") if isinstance(operation, dict) else None
        if (
            _op(operation).lower() == "add"
            and _path(operation).lower() == "members"
            and isinstance(value, list)
        ):
            values += [str(item["value"]) for item in value if isinstance(item, dict) and "value" in item]
    return values


def is_malformed_patch(parsed: Parsed) -> bool:
    """A PATCH body that is not a PatchOp at all: not a JSON object, no list of operations, or an operation
    that is not an object with a known op."""
    operations = parsed.operations
    if parsed.method != "PATCH" or operations is None:
        return parsed.method == "PATCH"
    return any(
        not isinstance(o, dict) or _op(o).lower() not in ("add", "replace", "remove") for o in operations
    )
