"""Entra's attribute-mapping expression language: parse once, evaluate for every user.

Grammar (Microsoft Learn, "Reference for writing expressions for attribute mappings"):
    expression := operand [ ("=" | "<>" | ">" | ">=" | "<" | "<=") operand ]
    operand    := "[" attribute "]" | "string" | number | &Hhex | True | False
                | Function "(" [arg {"," arg}] ")"
    arg        := expression | nothing            (an empty argument, as in Switch([x], , "a", "b"))
String literals escape `"` and `\\` with a backslash. Function names are case-sensitive, as in Entra.

Values are Python objects: str, bool, int, list (multi-valued), datetime, or None for null (a missing
attribute). Booleans read as the strings "True"/"False" wherever a string is needed, as Entra's do.
Each node compiles to a closure, so evaluating 100,000 users costs no re-parsing and no tree walking.
"""

from __future__ import annotations

import base64
import random
import re
import string
import unicodedata
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

Evaluator = Callable[[Mapping[str, Any], "_Context"], Any]


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


class _Context:
    """Per-evaluation state; the time is read only if Now() asks for it."""

    __slots__ = ("_now",)

    def __init__(self, now: datetime | None) -> None:
        self._now = now

    @property
    def now(self) -> datetime:
        if self._now is None:
            self._now = datetime.now(UTC)
        return self._now


# -- values ----------------------------------------------------------------------------------------------


def to_text(value: Any) -> str | None:
    """How Entra reads a value as a string: booleans are "True"/"False", null stays null."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, datetime):
        return _format_entra_datetime(value)
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


def _to_int(value: Any, what: str, position: int) -> int:
    try:
        return int(to_text(value) or "")
    except ValueError:
        raise ExpressionError(f"{what} must be a whole number, not {value!r}", position) from None


def _each(value: Any, transform: Callable[[str], Any]) -> Any:
    """Apply a string function to a single value, or to every value of a multi-valued attribute."""
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return [transform(t) for t in (to_text(v) for v in value) if t is not None]
    return transform(to_text(value))  # type: ignore[arg-type]


def _format_entra_datetime(moment: datetime) -> str:
    """Entra's date strings: M/d/yyyy h:mm:ss tt, in UTC."""
    moment = moment.astimezone(UTC) if moment.tzinfo else moment
    hour = moment.hour % 12 or 12
    suffix = "AM" if moment.hour < 12 else "PM"
    return (
        f"{moment.month}/{moment.day}/{moment.year} {hour}:{moment.minute:02d}:{moment.second:02d} {suffix}"
    )


def _parse_any_datetime(value: Any, position: int) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = (to_text(value) or "").strip()
    for pattern in ("%m/%d/%Y %I:%M:%S %p",):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=UTC)
        except ValueError:
            pass
    # Workday-style "2020-03-16-07:00" is a date with an offset.
    dated = re.fullmatch(r"(\d{4}-\d{2}-\d{2})([+-]\d{2}:\d{2})", text)
    if dated:
        text = f"{dated.group(1)}T00:00:00{dated.group(2)}"
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ExpressionError(f"{text!r} is not a date/time", position) from None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# .NET custom date/time format specifiers -> (strptime/strftime directive, regex for parsing)
_DOTNET_TOKENS = [
    ("yyyy", "%Y"),
    ("yy", "%y"),
    ("MMMM", "%B"),
    ("MMM", "%b"),
    ("MM", "%m"),
    ("M", "%-m"),
    ("dddd", "%A"),
    ("ddd", "%a"),
    ("dd", "%d"),
    ("d", "%-d"),
    ("HH", "%H"),
    ("H", "%-H"),
    ("hh", "%I"),
    ("h", "%-I"),
    ("mm", "%M"),
    ("m", "%-M"),
    ("ss", "%S"),
    ("s", "%-S"),
    ("fffffff", "%f7"),
    ("ffffff", "%f6"),
    ("fffff", "%f5"),
    ("ffff", "%f4"),
    ("fff", "%f3"),
    ("ff", "%f2"),
    ("f", "%f1"),
    ("tt", "%p"),
    ("zzz", "%z:"),
    ("K", "%z:"),
]


def _dotnet_pieces(fmt: str) -> list[tuple[str, str]]:
    """Split a .NET format into ('spec', directive) and ('lit', text) pieces."""
    pieces: list[tuple[str, str]] = []
    i = 0
    while i < len(fmt):
        if fmt[i] == "\\" and i + 1 < len(fmt):
            pieces.append(("lit", fmt[i + 1]))
            i += 2
            continue
        if fmt[i] in "'\"":
            end = fmt.find(fmt[i], i + 1)
            end = len(fmt) if end < 0 else end
            pieces.append(("lit", fmt[i + 1 : end]))
            i = end + 1
            continue
        for token, directive in _DOTNET_TOKENS:
            if fmt.startswith(token, i):
                pieces.append(("spec", directive))
                i += len(token)
                break
        else:
            pieces.append(("lit", fmt[i]))
            i += 1
    return pieces


_PARSE_REGEX = {
    "%Y": r"(?P<Y>\d{4})",
    "%y": r"(?P<y>\d{2})",
    "%m": r"(?P<m>\d{2})",
    "%-m": r"(?P<m>\d{1,2})",
    "%d": r"(?P<d>\d{2})",
    "%-d": r"(?P<d>\d{1,2})",
    "%H": r"(?P<H>\d{2})",
    "%-H": r"(?P<H>\d{1,2})",
    "%I": r"(?P<I>\d{2})",
    "%-I": r"(?P<I>\d{1,2})",
    "%M": r"(?P<M>\d{2})",
    "%-M": r"(?P<M>\d{1,2})",
    "%S": r"(?P<S>\d{2})",
    "%-S": r"(?P<S>\d{1,2})",
    "%p": r"(?P<p>AM|PM|am|pm)",
    "%z:": r"(?P<z>Z|[+-]\d{2}:?\d{2})",
    "%B": r"(?P<B>[A-Za-z]+)",
    "%b": r"(?P<b>[A-Za-z]{3})",
    "%A": r"[A-Za-z]+",
    "%a": r"[A-Za-z]{3}",
}
_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]


def _parse_dotnet(text: str, fmt: str, position: int) -> datetime:
    regex = ""
    for kind, piece in _dotnet_pieces(fmt):
        if kind == "lit":
            regex += re.escape(piece)
        elif piece.startswith("%f"):
            regex += rf"(?P<f>\d{{{piece[2:]}}})" if "(?P<f>" not in regex else rf"\d{{{piece[2:]}}}"
        else:
            regex += _PARSE_REGEX[piece] if f"(?P<{piece[1:2]}>" not in regex else r"\S+?"
    match = re.fullmatch(regex, text.strip())
    if not match:
        raise ExpressionError(f"{text!r} does not match the date format {fmt!r}", position)
    parts = match.groupdict()
    year = int(parts["Y"]) if parts.get("Y") else 2000 + int(parts.get("y") or 0) if parts.get("y") else 1
    month = (
        int(parts["m"])
        if parts.get("m")
        else (
            _MONTHS.index(parts["B"].lower()) + 1
            if parts.get("B")
            else [m[:3] for m in _MONTHS].index(parts["b"].lower()) + 1
            if parts.get("b")
            else 1
        )
    )
    hour = int(parts.get("H") or 0)
    if parts.get("I"):
        hour = int(parts["I"]) % 12 + (12 if (parts.get("p") or "").upper() == "PM" else 0)
    micro = int((parts.get("f") or "0").ljust(6, "0")[:6])
    tz = UTC
    if parts.get("z") and parts["z"] != "Z":
        sign = -1 if parts["z"][0] == "-" else 1
        digits = parts["z"][1:].replace(":", "")
        from datetime import timezone

        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    try:
        return datetime(
            year,
            month,
            int(parts.get("d") or 1),
            hour,
            int(parts.get("M") or 0),
            int(parts.get("S") or 0),
            micro,
            tzinfo=tz,
        )
    except ValueError as exc:
        raise ExpressionError(f"{text!r} is not a valid date: {exc}", position) from None


def _format_dotnet(moment: datetime, fmt: str) -> str:
    out = []
    for kind, piece in _dotnet_pieces(fmt):
        if kind == "lit":
            out.append(piece)
        elif piece.startswith("%f"):
            out.append(f"{moment.microsecond:06d}".ljust(7, "0")[: int(piece[2:])])
        elif piece == "%z:":
            offset = moment.utcoffset() or timedelta(0)
            minutes = int(offset.total_seconds() // 60)
            out.append(f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}")
        elif piece.startswith("%-"):
            value = {
                "m": moment.month,
                "d": moment.day,
                "H": moment.hour,
                "I": moment.hour % 12 or 12,
                "M": moment.minute,
                "S": moment.second,
            }[piece[2]]
            out.append(str(value))
        else:
            out.append(moment.strftime(piece))
    return "".join(out)


# -- functions -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Function:
    min_args: int
    max_args: int | None
    # (argument values, context, position of the call) -> value; `lazy` functions get evaluators instead.
    impl: Callable[..., Any]
    lazy: bool = False
    check: Callable[[int], str | None] | None = None


def _switch(args: list[Any], ctx: _Context, pos: int) -> Any:
    source = to_text(args[0]) or ""
    for i in range(2, len(args) - 1, 2):
        if source == (to_text(args[i]) or ""):
            return args[i + 1]
    return args[1]


def _iif(args: list[Evaluator], src: Mapping[str, Any], ctx: _Context, pos: int) -> Any:
    return args[1](src, ctx) if to_bool(args[0](src, ctx)) else args[2](src, ctx)


def _coalesce(args: list[Any], ctx: _Context, pos: int) -> Any:
    for value in args:
        if value is not None:
            return value
    return None


def _join(args: list[Any], ctx: _Context, pos: int) -> Any:
    separator = to_text(args[0]) or ""
    parts: list[str] = []
    for value in args[1:]:
        values = value if isinstance(value, list | tuple) else [value]
        parts.extend(t for t in (to_text(v) for v in values) if t)
    return separator.join(parts)


def _append(args: list[Any], ctx: _Context, pos: int) -> Any:
    suffix = to_text(args[1]) or ""
    return _each(args[0], lambda s: s + suffix) if args[0] is not None else suffix or None


def _left(args: list[Any], ctx: _Context, pos: int) -> Any:
    text = to_text(args[0])
    count = _to_int(args[1], "Left's NumChars", pos)
    if text is None:
        return ""
    return text if count < 0 else text[:count]


def _mid(args: list[Any], ctx: _Context, pos: int) -> Any:
    text = to_text(args[0])
    start = _to_int(args[1], "Mid's start", pos)
    length = _to_int(args[2], "Mid's length", pos)
    if text is None:
        return None
    if start < 1 or length < 0:
        raise ExpressionError(f"Mid needs start >= 1 and length >= 0, not {start} and {length}", pos)
    return text[start - 1 : start - 1 + length]


def _dotnet_regex(pattern: str, pos: int) -> re.Pattern[str]:
    # .NET named groups (?<name>...) are Python's (?P<name>...).
    try:
        return re.compile(re.sub(r"\(\?<([A-Za-z_]\w*)>", r"(?P<\1>", pattern))
    except re.error as exc:
        raise ExpressionError(f"bad regular expression {pattern!r}: {exc}", pos) from None


def _dotnet_replacement(template: str) -> str:
    # .NET's ${name} and $1 are Python's \g<name> and \g<1>.
    return re.sub(
        r"\$\{(\w+)\}|\$(\d+)", lambda m: rf"\g<{m.group(1) or m.group(2)}>", template.replace("\\", "\\\\")
    )


def _replace(args: list[Any], ctx: _Context, pos: int) -> Any:
    args = args + [None] * (7 - len(args))
    source, old, pattern, group, replacement, replacement_attr, template = args
    old_text, pattern_text = to_text(old), to_text(pattern)
    replacement_text, template_text = to_text(replacement), to_text(template)
    if old_text is not None and template_text is not None:
        return template_text.replace(old_text, to_text(source) or "")
    if old_text is not None:
        if not old_text:
            return source
        return _each(source, lambda s: s.replace(old_text, replacement_text or ""))
    if pattern_text is None:
        raise ExpressionError("Replace needs oldValue or regexPattern", pos)
    regex = _dotnet_regex(pattern_text, pos)
    group_name = to_text(group)
    if group_name and replacement_attr is not None and replacement_text is None:
        if to_text(source):
            return source
        match = regex.search(to_text(replacement_attr) or "")
        return match.group(group_name) if match else None
    if group_name:

        def replace_group(text: str) -> str:
            def one(match: re.Match[str]) -> str:
                start, end = match.span(group_name)
                whole = match.group(0)
                offset = match.start()
                return whole[: start - offset] + (replacement_text or "") + whole[end - offset :]

            return regex.sub(one, text)

        return _each(source, replace_group)
    return _each(source, lambda s: regex.sub(_dotnet_replacement(replacement_text or ""), s))


def _word(args: list[Any], ctx: _Context, pos: int) -> Any:
    text = to_text(args[0])
    number = _to_int(args[1], "Word's WordNumber", pos)
    delimiters = to_text(args[2]) or ""
    if text is None or number < 1:
        return ""
    words = [w for w in re.split("[" + re.escape(delimiters) + "]", text) if w] if delimiters else [text]
    return words[number - 1] if number <= len(words) else ""


def _split(args: list[Any], ctx: _Context, pos: int) -> Any:
    text = to_text(args[0])
    delimiter = to_text(args[1]) or ""
    if text is None:
        return None
    if not delimiter:
        raise ExpressionError("Split needs a non-empty delimiter", pos)
    return text.split(delimiter)


_DIACRITIC_SPECIALS = str.maketrans(
    {
        "æ": "ae",
        "Æ": "AE",
        "ǣ": "ae",
        "Ǣ": "AE",
        "ø": "oe",
        "Ø": "OE",
        "œ": "oe",
        "Œ": "OE",
        "ß": "ss",
        "ł": "l",
        "Ł": "L",
        "ı": "i",
        "đ": "d",
        "Đ": "D",
    }
)


def _normalize_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_DIACRITIC_SPECIALS))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _pcase(args: list[Any], ctx: _Context, pos: int) -> Any:
    separators = to_text(args[1]) if len(args) > 1 else None

    def proper(text: str) -> str:
        if separators is None:
            return re.sub(r"[^\W_]+", lambda m: m.group(0)[:1].upper() + m.group(0)[1:].lower(), text)
        out, start = [], True
        for char in text:
            out.append(char.upper() if start else char.lower())
            start = char in separators
        return "".join(out)

    return _each(args[0], proper)


def _instr(args: list[Any], ctx: _Context, pos: int) -> Any:
    haystack, needle = to_text(args[0]), to_text(args[1])
    start = _to_int(args[2], "InStr's start", pos) if len(args) > 2 and args[2] is not None else 1
    if haystack is None or needle is None:
        return None
    if len(args) > 3 and to_text(args[3]) == "vbTextCompare":
        haystack, needle = haystack.casefold(), needle.casefold()
    return haystack.find(needle, max(start, 1) - 1) + 1


def _item(args: list[Any], ctx: _Context, pos: int) -> Any:
    values = args[0] if isinstance(args[0], list | tuple) else ([] if args[0] is None else [args[0]])
    index = _to_int(args[1], "Item's index", pos)
    return values[index - 1] if 1 <= index <= len(values) else None


def _remove_duplicates(args: list[Any], ctx: _Context, pos: int) -> Any:
    values = args[0]
    if not isinstance(values, list | tuple):
        return values
    return list(dict.fromkeys(values))


def _date_from_num(args: list[Any], ctx: _Context, pos: int) -> Any:
    if args[0] is None:
        return None
    ticks = _to_int(args[0], "DateFromNum's value", pos)
    # Active Directory dates count 100-nanosecond intervals since 1601-01-01 UTC.
    return datetime(1601, 1, 1, tzinfo=UTC) + timedelta(microseconds=ticks // 10)


def _num_from_date(args: list[Any], ctx: _Context, pos: int) -> Any:
    if args[0] is None:
        return None
    moment = _parse_any_datetime(args[0], pos)
    return (moment - datetime(1601, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1) * 10


def _format_date_time(args: list[Any], ctx: _Context, pos: int) -> Any:
    source = to_text(args[0])
    if source is None:
        return None
    input_format, output_format = to_text(args[2]), to_text(args[3])
    if not input_format or not output_format:
        raise ExpressionError("FormatDateTime needs inputFormat and outputFormat", pos)
    return _format_dotnet(_parse_dotnet(source, input_format, pos), output_format)


def _cdate(args: list[Any], ctx: _Context, pos: int) -> Any:
    return None if args[0] is None else _parse_any_datetime(args[0], pos)


_INTERVALS = {
    "yyyy": "years",
    "m": "months",
    "d": "days",
    "ww": "weeks",
    "h": "hours",
    "n": "minutes",
    "s": "seconds",
}


def _add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    days = [
        31,
        29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][month - 1]
    return moment.replace(year=year, month=month, day=min(moment.day, days))


def _date_add(args: list[Any], ctx: _Context, pos: int) -> Any:
    interval = to_text(args[0]) or ""
    if interval not in _INTERVALS:
        raise ExpressionError(
            f"DateAdd interval must be one of {', '.join(_INTERVALS)}, not {interval!r}", pos
        )
    amount = _to_int(args[1], "DateAdd's value", pos)
    moment = _parse_any_datetime(args[2], pos)
    if interval in ("yyyy", "m"):
        return _add_months(moment, amount * (12 if interval == "yyyy" else 1))
    return moment + timedelta(**{_INTERVALS[interval]: amount})


def _date_diff(args: list[Any], ctx: _Context, pos: int) -> Any:
    interval = to_text(args[0]) or ""
    if interval not in _INTERVALS:
        raise ExpressionError(
            f"DateDiff interval must be one of {', '.join(_INTERVALS)}, not {interval!r}", pos
        )
    first, second = _parse_any_datetime(args[1], pos), _parse_any_datetime(args[2], pos)
    if interval == "yyyy":
        return second.year - first.year
    if interval == "m":
        return (second.year - first.year) * 12 + second.month - first.month
    unit = timedelta(**{_INTERVALS[interval]: 1})
    return int((second - first) / unit)


def _random_string(args: list[Any], ctx: _Context, pos: int) -> Any:
    length, digits, specials, capitals, lowers = (_to_int(a, "RandomString's counts", pos) for a in args[:5])
    avoid = set(to_text(args[5]) or "") if len(args) > 5 else set()
    if length < digits + specials + capitals + lowers or length > 256:
        raise ExpressionError("RandomString's Length must cover the minimums and be at most 256", pos)
    pools = [string.digits, "!@#$%^&*()-_=+[]{};:,.<>/?", string.ascii_uppercase, string.ascii_lowercase]
    pools = ["".join(c for c in pool if c not in avoid) for pool in pools]
    rng = random.SystemRandom()
    chars = [
        rng.choice(pool)
        for pool, count in zip(pools, (digits, specials, capitals, lowers), strict=True)
        for _ in range(count)
    ]
    everything = "".join(pools)
    chars += [rng.choice(everything) for _ in range(length - len(chars))]
    rng.shuffle(chars)
    return "".join(chars)


def _simple(transform: Callable[[str], Any]) -> Callable[[list[Any], _Context, int], Any]:
    return lambda args, ctx, pos: _each(args[0], transform)


def _pairs_check(count: int) -> str | None:
    return (
        None if count % 2 == 0 else "Switch takes source, defaultValue, then key/value pairs (an even count)"
    )


FUNCTIONS: dict[str, _Function] = {
    "Append": _Function(2, 2, _append),
    "BitAnd": _Function(
        2, 2, lambda a, c, p: _to_int(a[0], "BitAnd value", p) & _to_int(a[1], "BitAnd value", p)
    ),
    "CBool": _Function(1, 1, lambda a, c, p: to_bool(a[0])),
    "CDate": _Function(1, 1, _cdate),
    "Coalesce": _Function(1, None, _coalesce),
    "ConvertToBase64": _Function(1, 1, _simple(lambda s: base64.b64encode(s.encode("utf-16-le")).decode())),
    "ConvertToUTF8Hex": _Function(1, 1, _simple(lambda s: s.encode().hex().upper())),
    "Count": _Function(
        1, 1, lambda a, c, p: 0 if a[0] is None else len(a[0]) if isinstance(a[0], list) else 1
    ),
    "CStr": _Function(1, 1, lambda a, c, p: to_text(a[0])),
    "DateAdd": _Function(3, 3, _date_add),
    "DateDiff": _Function(3, 3, _date_diff),
    "DateFromNum": _Function(1, 1, _date_from_num),
    "FormatDateTime": _Function(4, 4, _format_date_time),
    "Guid": _Function(0, 0, lambda a, c, p: str(uuid.uuid4())),
    "IgnoreFlowIfNullOrEmpty": _Function(1, 1, lambda a, c, p: a[0] if a[0] not in (None, "", []) else None),
    "IIF": _Function(3, 3, _iif, lazy=True),
    "InStr": _Function(2, 4, _instr),
    "IsNull": _Function(1, 1, lambda a, c, p: a[0] is None),
    "IsNullOrEmpty": _Function(1, 1, lambda a, c, p: a[0] is None or a[0] == "" or a[0] == []),
    "IsPresent": _Function(1, 1, lambda a, c, p: not (a[0] is None or a[0] == "" or a[0] == [])),
    "IsString": _Function(1, 1, lambda a, c, p: isinstance(a[0], str)),
    "Item": _Function(2, 2, _item),
    "Join": _Function(2, None, _join),
    "Left": _Function(2, 2, _left),
    "Mid": _Function(3, 3, _mid),
    "NormalizeDiacritics": _Function(1, 1, _simple(_normalize_diacritics)),
    "Not": _Function(1, 1, lambda a, c, p: not to_bool(a[0])),
    "Now": _Function(0, 0, lambda a, c, p: _format_entra_datetime(c.now)),
    "NumFromDate": _Function(1, 1, _num_from_date),
    "PCase": _Function(1, 2, _pcase),
    "RandomString": _Function(5, 6, _random_string),
    "Redact": _Function(1, 1, lambda a, c, p: a[0]),
    "RemoveDuplicates": _Function(1, 1, _remove_duplicates),
    "Replace": _Function(3, 7, _replace),
    # Without a target directory to check uniqueness against, the first candidate with a value wins.
    "SelectUniqueValue": _Function(2, None, _coalesce),
    "Split": _Function(2, 2, _split),
    "StripSpaces": _Function(1, 1, _simple(lambda s: s.replace(" ", ""))),
    "Switch": _Function(4, None, _switch, check=_pairs_check),
    "ToLower": _Function(1, 2, _simple(str.lower)),
    "ToUpper": _Function(1, 2, _simple(str.upper)),
    # Not in Entra's function list; kept because mapping files written for other tools use it.
    "Trim": _Function(1, 1, _simple(str.strip)),
    "Word": _Function(3, 3, _word),
}
_UNSUPPORTED = {"AppRoleAssignmentsComplex", "SingleAppRoleAssignment", "AssertiveAppRoleAssignmentsComplex"}
_BY_FOLDED_NAME = {name.casefold(): name for name in FUNCTIONS}

_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "<>": lambda a, b: a != b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}


def _compare(op: str, left: Any, right: Any) -> bool:
    # A null operand fails the condition, as Entra's IIF documents.
    if left is None or right is None:
        return False
    if isinstance(left, datetime) or isinstance(right, datetime):
        return _COMPARISONS[op](_parse_any_datetime(left, 0), _parse_any_datetime(right, 0))
    # Ordering compares numbers as numbers ("10" > "9"); equality does so when either side is a number.
    if op not in ("=", "<>") or _is_number(left) or _is_number(right):
        try:
            return _COMPARISONS[op](float(to_text(left) or ""), float(to_text(right) or ""))
        except ValueError:
            pass
    return _COMPARISONS[op](to_text(left), to_text(right))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# -- parser ----------------------------------------------------------------------------------------------


def _lookup(name: str) -> Evaluator:
    folded = name.casefold()

    def attribute(source: Mapping[str, Any], ctx: _Context) -> Any:
        try:
            return source[name]
        except KeyError:
            # Entra matches attribute names case-insensitively ([UserPrincipalName] works).
            for key, value in source.items():
                if key.casefold() == folded:
                    return value
            return None

    return attribute


def _constant(value: Any) -> Evaluator:
    return lambda source, ctx: value


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.attributes: list[str] = []

    def error(self, message: str, position: int | None = None) -> ExpressionError:
        return ExpressionError(message, self.pos if position is None else position, self.text)

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self) -> str:
        self.skip_space()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def parse(self) -> Evaluator:
        if not self.text.strip():
            raise self.error("the expression is empty", 0)
        evaluator = self.expression()
        if self.peek():
            raise self.error(f"unexpected {self.text[self.pos]!r} after the end of the expression")
        return evaluator

    def expression(self) -> Evaluator:
        left = self.operand()
        self.skip_space()
        for op in (">=", "<=", "<>", "=", ">", "<"):
            if self.text.startswith(op, self.pos):
                self.pos += len(op)
                right = self.operand()
                return lambda s, c, op=op: _compare(op, left(s, c), right(s, c))
        return left

    def operand(self) -> Evaluator:
        char = self.peek()
        start = self.pos
        if not char:
            raise self.error("the expression ends where a value was expected")
        if char == "[":
            end = self.text.find("]", start + 1)
            if end < 0:
                raise self.error("unclosed '[': an attribute name needs a closing ']'", start)
            name = self.text[start + 1 : end].strip()
            if not name:
                raise self.error("empty attribute name '[]'", start)
            self.pos = end + 1
            if name not in self.attributes:
                self.attributes.append(name)
            return _lookup(name)
        if char == '"':
            return _constant(self.string_literal())
        if self.text.startswith("&H", start) or self.text.startswith("&h", start):
            match = re.compile(r"&[Hh]([0-9A-Fa-f]+)").match(self.text, start)
            if not match:
                raise self.error("'&H' must be followed by hexadecimal digits")
            self.pos = match.end()
            return _constant(int(match.group(1), 16))
        number = re.compile(r"-?\d+(\.\d+)?").match(self.text, start)
        if number:
            self.pos = number.end()
            return _constant(float(number.group(0)) if number.group(1) else int(number.group(0)))
        name_match = re.compile(r"[A-Za-z_]\w*").match(self.text, start)
        if not name_match:
            raise self.error(
                f'unexpected {char!r}: expected [attribute], "string", a number or Function(...)'
            )
        name = name_match.group(0)
        self.pos = name_match.end()
        if self.peek() != "(":
            if name in ("True", "False"):
                return _constant(name == "True")
            if name in ("vbTextCompare", "vbBinaryCompare"):
                return _constant(name)
            raise self.error(
                f"unknown name {name!r}: attributes go in square brackets ([{name}]), strings in quotes",
                start,
            )
        return self.call(name, start)

    def string_literal(self) -> str:
        start = self.pos
        self.pos += 1
        out = []
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char == "\\" and self.pos + 1 < len(self.text) and self.text[self.pos + 1] in '"\\':
                out.append(self.text[self.pos + 1])
                self.pos += 2
            elif char == '"':
                self.pos += 1
                return "".join(out)
            else:
                out.append(char)
                self.pos += 1
        raise self.error("unclosed string literal: a closing '\"' is missing", start)

    def call(self, name: str, start: int) -> Evaluator:
        function = FUNCTIONS.get(name)
        if function is None:
            if name in _UNSUPPORTED:
                raise self.error(f"function {name!r} is not supported by the simulator", start)
            hint = _BY_FOLDED_NAME.get(name.casefold())
            suggestion = f" (function names are case-sensitive: did you mean {hint}?)" if hint else ""
            raise self.error(f"unknown function {name!r}{suggestion}", start)
        self.pos += 1  # "("
        args: list[Evaluator] = []
        if self.peek() == ")":
            self.pos += 1
        else:
            while True:
                if self.peek() in (",", ")"):
                    args.append(_constant(None))  # an empty argument is null
                else:
                    args.append(self.expression())
                separator = self.peek()
                if separator == ",":
                    self.pos += 1
                    continue
                if separator == ")":
                    self.pos += 1
                    break
                if not separator:
                    raise self.error(f"unclosed '(' of {name}: a closing ')' is missing", start + len(name))
                raise self.error(f"expected ',' or ')' in the arguments of {name}, found {separator!r}")
        count = len(args)
        if count < function.min_args or (function.max_args is not None and count > function.max_args):
            expected = (
                str(function.min_args)
                if function.max_args == function.min_args
                else f"at least {function.min_args}"
                if function.max_args is None
                else f"{function.min_args} to {function.max_args}"
            )
            raise self.error(f"{name} takes {expected} argument(s), got {count}", start)
        if function.check is not None and (problem := function.check(count)):
            raise self.error(problem, start)
        return self.bind(function, args, start)

    @staticmethod
    def bind(function: _Function, args: list[Evaluator], position: int) -> Evaluator:
        impl = function.impl
        if function.lazy:
            return lambda source, ctx: impl(args, source, ctx, position)
        if len(args) == 1:
            only = args[0]
            return lambda source, ctx: impl([only(source, ctx)], ctx, position)
        return lambda source, ctx: impl([arg(source, ctx) for arg in args], ctx, position)


@dataclass(frozen=True)
class Expression:
    """A parsed expression; evaluate it against a source object's attributes."""

    text: str
    attributes: tuple[str, ...]
    _evaluator: Evaluator = field(repr=False, compare=False)

    def evaluate(self, source: Mapping[str, Any], *, now: datetime | None = None) -> Any:
        return self._evaluator(source, _Context(now))

    @property
    def direct_attribute(self) -> str | None:
        """The attribute name when the whole expression is just [attribute]."""
        stripped = self.text.strip()
        if stripped.startswith("[") and stripped.endswith("]") and stripped.count("[") == 1:
            return stripped[1:-1].strip()
        return None


def parse(text: str) -> Expression:
    if not isinstance(text, str):
        raise ExpressionError(f"an expression must be text, not {type(text).__name__}", 0)
    parser = _Parser(text)
    evaluator = parser.parse()
    return Expression(text=text, attributes=tuple(parser.attributes), _evaluator=evaluator)


def function_names() -> Sequence[str]:
    return sorted(FUNCTIONS)
