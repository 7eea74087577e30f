"""Attribute mappings: which source attribute (or expression) feeds which SCIM path, and which ones match.

A mapping file is JSON (docs/simulator-source.md):
    {"provisionGroups": false,
     "userMappings": [{"target": "userName", "source": "[userPrincipalName]", "type": "Direct",
                       "matchingPrecedence": 1}, ...],
     "groupMappings": [...]}
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from scim_harness.simulator.expr_values import EvalContext
from scim_harness.simulator.expressions import Expression, ExpressionError, parse
from scim_harness.simulator.files import MB, InputFileError, read_json
from scim_harness.simulator.scim_paths import parse_path

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
# The `active` expression the Kintone help article and most vendor guides show (reference §3, §5).
ACTIVE_EXPRESSION = 'Switch([IsSoftDeleted], , "False", "True", "True", "False")'

MappingType = Literal["Direct", "Constant", "Expression"]
ApplyOn = Literal["Always", "OnCreate"]
_MAPPING_TYPES = ("Direct", "Constant", "Expression")
_APPLY_ON = ("Always", "OnCreate")
_DATA_DIR = Path(__file__).parent / "data"
MAX_FILE_BYTES = 1 * MB
MAX_MAPPINGS = 500


class MappingError(ValueError):
    """A mapping set Entra would refuse to save (bad expression, duplicate target, no matching attribute)."""


def _null(value: Any) -> bool:
    # Entra does not flow null values; an empty result is treated the same (our assumption, documented).
    return value is None or value == "" or value == []


@dataclass
class AttributeMapping:
    target: str
    source: str
    mapping_type: MappingType = "Direct"
    matching_precedence: int | None = None
    apply_on: ApplyOn = "Always"
    default_if_null: str | None = None
    expression: Expression = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.mapping_type not in _MAPPING_TYPES:
            raise MappingError(f"mapping to {self.target!r}: type must be one of {_MAPPING_TYPES}")
        if self.apply_on not in _APPLY_ON:
            raise MappingError(f"mapping to {self.target!r}: applyOn must be one of {_APPLY_ON}")
        source = self.source.strip() if isinstance(self.source, str) else self.source
        if not isinstance(source, str) or not source:
            raise MappingError(f"mapping to {self.target!r} has no source")
        # Entra's UI takes a bare attribute name for Direct and a bare value for Constant; accept both forms.
        if self.mapping_type == "Direct" and re.fullmatch(r"[^\[\]()\",]+", source):
            source = f"[{source}]"
        elif self.mapping_type == "Constant" and not source.startswith('"'):
            source = '"' + source.replace("\\", "\\\\").replace('"', '\\"') + '"'
        self.source = source
        try:
            self.expression = parse(source)
        except ExpressionError as exc:
            raise MappingError(f"mapping to {self.target!r}: {exc}") from None
        if self.mapping_type == "Direct" and self.expression.direct_attribute is None:
            raise MappingError(
                f"mapping to {self.target!r}: a Direct mapping names one [attribute], not {source!r}"
            )

    @property
    def is_matching(self) -> bool:
        return self.matching_precedence is not None

    def evaluate(self, source: Mapping[str, Any], *, on_create: bool, now: datetime | None = None) -> Any:
        """The value to flow, or None when nothing flows for this mapping."""
        if self.apply_on == "OnCreate" and not on_create:
            return None
        value = self.expression.evaluate(source, now=now)
        if _null(value) and on_create and self.default_if_null is not None:
            return self.default_if_null
        return None if _null(value) else value

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AttributeMapping:
        def pick(*names: str, default: Any = None) -> Any:
            return next((data[n] for n in names if n in data), default)

        target = pick("target", "targetAttributeName")
        source = pick("source", "expression", "sourceAttributeName")
        if not isinstance(target, str) or not target:
            raise MappingError(f"mapping {str(dict(data))[:100]} has no target")
        try:
            parse_path(target)
        except ValueError:
            raise MappingError(f"mapping target {target[:100]!r} is not a SCIM attribute path") from None
        if source is None:
            raise MappingError(f"mapping to {target!r} has no source")
        precedence = pick("matchingPrecedence", "matching_precedence")
        if precedence is not None and (
            isinstance(precedence, bool) or not isinstance(precedence, int) or not 1 <= precedence <= 1000
        ):
            raise MappingError(f"mapping to {target!r}: matchingPrecedence must be a whole number from 1")
        default = pick("defaultIfNull", "default_if_null", "defaultValue")
        if default is not None and not isinstance(default, str):
            raise MappingError(f"mapping to {target!r}: defaultIfNull must be a string")
        kind = pick("type", "mappingType", "mapping_type", default="Direct")
        apply_on = pick("applyOn", "apply_on", default="Always")
        if kind not in _MAPPING_TYPES or apply_on not in _APPLY_ON:
            raise MappingError(
                f"mapping to {target!r}: type must be one of {_MAPPING_TYPES}, applyOn one of {_APPLY_ON}"
            )
        return cls(
            target=target,
            source=source,
            mapping_type=kind,
            matching_precedence=precedence,
            apply_on=apply_on,
            default_if_null=default,
        )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"target": self.target, "source": self.source, "type": self.mapping_type}
        if self.matching_precedence is not None:
            data["matchingPrecedence"] = self.matching_precedence
        if self.apply_on != "Always":
            data["applyOn"] = self.apply_on
        if self.default_if_null is not None:
            data["defaultIfNull"] = self.default_if_null
        return data


def _validate(mappings: Sequence[AttributeMapping], kind: str, *, need_matching: bool) -> None:
    seen: dict[str, str] = {}
    for mapping in mappings:
        key = mapping.target.casefold()
        if key in seen:
            raise MappingError(f"{kind} mappings: target {mapping.target!r} is mapped twice")
        seen[key] = mapping.target
    matching = [m for m in mappings if m.is_matching]
    precedences = [m.matching_precedence for m in matching]
    if len(set(precedences)) != len(precedences):
        raise MappingError(f"{kind} mappings: two matching attributes share a matching precedence")
    if need_matching and not matching:
        raise MappingError(
            f"{kind} mappings: at least one mapping must be a matching attribute (matchingPrecedence)"
        )
    for mapping in matching:
        if mapping.apply_on == "OnCreate":
            raise MappingError(
                f"{kind} mappings: matching attribute {mapping.target!r} cannot apply only on create"
            )


@dataclass
class MappingSet:
    user_mappings: list[AttributeMapping]
    group_mappings: list[AttributeMapping] = field(default_factory=list)
    provision_groups: bool = False

    def __post_init__(self) -> None:
        _validate(self.user_mappings, "user", need_matching=True)
        _validate(self.group_mappings, "group", need_matching=self.provision_groups)
        self._user_matching = sorted(
            (m for m in self.user_mappings if m.is_matching), key=lambda m: m.matching_precedence or 0
        )
        self._group_matching = sorted(
            (m for m in self.group_mappings if m.is_matching), key=lambda m: m.matching_precedence or 0
        )

    # -- the sets we ship -------------------------------------------------------------------------------

    @classmethod
    def default(cls) -> MappingSet:
        """The set the Kintone help article keeps; group provisioning off (Kintone's SCIM has no /Groups)."""
        return cls.load(_DATA_DIR / "kintone-mappings.json")

    @classmethod
    def entra_default_scim(cls) -> MappingSet:
        """Entra's default table for a non-gallery SCIM app (reference §3), groups on."""
        return cls.load(_DATA_DIR / "entra-default-scim-mappings.json")

    # -- files ------------------------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MappingSet:
        if not isinstance(data, Mapping):
            raise MappingError("a mapping file must be a JSON object")
        users = data.get("userMappings", data.get("user_mappings"))
        groups = data.get("groupMappings", data.get("group_mappings", []))
        if not isinstance(users, list) or not isinstance(groups, list):
            raise MappingError("'userMappings' (required) and 'groupMappings' must be JSON lists")
        if len(users) + len(groups) > MAX_MAPPINGS:
            raise MappingError(f"a mapping set holds at most {MAX_MAPPINGS} mappings")
        provision_groups = data.get("provisionGroups", data.get("provision_groups", False))
        if not isinstance(provision_groups, bool):
            raise MappingError("'provisionGroups' must be true or false")
        return cls(
            user_mappings=[_from_item(item, "userMappings", i) for i, item in enumerate(users)],
            group_mappings=[_from_item(item, "groupMappings", i) for i, item in enumerate(groups)],
            provision_groups=provision_groups,
        )

    @classmethod
    def load(cls, path: str | Path) -> MappingSet:
        try:
            data = read_json(path, "mapping file", MAX_FILE_BYTES)
        except InputFileError as exc:
            raise MappingError(str(exc)) from None
        try:
            return cls.from_dict(data)
        except MappingError as exc:
            raise MappingError(f"mapping file {path}: {exc}") from None

    def to_dict(self) -> dict[str, Any]:
        return {
            "provisionGroups": self.provision_groups,
            "userMappings": [m.to_dict() for m in self.user_mappings],
            "groupMappings": [m.to_dict() for m in self.group_mappings],
        }

    # -- evaluation -------------------------------------------------------------------------------------

    def evaluate_user(
        self, source: Mapping[str, Any], *, on_create: bool, now: datetime | None = None
    ) -> dict[str, Any]:
        """Target path -> value for every mapping that flows a value, in mapping order."""
        return _evaluate(self.user_mappings, source, on_create, now)

    def evaluate_group(
        self, source: Mapping[str, Any], *, on_create: bool, now: datetime | None = None
    ) -> dict[str, Any]:
        return _evaluate(self.group_mappings, source, on_create, now)

    def matching_attributes(self) -> list[AttributeMapping]:
        return list(self._user_matching)

    def matching_values(self, source: Mapping[str, Any]) -> list[tuple[str, Any]]:
        """(target path, value) for each matching attribute that has a value, in precedence order."""
        return _matching(self._user_matching, source)

    def group_matching_values(self, source: Mapping[str, Any]) -> list[tuple[str, Any]]:
        return _matching(self._group_matching, source)

    def source_attributes(self) -> set[str]:
        """Every source attribute a user mapping reads (Entra imports only mapped attributes)."""
        return {name for m in self.user_mappings for name in m.expression.attributes}


def _from_item(item: Any, where: str, index: int) -> AttributeMapping:
    if not isinstance(item, Mapping):
        raise MappingError(f"{where}[{index}] must be a JSON object")
    return AttributeMapping.from_dict(item)


def _evaluate(
    mappings: Sequence[AttributeMapping], source: Mapping[str, Any], on_create: bool, now: datetime | None
) -> dict[str, Any]:
    """`AttributeMapping.evaluate` for each mapping, inlined: one evaluation context for the object."""
    context = EvalContext(now)
    values: dict[str, Any] = {}
    for mapping in mappings:
        if mapping.apply_on == "OnCreate" and not on_create:
            continue
        value = mapping.expression.evaluate_in(source, context)
        if value is None or value == "" or value == []:  # _null
            if not on_create or mapping.default_if_null is None:
                continue
            value = mapping.default_if_null
        values[mapping.target] = value
    return values


def _matching(mappings: Sequence[AttributeMapping], source: Mapping[str, Any]) -> list[tuple[str, Any]]:
    pairs = []
    for mapping in mappings:
        value = mapping.expression.evaluate(source)
        if not _null(value):
            pairs.append((mapping.target, value))
    return pairs
