"""What must differ between two targets, made comparable: ids, timestamps, locations, ETags, versions.

Two SCIM services given the same requests still answer with their own ids (`"1"` against a hex UUID),
their own clocks in `meta.created`, their own host in `meta.location` and `Location`, their own
`ETag`/`meta.version`; and Entra's probes carry a fresh random GUID each time (entra-provisioning.md §1).
Ids become a placeholder naming the object they stand for, the user's position in the tenant (`{u3}`), so a
row reads the same on both sides when the behaviour is the same; the service's own meta members and
timestamps are left out or masked. Everything else is compared as answered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from scim_harness.compare.recorder import ABSENT, Exchange

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_FILTER = re.compile(r'^(?P<attr>\S+) eq "(?P<value>.*)"$', re.DOTALL)
# meta members each service fills in with its own values (and may leave out: ETags are optional, RFC 7644
# §3.14): not compared. `meta.resourceType` is.
_META_VOLATILE = ("created", "lastModified", "location", "version")
PROBE = "probe"
"""The object of Entra's random-GUID probes (Test Connection and the start of every cycle)."""


@dataclass
class Labels:
    """userName (case-folded) -> label from the tenant; target id -> label learned from one side's answers."""

    by_user_name: dict[str, str]
    by_id: dict[str, str] = field(default_factory=dict)

    def for_user_name(self, user_name: Any) -> str | None:
        return self.by_user_name.get(str(user_name).casefold()) if user_name is not None else None

    def for_id(self, target_id: str) -> str:
        return self.by_id.get(target_id, "?")

    def learn(self, exchanges: Iterable[Exchange]) -> Labels:
        """Ids from creates (the request's userName), filter answers and reads, in the order they came."""
        for exchange in exchanges:
            if exchange.method == "POST" and exchange.resource_id and isinstance(exchange.request_body, dict):
                self._link(exchange.resource_id, exchange.request_body.get("userName"))
            for resource in _resources(exchange.response_body):
                if isinstance(resource.get("id"), str):
                    self._link(resource["id"], resource.get("userName"))
        return self

    def _link(self, target_id: str, user_name: Any) -> None:
        label = self.for_user_name(user_name)
        if label is not None and target_id not in self.by_id:
            self.by_id[target_id] = label


def _resources(body: Any) -> list[dict[str, Any]]:
    if not isinstance(body, dict):
        return []
    if isinstance(body.get("Resources"), list):
        return [r for r in body["Resources"] if isinstance(r, dict)]
    return [body] if "id" in body else []


@dataclass(frozen=True)
class Request:
    """A request in comparable form: the object it is about, and a template with placeholders."""

    object: str
    template: str
    """e.g. `GET /Users?filter=userName eq "{u3}"`, `PATCH /Users/{u3}`."""


def describe(exchange: Exchange, labels: Labels) -> Request:
    path, _, query = exchange.path.partition("?")
    parts = path.strip("/").split("/")
    subject: str | None = None
    shown_path = path
    if len(parts) == 2 and parts[1]:
        subject = labels.for_id(parts[1])
        shown_path = f"/{parts[0]}/{{{subject}}}"
    shown_query = []
    for name, value in parse_qsl(query, keep_blank_values=True):
        if name == "filter":
            value, filtered = _filter_template(value, labels)
            subject = subject or filtered
        shown_query.append(f"{name}={value}")
    if exchange.method == "POST" and isinstance(exchange.request_body, dict):
        subject = labels.for_user_name(exchange.request_body.get("userName")) or subject
    template = exchange.method + " " + shown_path + ("?" + "&".join(shown_query) if shown_query else "")
    return Request(subject or "-", template)


def _filter_template(text: str, labels: Labels) -> tuple[str, str | None]:
    match = _FILTER.match(text)
    if not match:
        return text, None
    value = match["value"]
    label = labels.for_user_name(value)
    if label is None and _GUID.match(value):
        return f'{match["attr"]} eq "{{random GUID}}"', PROBE
    if label is None:
        return text, None
    return f'{match["attr"]} eq "{{{label}}}"', label


def resource(value: Any, labels: Labels) -> Any:
    """A resource (or a ListResponse of them) with ids, meta, versions and timestamps as placeholders."""
    if value is ABSENT or value is None:
        return value
    if isinstance(value, dict) and isinstance(value.get("Resources"), list):
        shown = {k: v for k, v in value.items() if k not in ("Resources",)}
        shown["Resources"] = [resource(r, labels) for r in value["Resources"]]
        return _strings(shown, labels)
    if not isinstance(value, dict):
        return value
    shown = dict(value)
    if isinstance(shown.get("id"), str):
        shown["id"] = "{" + labels.for_id(shown["id"]) + "}"
    meta = shown.get("meta")
    if isinstance(meta, Mapping):
        shown["meta"] = {k: v for k, v in meta.items() if k not in _META_VOLATILE}
    return _strings(shown, labels)


def body(value: Any, labels: Labels) -> Any:
    """A request body: ids of the target (member values, manager) as labels; nothing else changes."""
    return _strings(value, labels)


def _strings(value: Any, labels: Labels, key: str | None = None) -> Any:
    """Recursively: a target id as its label, a timestamp as `{timestamp}`, a URL of the target as a label.

    A short id (`"1"`) is replaced only where an id belongs (`id`, `value`, `$ref`), so that an ordinary "1"
    elsewhere stays itself; a long one (a UUID) wherever it appears.
    """
    if isinstance(value, dict):
        return {k: _strings(v, labels, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_strings(v, labels, key) for v in value]
    if isinstance(value, str):
        if value in labels.by_id and (key in ("id", "value") or len(value) >= 16):
            return "{" + labels.by_id[value] + "}"
        if _TIMESTAMP.match(value):
            return "{timestamp}"
        if value.startswith(("http://", "https://")) and "/Users/" in value:
            return "{location " + labels.for_id(value.rsplit("/", 1)[-1]) + "}"
    return value


def error_type(exchange: Exchange) -> str | None:
    """The RFC 7644 §3.12 scimType of an error answer, or None."""
    body_ = exchange.response_body
    if exchange.status is not None and exchange.status >= 400 and isinstance(body_, dict):
        scim_type = body_.get("scimType")
        return str(scim_type) if scim_type is not None else None
    return None


def state(exchange: Exchange, labels: Labels) -> Any:
    """The resource's state after the step: read back after a write, the answer of a read, else None."""
    if exchange.method in ("POST", "PUT", "PATCH", "DELETE"):
        return resource(exchange.state_after, labels)
    if exchange.method == "GET" and exchange.status == 200:
        return resource(exchange.response_body, labels)
    return None
