"""Which defects are switched on, and their parameters: test-only, all off by default, set at start
(EmulatorConfig.defects) or at run time (GET/PUT /_emulator/defects)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from scim_harness.emulator.defects.entries_answers import ANSWER_DEFECTS
from scim_harness.emulator.defects.entries_requests import REQUEST_DEFECTS

CATALOGUE = (*REQUEST_DEFECTS, *ANSWER_DEFECTS)
BY_NAME = {defect.name: defect for defect in CATALOGUE}
# Parameters and their bounds: a delay a test can outwait with a short client timeout, never unbounded.
PARAMETERS: dict[str, tuple[float, float]] = {"latency_seconds": (0.0, 600.0), "hang_seconds": (0.0, 3600.0)}


@dataclass
class DefectSwitches:
    enabled: set[str] = field(default_factory=set)
    latency_seconds: float = 2.0
    """How long slow_answers delays each answer."""
    hang_seconds: float = 600.0
    """How long users_never_answer holds a request at most (then the connection is closed unanswered)."""

    def __post_init__(self) -> None:
        self.enabled = set(self.enabled)
        unknown = self.enabled - set(BY_NAME)
        if unknown:
            raise ValueError(f"unknown defect(s): {', '.join(sorted(unknown))}")

    def on(self, name: str) -> bool:
        return name in self.enabled

    def copy(self) -> DefectSwitches:
        return DefectSwitches(set(self.enabled), self.latency_seconds, self.hang_seconds)

    def check_profile(self, profile: str) -> None:
        """A defect that does not apply to the profile is refused: it would change nothing, and a suite
        scored against it would look better than it is."""
        wrong = sorted(name for name in self.enabled if profile not in BY_NAME[name].profiles)
        if wrong:
            raise ValueError(f"defect(s) not in the {profile} profile: {', '.join(wrong)}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "switches": {defect.name: defect.name in self.enabled for defect in CATALOGUE},
            "parameters": {name: getattr(self, name) for name in PARAMETERS},
        }

    def update(self, changes: Any, profile: str) -> None:
        """Apply {"switches": {name: bool}, "parameters": {name: number}} (either part may be left out);
        anything unknown or ill-typed raises ValueError and changes nothing."""
        if not isinstance(changes, dict) or set(changes) - {"switches", "parameters"}:
            raise ValueError('send {"switches": {name: true|false}, "parameters": {name: number}}')
        switches = changes.get("switches", {})
        parameters = changes.get("parameters", {})
        if not isinstance(switches, dict) or not isinstance(parameters, dict):
            raise ValueError("switches and parameters must be JSON objects")
        unknown = set(switches) - set(BY_NAME)
        if unknown:
            raise ValueError(f"unknown defect(s): {', '.join(sorted(unknown))}")
        if any(not isinstance(value, bool) for value in switches.values()):
            raise ValueError("defect switches must be true or false")
        for name, value in parameters.items():
            low, high = PARAMETERS.get(name, (None, None))
            if low is None:
                raise ValueError(f"unknown defect parameter: {name}")
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                raise ValueError(f"{name} must be a number")
            if not low <= value <= high:  # type: ignore[operator]
                raise ValueError(f"{name} must be between {low} and {high}")
        enabled = (self.enabled | {n for n, v in switches.items() if v}) - {
            n for n, v in switches.items() if not v
        }
        DefectSwitches(enabled).check_profile(profile)
        self.enabled = enabled
        for name, value in parameters.items():
            setattr(self, name, float(value))
