"""Entra's attribute-based scoping filters: clauses ANDed within a group, groups ORed together.

Operator semantics follow Microsoft Learn, "Scoping users or groups to be provisioned with scoping filters":
EQUALS / NOT EQUALS / Includes compare case-sensitively, Greater_Than and friends compare integers, "&" is a
bitwise AND on integers, REGEX MATCH is a full .NET-style regex search.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


class ScopingFilterError(ValueError):
    """A scoping filter that cannot be built (unknown operator, missing value, bad regex)."""


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value)


def _values(value: Any) -> list[str]:
    """Multi-valued attributes (proxyAddresses) match when any of their values does."""
    if value is None:
        return []
    if isinstance(value, list | tuple | set):
        return [t for t in (_text(v) for v in value) if t is not None]
    return [_text(value)]  # type: ignore[list-item]


def _integer(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.casefold() in ("true", "false"):
        return value.casefold() == "true"
    return None


def _compare(test: Callable[[int, int], bool]) -> Callable[[Any, str], bool]:
    def check(actual: Any, expected: str) -> bool:
        left, right = _integer(actual), _integer(expected)
        return left is not None and right is not None and test(left, right)

    return check


def _regex(actual: Any, pattern: str) -> bool:
    return any(re.search(pattern, v) for v in _values(actual))


_OPERATORS: dict[str, tuple[bool, Callable[[Any, str], bool]]] = {
    # name: (needs a value, test(actual attribute value, clause value))
    "EQUALS": (True, lambda a, v: v in _values(a)),
    "NOT EQUALS": (True, lambda a, v: v not in _values(a)),
    "IS TRUE": (False, lambda a, v: _boolean(a) is True),
    "IS FALSE": (False, lambda a, v: _boolean(a) is False),
    "IS NULL": (False, lambda a, v: a is None or a == "" or a == []),
    "IS NOT NULL": (False, lambda a, v: not (a is None or a == "" or a == [])),
    "REGEX MATCH": (True, _regex),
    "NOT REGEX MATCH": (True, lambda a, v: not _regex(a, v)),
    "GREATER THAN": (True, _compare(lambda a, b: a > b)),
    "GREATER THAN OR EQUALS": (True, _compare(lambda a, b: a >= b)),
    "LESS THAN": (True, _compare(lambda a, b: a < b)),
    "LESS THAN OR EQUALS": (True, _compare(lambda a, b: a <= b)),
    "INCLUDES": (True, lambda a, v: any(v in text for text in _values(a))),
    "NOT INCLUDES": (True, lambda a, v: not any(v in text for text in _values(a))),
    "&": (True, _compare(lambda a, b: a & b != 0)),
    "!&": (True, _compare(lambda a, b: a & b == 0)),
}


def normalize_operator(name: str) -> str:
    """'Greater_Than', 'greater than', 'NOT_EQUALS' all name the same operator."""
    if not isinstance(name, str):
        raise ScopingFilterError(f"a scoping operator must be text, not {name!r}"[:120])
    key = " ".join(name.replace("_", " ").upper().split())
    if key not in _OPERATORS:
        known = ", ".join(sorted(_OPERATORS))
        raise ScopingFilterError(f"unknown scoping operator {name!r}; known operators: {known}")
    return key


@dataclass(frozen=True)
class ScopingClause:
    attribute: str
    operator: str
    value: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.attribute, str) or not self.attribute:
            raise ScopingFilterError(f"a scoping clause names an attribute, not {self.attribute!r}"[:120])
        operator = normalize_operator(self.operator)
        object.__setattr__(self, "operator", operator)
        needs_value, _ = _OPERATORS[operator]
        if needs_value and self.value is None:
            raise ScopingFilterError(f"scoping clause on {self.attribute!r} with {operator} needs a value")
        if self.value is not None and not isinstance(self.value, str):
            object.__setattr__(self, "value", _text(self.value))
        if operator.endswith("REGEX MATCH"):
            try:
                re.compile(self.value or "")
            except re.error as exc:
                raise ScopingFilterError(f"scoping clause on {self.attribute!r}: bad regex: {exc}") from None

    def matches(self, attributes: Mapping[str, Any]) -> bool:
        _, test = _OPERATORS[self.operator]
        return test(attributes.get(self.attribute), self.value or "")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScopingClause:
        """Our {attribute, operator, value} or Graph's {sourceOperandName, operatorName, targetOperand}."""
        if not isinstance(data, Mapping):
            raise ScopingFilterError("a scoping clause must be a JSON object")
        if "sourceOperandName" in data:
            operand = data.get("targetOperand")
            values = (operand.get("values") if isinstance(operand, Mapping) else None) or []
            if not isinstance(values, list):
                raise ScopingFilterError("a scoping clause's targetOperand.values must be a list")
            return cls(data["sourceOperandName"], data.get("operatorName", ""), values[0] if values else None)
        try:
            return cls(data["attribute"], data["operator"], data.get("value"))
        except KeyError as exc:
            raise ScopingFilterError(f"scoping clause {dict(data)!r} lacks {exc.args[0]!r}") from None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"attribute": self.attribute, "operator": self.operator}
        if self.value is not None:
            data["value"] = self.value
        return data


@dataclass(frozen=True)
class ScopingFilter:
    """OR of clause groups; each group is the AND of its clauses. No groups means everyone is in scope."""

    groups: tuple[tuple[ScopingClause, ...], ...] = field(default_factory=tuple)

    def matches(self, attributes: Mapping[str, Any]) -> bool:
        if not self.groups:
            return True
        return any(all(clause.matches(attributes) for clause in group) for group in self.groups)

    @classmethod
    def single(cls, *clauses: ScopingClause) -> ScopingFilter:
        return cls((tuple(clauses),))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | Sequence[Any]) -> ScopingFilter:
        """{"groups": [{"clauses": [...]}, ...]} (Graph's shape), {"groups": [[...], ...]}, or a list."""
        raw_groups = data.get("groups", []) if isinstance(data, Mapping) else data
        if not isinstance(raw_groups, Sequence) or isinstance(raw_groups, str):
            raise ScopingFilterError("a scoping filter's groups must be a list")
        groups = []
        for raw in raw_groups:
            clauses = raw.get("clauses", []) if isinstance(raw, Mapping) else raw
            if not isinstance(clauses, Sequence) or not clauses:
                raise ScopingFilterError("each scoping filter group needs a non-empty list of clauses")
            groups.append(tuple(ScopingClause.from_dict(c) for c in clauses))
        return cls(tuple(groups))

    def to_dict(self) -> dict[str, Any]:
        return {"groups": [{"clauses": [c.to_dict() for c in group]} for group in self.groups]}
