"""Checks on Entra ID's wire: what the scenario's provisioning job sent for a user, read from `entra_wire`.

The mappings the Setting Guide keeps, the Switch on IsSoftDeleted, a role, a hard delete: these are claims
about the requests Entra ID sends, so they are checked on the requests themselves (every request of the job
and its answer, steps/support/wire.py), not only through what the target made of them. Paths are read with
the simulator's own reader of mapping paths (`emails[type eq "work"].value`, `name.givenName`).
"""

from __future__ import annotations

import json
from typing import Any

from scim_harness.simulator.scim_paths import current_value
from scim_harness.steps.support.wire import EntraWire, WireExchange

QUIET_KEYS = frozenset({"schemas", "meta"})
"""Keys of a create that carry no user attribute (the schema list, `meta.resourceType`)."""


def creation(wire: EntraWire, login_name: str) -> WireExchange:
    """The POST /Users that created this login name (the last one, if Entra retried)."""
    posts = [
        e
        for e in wire.sent("POST", "/Users")
        if isinstance(e.request, dict) and str(e.request.get("userName", "")).lower() == login_name.lower()
    ]
    if not posts:
        raise AssertionError(f"Entra ID sent no POST /Users for {login_name}; it sent {wire.exchanges}")
    return posts[-1]


def created_id(wire: EntraWire, login_name: str) -> str:
    """The SCIM id the target gave the user in answer to Entra's create (the id Entra keeps as its link)."""
    answer = creation(wire, login_name).response
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
    return [op for op in body.get("Operations") or [] if isinstance(op, dict)]


def read_then_delete(wire: EntraWire, target_id: str) -> tuple[WireExchange, WireExchange]:
    """The GET /Users/{id} and the DELETE /Users/{id} that followed it ("GET calls will always precede other
    actions (POST/PATCH/DELETE)", Q-CONC)."""
    path = f"/Users/{target_id}"
    calls = [e for e in wire.exchanges if e.path == path]
    deletes = [i for i, e in enumerate(calls) if e.method == "DELETE"]
    if not deletes:
        raise AssertionError(f"Entra ID sent no DELETE {path}; for that user it sent {calls}")
    first = deletes[0]
    if first == 0 or calls[first - 1].method != "GET":
        raise AssertionError(f"Entra ID did not read the user before deleting it: {calls}")
    return calls[first - 1], calls[first]
