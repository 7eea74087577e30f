"""A scripted run: directory events and admin actions at offsets from the start of the simulation.

In the tenant file: `"timeline": [{"at": "2h", "action": "update", "user": "a@contoso.com",
"set": {"displayName": "X"}}, ...]`. Directory events change the tenant and admin actions
(stop, start, restart, on_demand) drive the provisioning job: simulator.runner plays both.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

DIRECTORY_ACTIONS = frozenset(
    {
        "assign",
        "unassign",
        "update",
        "soft_delete",
        "restore",
        "hard_delete",
        "block",
        "unblock",
        "add_user",
        "add_group",
        "add_member",
        "remove_member",
    }
)
ADMIN_ACTIONS = frozenset({"stop", "start", "restart", "on_demand"})
# Graph's synchronizationJobRestartCriteria resetScope values (reference §6); several may be comma-separated.
RESTART_SCOPES = (
    "Watermark",
    "Escrows",
    "QuarantineState",
    "Full",
    "ForceDeletes",
    "ConnectorDataStore",
    "None",
)
# Actions that name no user or group.
_UNTARGETED = frozenset({"add_user", "add_group", "stop", "start", "restart"})
# Keys of an event that are not parameters.
_EVENT_KEYS = frozenset({"at", "action", "user", "group", "target"})


class TimelineError(ValueError):
    """A timeline event that cannot be understood; `index` is its position in the timeline list."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(f"timeline[{index}]: {message}")
        self.index = index


@dataclass(frozen=True)
class TimelineEvent:
    at: timedelta
    action: str
    target: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    index: int = 0
    # "user" or "group": which kind of object `target` names.
    target_kind: str = "user"

    @property
    def is_admin_action(self) -> bool:
        return self.action in ADMIN_ACTIONS

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"at": format_duration(self.at), "action": self.action}
        if self.target is not None:
            data[self.target_kind] = self.target
        data.update(self.params)
        return data


def is_admin_action(event: TimelineEvent) -> bool:
    return event.action in ADMIN_ACTIONS


_ISO_DURATION = re.compile(
    r"^P(?:(?P<days>\d+(?:\.\d+)?)D)?(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$",
    re.IGNORECASE,
)
_SHORT_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)", re.IGNORECASE)
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


MAX_DURATION = timedelta(days=366)
"""The longest duration we read: a year of 40-minute cycles is about 13,000 cycles."""
MAX_EVENTS = 100_000


def parse_duration(text: str | int | float) -> timedelta:
    """'40m', '2h', '3d', '1h30m', '90s', ISO 8601 'PT1H' / 'P1DT2H', or seconds; at most a year."""
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise ValueError(f"not a duration: {text!r}")
    if isinstance(text, int | float):
        seconds = float(text)
    else:
        raw = text.strip()
        if len(raw) > 100:
            raise ValueError("not a duration: the text is too long")
        iso = _ISO_DURATION.match(raw)
        if iso and raw.upper() not in ("P", "PT") and not raw.upper().endswith("T"):
            units = {"days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}
            seconds = sum(float(value) * units[name] for name, value in iso.groupdict().items() if value)
        else:
            compact = raw.replace(" ", "")
            parts = _SHORT_PART.findall(compact)
            if not parts or "".join(n + u for n, u in parts).lower() != compact.lower():
                raise ValueError(f"not a duration: {text!r} (use e.g. 40m, 2h, 3d, 1h30m or PT1H)")
            seconds = sum(float(number) * _UNITS[unit.lower()] for number, unit in parts)
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"a duration must be a finite, non-negative time, not {text!r}")
    if seconds > MAX_DURATION.total_seconds():
        raise ValueError(f"{text!r} is longer than the longest run we simulate ({MAX_DURATION.days} days)")
    return timedelta(seconds=seconds)


def format_duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds != delta.total_seconds():
        return f"{delta.total_seconds()}s"
    out = ""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            out += f"{count}{unit}"
    return out or "0s"


def parse_event(index: int, raw: Any) -> TimelineEvent:
    if not isinstance(raw, Mapping):
        raise TimelineError(index, "an event must be a JSON object")
    if "at" not in raw:
        raise TimelineError(index, "an event needs 'at' (e.g. \"2h\")")
    try:
        at = parse_duration(raw["at"])
    except ValueError as exc:
        raise TimelineError(index, str(exc)) from None
    action = str(raw.get("action", "")).strip().lower().replace("-", "_").replace(" ", "_")
    if action not in DIRECTORY_ACTIONS | ADMIN_ACTIONS:
        known = ", ".join(sorted(DIRECTORY_ACTIONS | ADMIN_ACTIONS))
        shown = repr(raw.get("action"))[:60]
        raise TimelineError(index, f"unknown action {shown}; known actions: {known}")
    kind = "group" if "group" in raw else "user"
    target = raw.get("group", raw.get("user", raw.get("target")))
    if target is not None and not isinstance(target, str):
        raise TimelineError(index, f"'{kind}' must be a string (a {kind} id, UPN or displayName)")
    if target is None and action not in _UNTARGETED:
        raise TimelineError(index, f"action {action!r} needs a 'user' (or 'group')")
    params = {key: value for key, value in raw.items() if key not in _EVENT_KEYS}
    if action == "update" and not isinstance(params.get("set"), Mapping):
        raise TimelineError(index, "an update needs 'set': {attribute: value, ...}")
    if action == "add_user" and not isinstance(params.get("attributes", params.get("set")), Mapping):
        raise TimelineError(index, "add_user needs 'attributes': {userPrincipalName: ..., ...}")
    if action in ("add_member", "remove_member") and (
        kind != "group" or not isinstance(params.get("member"), str)
    ):
        raise TimelineError(index, f"{action} needs 'group' and 'member' (a user id or UPN)")
    if action == "add_group" and not isinstance(params.get("displayName"), str):
        raise TimelineError(index, "add_group needs 'displayName'")
    if action == "restart" and "scope" in params:
        parts = [p.strip() for p in str(params["scope"]).split(",")]
        unknown = [p for p in parts if p not in RESTART_SCOPES]
        if unknown:
            known = ", ".join(RESTART_SCOPES)
            raise TimelineError(index, f"restart scope {unknown[0]!r} is not one of {known}")
    return TimelineEvent(at=at, action=action, target=target, params=params, index=index, target_kind=kind)


def parse_timeline(raw: Sequence[Any]) -> list[TimelineEvent]:
    """Events in time order; events at the same time keep their file order."""
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        raise TimelineError(0, "the timeline must be a JSON list")
    if len(raw) > MAX_EVENTS:
        raise TimelineError(MAX_EVENTS, f"a timeline holds at most {MAX_EVENTS:,} events")
    events = [parse_event(index, item) for index, item in enumerate(raw)]
    return sorted(events, key=lambda event: event.at)
