"""The two sequences side by side: aligned exchanges, log outcomes and end states, and what differs.

Exchanges are aligned on (virtual time, object, request template) with difflib's longest-matching-blocks, so
a request one target caused and the other did not (an escrow retry after a refusal) shows as "only in A/B"
and the rest stays paired. A paired row differs when Entra's request, the status, the error type (scimType)
or the resource's state after the step differ once normalised (`compare.normalise`). Error texts (`detail`)
are shown, never compared: each service words its own.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from scim_harness.compare import normalise
from scim_harness.compare.recorder import ABSENT, Exchange
from scim_harness.compare.replay import LogOutcome, SideResult
from scim_harness.simulator.timeline import format_duration

ONLY_A = "only in A"
ONLY_B = "only in B"


def at_text(delta: timedelta) -> str:
    """`0s`, `40m`, `1h20m`: virtual time since the start, in whole seconds (the rows' alignment key)."""
    return format_duration(timedelta(seconds=int(delta.total_seconds())))


@dataclass(frozen=True)
class FieldDiff:
    field: str
    a: Any
    b: Any


@dataclass
class Row:
    """One step on both sides (or one side only), with the fields that differ."""

    section: str  # "exchange" | "log" | "final state" | "job"
    at: str
    object: str
    what: str
    a: Any = None
    b: Any = None
    diffs: list[FieldDiff] = field(default_factory=list)

    @property
    def kind(self) -> str:
        if self.a is None:
            return ONLY_B
        if self.b is None:
            return ONLY_A
        return "different" if self.diffs else "same"


@dataclass(frozen=True)
class Difference:
    """A difference signature, aggregated over time: the unit docs/vendor-tools.md lists and tests assert."""

    section: str
    object: str
    what: str
    field: str

    def as_tuple(self) -> tuple[str, str, str, str]:
        return (self.section, self.object, self.what, self.field)


@dataclass
class Comparison:
    a: SideResult
    b: SideResult
    exchanges: list[Row]
    log: list[Row]
    final_state: list[Row]
    job: list[Row]

    @property
    def rows(self) -> list[Row]:
        return self.job + self.exchanges + self.log + self.final_state

    @property
    def differing(self) -> list[Row]:
        return [row for row in self.rows if row.kind != "same"]

    @property
    def equivalent(self) -> bool:
        return not self.differing

    def differences(self) -> dict[Difference, list[Row]]:
        """Each signature with the rows it covers, in order of first appearance."""
        grouped: dict[Difference, list[Row]] = {}
        for row in self.differing:
            fields = [row.kind] if row.kind in (ONLY_A, ONLY_B) else [d.field for d in row.diffs]
            for name in fields:
                grouped.setdefault(Difference(row.section, row.object, row.what, name), []).append(row)
        return grouped


def compare(a: SideResult, b: SideResult) -> Comparison:
    return Comparison(
        a=a,
        b=b,
        exchanges=_exchanges(a, b),
        log=_log(a.log, b.log),
        final_state=_final_state(a, b),
        job=_job(a, b),
    )


# ---- exchanges ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    key: tuple[str, str, str]
    exchange: Exchange
    request: Any
    status: int | None
    error_type: str | None
    state: Any
    error: str | None


def _steps(side: SideResult) -> list[Step]:
    steps = []
    for exchange in side.exchanges:
        request = normalise.describe(exchange, side.labels)
        steps.append(
            Step(
                key=(at_text(exchange.at), request.object, request.template),
                exchange=exchange,
                request=normalise.body(exchange.request_body, side.labels),
                status=exchange.status,
                error_type=normalise.error_type(exchange),
                state=normalise.state(exchange, side.labels),
                error=exchange.error,
            )
        )
    return steps


def _exchanges(a: SideResult, b: SideResult) -> list[Row]:
    def row(x: Step | None, y: Step | None) -> Row:
        key = (x or y).key  # type: ignore[union-attr]
        result = Row("exchange", key[0], key[1], key[2], x, y)
        if x is not None and y is not None:
            for name in ("request", "status", "error_type", "state", "error"):
                if getattr(x, name) != getattr(y, name):
                    result.diffs.append(FieldDiff(name.replace("_", " "), getattr(x, name), getattr(y, name)))
        return result

    return align(_steps(a), _steps(b), lambda s: s.key, row)


# ---- provisioning log --------------------------------------------------------------------------------------


def _log(a: list[LogOutcome], b: list[LogOutcome]) -> list[Row]:
    def row(x: LogOutcome | None, y: LogOutcome | None) -> Row:
        one = x or y
        assert one is not None
        result = Row("log", at_text(one.at), one.object, f"log {one.action}", x, y)
        if x is not None and y is not None:
            for name in ("status", "error_code"):
                if getattr(x, name) != getattr(y, name):
                    result.diffs.append(FieldDiff(name.replace("_", " "), getattr(x, name), getattr(y, name)))
        return result

    return align(a, b, lambda o: (at_text(o.at), o.object, o.action), row)


# ---- end state and job -------------------------------------------------------------------------------------


def _final_state(a: SideResult, b: SideResult) -> list[Row]:
    rows = []
    labels = list(dict.fromkeys([*a.final_state, *b.final_state]))
    for label in labels:
        x = normalise.resource(a.final_state.get(label), a.labels) if label in a.final_state else None
        y = normalise.resource(b.final_state.get(label), b.labels) if label in b.final_state else None
        row = Row("final state", "end", label, "GET /Users/{" + label + "}", x, y)
        if x is not None and y is not None and x != y:
            row.diffs.append(FieldDiff("resource", x, y))
        rows.append(row)
    return rows


def _job(a: SideResult, b: SideResult) -> list[Row]:
    rows = []
    for what, x, y in (
        ("Test Connection", a.connection, b.connection),
        ("job status at the end", a.job_state, b.job_state),
    ):
        row = Row("job", "end", "job", what, x, y)
        for name in sorted(set(x) | set(y)):
            if x.get(name) != y.get(name):
                row.diffs.append(FieldDiff(name, x.get(name), y.get(name)))
        rows.append(row)
    return rows


# ---- alignment ---------------------------------------------------------------------------------------------


def align[T](
    a: Sequence[T],
    b: Sequence[T],
    key: Callable[[T], Hashable],
    row: Callable[[T | None, T | None], Row],
) -> list[Row]:
    keys_a = [key(x) for x in a]
    keys_b = [key(y) for y in b]
    rows: list[Row] = []
    matcher = difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows.extend(row(a[i], b[j]) for i, j in zip(range(i1, i2), range(j1, j2), strict=True))
            continue
        rows.extend(row(a[i], None) for i in range(i1, i2))
        rows.extend(row(None, b[j]) for j in range(j1, j2))
    return rows


def delta(a: Any, b: Any) -> tuple[Any, Any]:
    """Only what differs between two resources, as dotted paths (`userName`, `name.givenName`), for tables."""
    if not (isinstance(a, dict) and isinstance(b, dict)):
        return a, b
    flat_a, flat_b = _flatten(a), _flatten(b)
    keys = [k for k in dict.fromkeys([*flat_a, *flat_b]) if flat_a.get(k, _NONE) != flat_b.get(k, _NONE)]
    return (
        {k: flat_a.get(k, "(absent)") for k in keys},
        {k: flat_b.get(k, "(absent)") for k in keys},
    )


_NONE = object()


def _flatten(value: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, item in value.items():
        if isinstance(item, dict) and item:
            flat.update(_flatten(item, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = item
    return flat


def shown(value: Any) -> str:
    """A compact one-line form of a compared value, for tables."""
    if value is ABSENT:
        return "absent (404)"
    if value is None:
        return "-"
    if isinstance(value, str | int | float | bool):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
