"""The function library of Entra's expression language (Microsoft Learn, "Reference for writing expressions
for attribute mappings"): each function's arity and implementation, and the comparison operators.

Function names are case-sensitive, as in Entra. An implementation takes (argument values, context, position
of the call); a `lazy` one (IIF) takes the argument evaluators instead, so only the branch taken runs.
"""

from __future__ import annotations

import base64
import random
import re
import string
import unicodedata
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scim_harness.simulator.expr_dates import (
    cdate,
    date_add,
    date_diff,
    date_from_num,
    format_date_time,
    num_from_date,
    parse_any_datetime,
)
from scim_harness.simulator.expr_values import (
    EvalContext,
    Evaluator,
    ExpressionError,
    each,
    format_entra_datetime,
    to_bool,
    to_int,
    to_text,
)


@dataclass(frozen=True)
class FunctionSpec:
    min_args: int
    max_args: int | None
    # (argument values, context, position of the call) -> value; `lazy` functions get evaluators instead.
    impl: Callable[..., Any]
    lazy: bool = False
    check: Callable[[int], str | None] | None = None


def _switch(args: list[Any], ctx: EvalContext, pos: int) -> Any:
    source = to_text(args[0]) or ""
    for i in range(2, len(args) - 1, 2):
        if source == (to_text(args[i]) or ""):
            return args[i + 1]
    return args[1]


def _iif(args: list[Evaluator], src: Mapping[str, Any], ctx: EvalContext, pos: int) -> Any:
    return args[1](src, ctx) if to_bool(args[0](src, ctx)) else args[2](src, ctx)


def _coalesce(args: list[Any], ctx: EvalContext, pos: int) -> Any:
    for value in args:
        if value is not None:
            return value
    return None


def _join(args: list[Any], ctx: EvalContext, pos: int) -> Any:
    separator = to_text(args[0]) or ""
    parts: list[str] = []
    for value in args[1:]:
        values = value if isinstance(value, list | tuple) else [value]
        parts.extend(t for t in (to_text(v) for v in values) if t)
    return separator.join(parts)


def _append(args: list[Any], ctx: EvalContext, pos: int) -> Any:
    suffix = to_text(args[1]) or ""
    return each(args[0], lambda s: s + suffix) if args[0] is not None else suffix or None


def _left(args: list[Any], ctx: EvalContext, pos: int) -> Any:
    text = to_text(args[0])
    count = to_int(args[1], "Left's NumChars", pos)
    if text is None:
        return ""
    return text if count < 0 else text[:count]


def _mid(args: list[Any], ctx: EvalContext, pos: int) -> Any:
    text = to_text(args[0])
    start = to_int(args[1], "Mid's start", pos)
    length = to_int(args[2], "Mid's length", pos)
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


def _replace(args: list[Any], ctx: EvalContext, pos: int) -> Any:
    args = args + [None] * (7 - len(args))
    source, old, pattern, group, replacement, replacement_attr, template = args
    old_text, pattern_text = to_text(old), to_text(pattern)
    replacement_text, template_text = to_text(replacement), to_text(template)
    if old_text is not None and template_text is not None:
        return template_text.replace(old_text, to_text(source) or "")
    if old_text is not None:
        if not old_text:
            return source
        return each(source, lambda s: s.replace(old_text, replacement_text or ""))
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

        return each(source, replace_group)
    return each(source, lambda s: regex.sub(_dotnet_replacement(replacement_text or ""), s))


def _word(args: list[Any], ctx: EvalContext, pos: int) -> Any:
    text = to_text(args[0])
    number = to_int(args[1], "Word's WordNumber", pos)
    delimiters = to_text(args[2]) or ""
    if text is None or number < 1:
        return ""
    words = [w for w in re.split("[" + re.escape(delimiters) + "]", text) if w] if delimiters else [text]
    return words[number - 1] if number <= len(words) else ""


def _split(args: list[Any], ctx: EvalContext, pos: int) -> Any:
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


def _pcase(args: list[Any], ctx: EvalContext, pos: int) -> Any:
    separators = to_text(args[1]) if len(args) > 1 else None

    def proper(text: str) -> str:
        if separators is None:
            return re.sub(r"[^\W_]+", lambda m: m.group(0)[:1].upper() + m.group(0)[1:].lower(), text)
        out, start = [], True
        for char in text:
            out.append(char.upper() if start else char.lower())
            start = char in separators
        return "".join(out)

    return each(args[0], proper)


def _instr(args: list[Any], ctx: EvalContext, pos: int) -> Any:
    haystack, needle = to_text(args[0]), to_text(args[1])
    start = to_int(args[2], "InStr's start", pos) if len(args) > 2 and args[2] is not None else 1
    if haystack is None or needle is None:
        return None
    if len(args) > 3 and to_text(args[3]) == "vbTextCompare":
        haystack, needle = haystack.casefold(), needle.casefold()
    return haystack.find(needle, max(start, 1) - 1) + 1


def _item(args: list[Any], ctx: EvalContext, pos: int) -> Any:
    values = args[0] if isinstance(args[0], list | tuple) else ([] if args[0] is None else [args[0]])
    index = to_int(args[1], "Item's index", pos)
    return values[index - 1] if 1 <= index <= len(values) else None


def _remove_duplicates(args: list[Any], ctx: EvalContext, pos: int) -> Any:
    values = args[0]
    if not isinstance(values, list | tuple):
        return values
    return list(dict.fromkeys(values))


def _random_string(args: list[Any], ctx: EvalContext, pos: int) -> Any:
    length, digits, specials, capitals, lowers = (to_int(a, "RandomString's counts", pos) for a in args[:5])
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


def _simple(transform: Callable[[str], Any]) -> Callable[[list[Any], EvalContext, int], Any]:
    return lambda args, ctx, pos: each(args[0], transform)


def _pairs_check(count: int) -> str | None:
    return (
        None if count % 2 == 0 else "Switch takes source, defaultValue, then key/value pairs (an even count)"
    )


FUNCTIONS: dict[str, FunctionSpec] = {
    "Append": FunctionSpec(2, 2, _append),
    "BitAnd": FunctionSpec(
        2, 2, lambda a, c, p: to_int(a[0], "BitAnd value", p) & to_int(a[1], "BitAnd value", p)
    ),
    "CBool": FunctionSpec(1, 1, lambda a, c, p: to_bool(a[0])),
    "CDate": FunctionSpec(1, 1, cdate),
    "Coalesce": FunctionSpec(1, None, _coalesce),
    "ConvertToBase64": FunctionSpec(
        1, 1, _simple(lambda s: base64.b64encode(s.encode("utf-16-le")).decode())
    ),
    "ConvertToUTF8Hex": FunctionSpec(1, 1, _simple(lambda s: s.encode().hex().upper())),
    "Count": FunctionSpec(
        1, 1, lambda a, c, p: 0 if a[0] is None else len(a[0]) if isinstance(a[0], list) else 1
    ),
    "CStr": FunctionSpec(1, 1, lambda a, c, p: to_text(a[0])),
    "DateAdd": FunctionSpec(3, 3, date_add),
    "DateDiff": FunctionSpec(3, 3, date_diff),
    "DateFromNum": FunctionSpec(1, 1, date_from_num),
    "FormatDateTime": FunctionSpec(4, 4, format_date_time),
    "Guid": FunctionSpec(0, 0, lambda a, c, p: str(uuid.uuid4())),
    "IgnoreFlowIfNullOrEmpty": FunctionSpec(
        1, 1, lambda a, c, p: a[0] if a[0] not in (None, "", []) else None
    ),
    "IIF": FunctionSpec(3, 3, _iif, lazy=True),
    "InStr": FunctionSpec(2, 4, _instr),
    "IsNull": FunctionSpec(1, 1, lambda a, c, p: a[0] is None),
    "IsNullOrEmpty": FunctionSpec(1, 1, lambda a, c, p: a[0] is None or a[0] == "" or a[0] == []),
    "IsPresent": FunctionSpec(1, 1, lambda a, c, p: not (a[0] is None or a[0] == "" or a[0] == [])),
    "IsString": FunctionSpec(1, 1, lambda a, c, p: isinstance(a[0], str)),
    "Item": FunctionSpec(2, 2, _item),
    "Join": FunctionSpec(2, None, _join),
    "Left": FunctionSpec(2, 2, _left),
    "Mid": FunctionSpec(3, 3, _mid),
    "NormalizeDiacritics": FunctionSpec(1, 1, _simple(_normalize_diacritics)),
    "Not": FunctionSpec(1, 1, lambda a, c, p: not to_bool(a[0])),
    "Now": FunctionSpec(0, 0, lambda a, c, p: format_entra_datetime(c.now)),
    "NumFromDate": FunctionSpec(1, 1, num_from_date),
    "PCase": FunctionSpec(1, 2, _pcase),
    "RandomString": FunctionSpec(5, 6, _random_string),
    "Redact": FunctionSpec(1, 1, lambda a, c, p: a[0]),
    "RemoveDuplicates": FunctionSpec(1, 1, _remove_duplicates),
    "Replace": FunctionSpec(3, 7, _replace),
    # Without a target directory to check uniqueness against, the first candidate with a value wins.
    "SelectUniqueValue": FunctionSpec(2, None, _coalesce),
    "Split": FunctionSpec(2, 2, _split),
    "StripSpaces": FunctionSpec(1, 1, _simple(lambda s: s.replace(" ", ""))),
    "Switch": FunctionSpec(4, None, _switch, check=_pairs_check),
    "ToLower": FunctionSpec(1, 2, _simple(str.lower)),
    "ToUpper": FunctionSpec(1, 2, _simple(str.upper)),
    # Not in Entra's function list; kept because mapping files written for other tools use it.
    "Trim": FunctionSpec(1, 1, _simple(str.strip)),
    "Word": FunctionSpec(3, 3, _word),
}
UNSUPPORTED = {"AppRoleAssignmentsComplex", "SingleAppRoleAssignment", "AssertiveAppRoleAssignmentsComplex"}
BY_FOLDED_NAME = {name.casefold(): name for name in FUNCTIONS}

COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: a == b,
    "<>": lambda a, b: a != b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
}


def compare(op: str, left: Any, right: Any) -> bool:
    # A null operand fails the condition, as Entra's IIF documents.
    if left is None or right is None:
        return False
    if isinstance(left, datetime) or isinstance(right, datetime):
        return COMPARISONS[op](parse_any_datetime(left, 0), parse_any_datetime(right, 0))
    # Ordering compares numbers as numbers ("10" > "9"); equality does so when either side is a number.
    if op not in ("=", "<>") or is_number(left) or is_number(right):
        try:
            return COMPARISONS[op](float(to_text(left) or ""), float(to_text(right) or ""))
        except ValueError:
            pass
    return COMPARISONS[op](to_text(left), to_text(right))


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
