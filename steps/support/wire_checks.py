"""Checks on what Entra ID's job sent and what the service answered it (`entra_wire`), one question each.

Two kinds, kept apart on purpose:
- the service's answers to Entra's own requests (a create answered 201 with an id, a delete 204): what Entra
  relies on, checked on the very exchange Entra made;
- Entra's requests themselves (a read before a delete, the dialect's PATCH forms, the mapped items in a
  create, the mappings the Setting Guide keeps, the Switch on IsSoftDeleted, a role): claims about the
  requests Entra ID sends, checked on the requests themselves, so a broken simulator cannot make a check pass.
Paths are read with the simulator's own reader of mapping paths (`emails[type eq "work"].value`). Functions
named `*_problems` return what is wrong, in words (an empty list when nothing is), for the step to assert on.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from scim_harness.common.scim_wire import ENTERPRISE_SCHEMA, Dialect
from scim_harness.simulator.scim_paths import current_value
from scim_harness.steps.support.wire import EntraWire, WireExchange

CAPITALISED_OPS = {"Add", "Replace", "Remove"}
LOWER_CASE_OPS = {"add", "replace", "remove"}
QUIET_KEYS = frozenset({"schemas", "meta"})
"""Keys of a create that carry no user attribute (the schema list, `meta.resourceType`)."""


def created(wire: EntraWire, resource: str, name_key: str, name: str) -> WireExchange:
    """The POST that created the resource named `name` (`userName` or `displayName`, case-insensitive)."""
    posts = [
        e
        for e in wire.sent("POST", f"/{resource}")
        if isinstance(e.request, dict) and str(e.request.get(name_key, "")).lower() == name.lower()
    ]
    if not posts:
        raise AssertionError(f"Entra ID sent no create of {resource[:-1].lower()} {name!r}")
    return posts[-1]


def create_problems(exchange: WireExchange) -> list[str]:
    """RFC 7644 §3.3: 201 Created, and the new resource with its id (Entra links it by that id)."""
    problems = []
    if exchange.status != 201:
        problems.append(f"the create was answered {exchange.status or exchange.outcome}, not 201 Created")
    body = exchange.response if isinstance(exchange.response, dict) else {}
    if not isinstance(body.get("id"), str) or not body.get("id"):
        problems.append("the answer to the create carries no id")
    return problems


def location_problems(exchange: WireExchange, resource: str) -> list[str]:
    """RFC 7644 §3.3: the Location header, and meta.location, are the new resource's URI."""
    body = exchange.response if isinstance(exchange.response, dict) else {}
    new_id = body.get("id")
    meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
    problems = []
    for where, value in (
        ("the Location header", exchange.header("location")),
        ("meta.location", meta.get("location")),
    ):
        if not isinstance(value, str) or not value:
            problems.append(f"{where} is missing")
            continue
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problems.append(f"{where} {value!r} is not an absolute URI")
        elif not parts.path.rstrip("/").endswith(f"/{resource}/{new_id}"):
            problems.append(f"{where} {value!r} does not point at /{resource}/{new_id}")
    return problems


def exchanges_for(wire: EntraWire, path: str) -> list[WireExchange]:
    return [e for e in wire.exchanges if e.path == path]


def read_then_delete(wire: EntraWire, path: str) -> tuple[WireExchange | None, WireExchange | None]:
    """Entra's last DELETE of `path`, and the GET of it that preceded that DELETE (Q-CONC)."""
    exchanges = exchanges_for(wire, path)
    deletes = [i for i, e in enumerate(exchanges) if e.method == "DELETE"]
    if not deletes:
        return None, None
    last = deletes[-1]
    reads = [e for e in exchanges[:last] if e.method == "GET"]
    return (reads[-1] if reads else None), exchanges[last]


def created_id(wire: EntraWire, login_name: str) -> str:
    """The SCIM id the target gave the user in answer to Entra's create (the id Entra keeps as its link)."""
    answer = created(wire, "Users", "userName", login_name).response
    if not isinstance(answer, dict) or not answer.get("id"):
        raise AssertionError(f"the create of {login_name} was not answered with an id: {answer!r}")
    return str(answer["id"])


def value_at(body: dict[str, Any], path: str) -> Any:
    """The value a request body carries at a mapping path (None when absent)."""
    return current_value(body, path)


def attributes_carried(body: dict[str, Any]) -> set[str]:
    """The top-level attributes a create carries a value for (an empty list, such as `roles: []`, is none)."""
    return {key for key, value in body.items() if key not in QUIET_KEYS and value not in (None, [], {}, "")}


def source_value(spec: str, attribute_of: Any) -> Any:
    """A table cell naming what Entra ID should send: `[mail]` is the user's attribute in Entra ID (Graph's
    name), anything else a JSON literal (`true`)."""
    spec = spec.strip()
    if spec.startswith("[") and spec.endswith("]"):
        return attribute_of(spec[1:-1])
    return json.loads(spec)


def last_update(wire: EntraWire, target_id: str) -> WireExchange:
    patches = wire.sent("PATCH", f"/Users/{target_id}")
    if not patches:
        raise AssertionError(f"Entra ID sent no PATCH /Users/{target_id}; it sent {wire.exchanges}")
    return patches[-1]


def operations(exchange: WireExchange) -> list[dict[str, Any]]:
    body = exchange.request if isinstance(exchange.request, dict) else {}
    found = body.get("Operations")
    return [o for o in found if isinstance(o, dict)] if isinstance(found, list) else []


def user_patch_form_problems(patches: list[WireExchange], dialect: str) -> list[str]:
    """Entra's user PATCH forms per dialect (D-COMPAT table): legacy capitalises ops, gives every op a path
    and sends `active` as "True"/"False"; the compliant dialect lower-cases ops, sends `active` as a boolean
    and merges single-valued replaces into one op without a path."""
    problems = []
    ops = [o for p in patches for o in operations(p)]
    if not ops:
        return ["Entra ID sent no update"]
    legacy = Dialect(dialect) is Dialect.LEGACY
    for op in ops:
        name, path, value = op.get("op"), op.get("path"), op.get("value")
        if legacy and name not in CAPITALISED_OPS:
            problems.append(f"op {name!r} is not capitalised (legacy dialect)")
        if not legacy and name not in LOWER_CASE_OPS:
            problems.append(f"op {name!r} is not lower case ({Dialect.COMPLIANT.value})")
        if path == "active" and legacy and value not in ("True", "False"):
            problems.append(f"active is sent as {value!r}, not the text 'True'/'False' (legacy dialect)")
        if path == "active" and not legacy and not isinstance(value, bool):
            problems.append(f"active is sent as {value!r}, not a boolean ({Dialect.COMPLIANT.value})")
        if legacy and not path:
            problems.append("an op without a path (legacy sends one op per path)")
    pathless = [o for o in ops if not o.get("path") and isinstance(o.get("value"), dict)]
    several = [p for p in patches if len([o for o in operations(p) if o.get("path") != "active"]) > 1]
    if not legacy and several and not pathless:
        problems.append(
            f"several attributes but no merged replace without a path ({Dialect.COMPLIANT.value})"
        )
    return problems


def member_form_problems(patches: list[WireExchange], op: str, member_id: str, dialect: str) -> list[str]:
    """Entra's membership PATCH forms (§7, D-COMPAT): legacy `{"op":"Add"|"Remove","path":"members",
    "value":[{"value": id}]}`; compliant adds the same with "add", removes with `members[value eq "id"]`."""
    legacy = Dialect(dialect) is Dialect.LEGACY
    for exchange in patches:
        for operation in operations(exchange):
            name, path, value = operation.get("op"), str(operation.get("path", "")), operation.get("value")
            if str(name).lower() != op or member_id not in str(operation):
                continue
            expected_name = op.capitalize() if legacy else op
            if name != expected_name:
                return [f"the member {op} was sent with op {name!r}, not {expected_name!r}"]
            if op == "remove" and not legacy:
                if path != f'members[value eq "{member_id}"]' or value is not None:
                    return [f"the compliant member remove was sent as {operation}, not members[value eq ...]"]
                return []
            listed = isinstance(value, list) and any(
                isinstance(v, dict) and v.get("value") == member_id for v in value
            )
            if path != "members" or not listed:
                return [f"the member {op} was sent as {operation}, not path members with a value list"]
            return []
    return [f"Entra ID sent no member {op} of {member_id}"]


def created_with(exchange: WireExchange) -> dict[str, Any]:
    """The department and job title a create carried (the mapped items that Kintone does not propagate)."""
    body = exchange.request if isinstance(exchange.request, dict) else {}
    enterprise = body.get(ENTERPRISE_SCHEMA) if isinstance(body.get(ENTERPRISE_SCHEMA), dict) else {}
    sent = {"title": body.get("title"), "department": enterprise.get("department")}
    return {name: value for name, value in sent.items() if value}
