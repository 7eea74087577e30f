"""Dates in Entra's expression language: .NET custom date/time formats and the date functions.

FormatDateTime takes .NET format strings (`yyyyMMddHHmmss.fZ`, `M/d/yyyy h:mm:ss tt`...), which Python's
strptime cannot read as they are, so the format is split into .NET specifiers here and parsed with a regular
expression built from them. DateAdd, DateDiff, DateFromNum, NumFromDate and CDate live here too.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from scim_harness.simulator.expr_values import EvalContext, ExpressionError, to_int, to_text


def parse_any_datetime(value: Any, position: int) -> datetime:
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


def parse_dotnet(text: str, fmt: str, position: int) -> datetime:
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


def format_dotnet(moment: datetime, fmt: str) -> str:
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


# -- date functions ---------------------------------------------------------------------------------------


def date_from_num(args: list[Any], ctx: EvalContext, pos: int) -> Any:
    if args[0] is None:
        return None
    ticks = to_int(args[0], "DateFromNum's value", pos)
    # Active Directory dates count 100-nanosecond intervals since 1601-01-01 UTC.
    return datetime(1601, 1, 1, tzinfo=UTC) + timedelta(microseconds=ticks // 10)


def num_from_date(args: list[Any], ctx: EvalContext, pos: int) -> Any:
    if args[0] is None:
        return None
    moment = parse_any_datetime(args[0], pos)
    return (moment - datetime(1601, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1) * 10


def format_date_time(args: list[Any], ctx: EvalContext, pos: int) -> Any:
    source = to_text(args[0])
    if source is None:
        return None
    input_format, output_format = to_text(args[2]), to_text(args[3])
    if not input_format or not output_format:
        raise ExpressionError("FormatDateTime needs inputFormat and outputFormat", pos)
    return format_dotnet(parse_dotnet(source, input_format, pos), output_format)


def cdate(args: list[Any], ctx: EvalContext, pos: int) -> Any:
    return None if args[0] is None else parse_any_datetime(args[0], pos)


INTERVALS = {
    "yyyy": "years",
    "m": "months",
    "d": "days",
    "ww": "weeks",
    "h": "hours",
    "n": "minutes",
    "s": "seconds",
}


def add_months(moment: datetime, months: int) -> datetime:
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


def date_add(args: list[Any], ctx: EvalContext, pos: int) -> Any:
    interval = to_text(args[0]) or ""
    if interval not in INTERVALS:
        raise ExpressionError(
            f"DateAdd interval must be one of {', '.join(INTERVALS)}, not {interval!r}", pos
        )
    amount = to_int(args[1], "DateAdd's value", pos)
    moment = parse_any_datetime(args[2], pos)
    if interval in ("yyyy", "m"):
        return add_months(moment, amount * (12 if interval == "yyyy" else 1))
    return moment + timedelta(**{INTERVALS[interval]: amount})


def date_diff(args: list[Any], ctx: EvalContext, pos: int) -> Any:
    interval = to_text(args[0]) or ""
    if interval not in INTERVALS:
        raise ExpressionError(
            f"DateDiff interval must be one of {', '.join(INTERVALS)}, not {interval!r}", pos
        )
    first, second = parse_any_datetime(args[1], pos), parse_any_datetime(args[2], pos)
    if interval == "yyyy":
        return second.year - first.year
    if interval == "m":
        return (second.year - first.year) * 12 + second.month - first.month
    unit = timedelta(**{INTERVALS[interval]: 1})
    return int((second - first) / unit)
