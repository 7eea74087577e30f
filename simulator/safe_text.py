"""A target's text made safe before it reaches a terminal, a log line or a report.

A SCIM target is not trusted: its error bodies may carry terminal escape sequences, carriage returns that
overwrite a line, bidi overrides that reverse what is read, or megabytes of text. Everything the simulator
shows of a target's answer goes through `printable`: one line, bounded, with every control and format
character shown as a visible escape instead of acting on the terminal.
"""

from __future__ import annotations

import unicodedata

ELLIPSIS = "…"


def printable(text: str, limit: int = 500) -> str:
    """`text` as one safe line of at most `limit` characters (control characters escaped, not executed)."""
    out: list[str] = []
    size = 0
    for char in text:
        piece = _escape(char)
        size += len(piece)
        if size > limit:
            out.append(ELLIPSIS)
            break
        out.append(piece)
    return "".join(out)


def _escape(char: str) -> str:
    if char in "\n\r\t":
        return " "
    code = ord(char)
    if code < 0x20 or code == 0x7F or 0x80 <= code <= 0x9F:
        return f"\\x{code:02x}"
    if char.isprintable() or char == " ":
        return char
    # Format (bidi overrides, zero-width), surrogate, private-use and unassigned characters.
    category = unicodedata.category(char)
    if category in ("Zs",):
        return " "
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
