"""Values of Entra's expression language: how a value reads as text, as a boolean, as a whole number.

Values are Python objects: str, bool, int, list (multi-valued), datetime, or None for null (a missing
attribute). Booleans read as the strings "True"/"False" wherever a string is needed, as Entra's do, and dates
as Entra's own `M/d/yyyy h:mm:ss tt` strings. `ExpressionError` is the one error of the language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

Evaluator = Callable[[Mapping[str, Any], "EvalContext"], Any]
"""A compiled expression node: (source attributes, evaluation context) -> value."""


class ExpressionError(ValueError):
    """A bad expression (or a value it cannot handle), with the 0-based character position of the fault."""

    def __init__(self, message: str, position: int, text: str | None = None) -> None:
        self.message = message
        self.position = position
        self.text = text
        super().__init__(self._render())

    def _render(self) -> str:
        if self.text is None:
            return f"{self.message} (at position {self.position})"
        before, after = self.text[: self.position], self.text[self.position :]
        return f"{self.message} at position {self.position}: {before}>>>{after}"

    def pointer(self) -> str:
        """The expression with a caret under the fault, for multi-line displays."""
        if self.text is None:
            return self.message
        return f"{self.message}\n  {self.text}\n  {' ' * self.position}^"


class EvalContext:
    """Per-evaluation state; the time is read only if Now() asks for it."""

    __slots__ = ("_now",)

    def __init__(self, now: datetime | None) -> None:
        self._now = now

    @property
    def now(self) -> datetime:
        if self._now is None:
            self._now = datetime.now(UTC)
        return self._now


def to_text(value: Any) -> str | None:
    """How Entra reads a value as a string: booleans are "True"/"False", null stays null."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, datetime):
        return format_entra_datetime(value)
    if isinstance(value, list | tuple):
        return to_text(value[0]) if value else None
    return str(value)


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str):
        text = value.strip().casefold()
        if text in ("true", "false"):
            return text == "true"
        try:
            return float(text) != 0
        except ValueError:
            return False
    return False


def to_int(value: Any, what: str, position: int) -> int:
    try:
        return int(to_text(value) or "")
    except ValueError:
        raise ExpressionError(f"{what} must be a whole number, not {value!r}", position) from None


def each(value: Any, transform: Callable[[str], Any]) -> Any:
    """Apply a string function to a single value, or to every value of a multi-valued attribute."""
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return [transform(t) for t in (to_text(v) for v in value) if t is not None]
    return transform(to_text(value))  # type: ignore[arg-type]


def format_entra_datetime(moment: datetime) -> str:
    """Entra's date strings: M/d/yyyy h:mm:ss tt, in UTC."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment
    hour = moment.hour % 12 or 12
    suffix = "AM" if moment.hour < 12 else "PM"
    return (
        f"{moment.month}/{moment.day}/{moment.year} {hour}:{moment.minute:02d}:{moment.second:02d} {suffix}"
    )
