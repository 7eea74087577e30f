"""What a client sends, checked before it is used: the classes of hostile input behind the 500s a fuzz found.

One place for each class, so every surface (SCIM, the User API copy, /_emulator) refuses it the same way:

- Numbers in paths and queries: `str.isdigit()` takes Unicode digits ("²", "٣") that `int()` refuses, and
  SQLite stores integers in 64 bits (a larger Python int raises OverflowError when bound). `sql_int` takes
  ASCII digits that fit.
- JSON: Python's `json` takes `NaN`, `Infinity` and `1e400` (a float that is infinite), lone UTF-16 surrogates
  (`"\\ud800"`, or their three UTF-8-like bytes, which it decodes with "surrogatepass"; no UTF-8 writer,
  SQLite included, can encode them), and raises RecursionError on deep nesting. `load_json` refuses all
  four with one line; the cheap checks (a bracket count, a regular expression over the bytes) run first,
  so an ordinary body costs a few microseconds more.
- Text: `lone_surrogate` finds a surrogate that came in through an escape (a filter's `"\\ud800"`).

Hand-written because the libraries each guard a part (pydantic-core refuses surrogates in a model, sqlite3
raises on them) and the point is that none of these reaches a library that answers 500.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

SQL_INT_MAX = 2**63 - 1
"""The largest integer SQLite stores (a signed 64-bit INTEGER)."""
MAX_JSON_DEPTH = 32
"""The deepest nesting of arrays and objects a body may have. A SCIM User nests three levels
(User > emails > element), a PATCH four; 32 leaves room for any real client and keeps every recursive walk
over a body (ours and the libraries') far from Python's recursion limit."""

_DIGITS = re.compile(r"[0-9]{1,19}")
# A \u escape of a UTF-16 surrogate (D800-DFFF); JSON escapes are case-insensitive in their hex digits.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")


class InputError(ValueError):
    """A request part refused, with the one line the client is answered with."""


def sql_int(text: str) -> int | None:
    """The number `text` spells in ASCII digits, if it fits SQLite's INTEGER; else None."""
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if value <= SQL_INT_MAX else None


def clamp_sql_int(value: int) -> int:
    """A count or offset a client asked for, brought within what SQLite can bind (a page past the end is
    empty either way)."""
    return max(0, min(value, SQL_INT_MAX))


def lone_surrogate(text: str) -> bool:
    """Whether a decoded string holds a UTF-16 surrogate code point (which cannot be written as UTF-8)."""
    return not text.isascii() and _SURROGATE.search(text) is not None


def _no_constant(name: str) -> Any:
    raise InputError(f"{name} is not a JSON value.")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise InputError("The JSON body holds a number too large to represent.")
    return value


def _depth_and_text_problem(value: Any) -> str | None:
    """Too deep or a lone surrogate, found without recursion (a deep value must not
    raise RecursionError here either)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            if depth > MAX_JSON_DEPTH:
                return f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels."
            for key, child in item.items():
                if lone_surrogate(key):
                    return "The JSON body holds a lone UTF-16 surrogate (\\ud800-\\udfff)."
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            if depth > MAX_JSON_DEPTH:
                return f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels."
            stack.extend((child, depth + 1) for child in item)
        elif isinstance(item, str) and lone_surrogate(item):
            return "The JSON body holds a lone UTF-16 surrogate (\\ud800-\\udfff)."
    return None


def load_json(body: bytes) -> Any:
    """The body as JSON. InputError for a hostile body (too deep, a lone surrogate, NaN or Infinity, a number
    beyond a double or of more than 4,300 digits); ValueError (json.JSONDecodeError, UnicodeDecodeError)
    for a body that is not JSON."""
    # Strict UTF-8 (RFC 8259 §8.1) first: json.loads decodes bytes with "surrogatepass", which lets the
    # three-byte forms of surrogates (CESU-8) through as lone surrogates.
    text = body.decode("utf-8")
    try:
        value = json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)
    except RecursionError as exc:
        raise InputError(f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels.") from exc
    except ValueError as exc:
        if isinstance(exc, InputError):
            raise
        # Python refuses integers of more than 4,300 digits with a ValueError naming its own limit.
        if "digits" in str(exc) and "limit" in str(exc):
            raise InputError("The JSON body holds a number too large to represent.") from exc
        raise
    if needs_walk(body):
        problem = _depth_and_text_problem(value)
        if problem is not None:
            raise InputError(problem)
    return value


def needs_walk(body: bytes) -> bool:
    """Whether a body could hold what load_json walks for: a surrogate escape, or more brackets than the
    depth limit (so possibly deeper nesting). The common body has neither, and costs two byte counts and
    one search."""
    return body.count(b"[") + body.count(b"{") > MAX_JSON_DEPTH or _SURROGATE_ESCAPE.search(body) is not None
