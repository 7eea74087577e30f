"""Reading the simulator's input files (tenant, mappings, token) so that a hostile file gets one clear line.

Every file is bounded in size before it is read, must be UTF-8 text, and must be JSON that Python can hold:
nesting deeper than the parser can follow, and NaN or Infinity (which JSON does not have), are refused with a
message instead of a traceback. Callers wrap `InputFileError` in their own error type.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

MB = 1024 * 1024


class InputFileError(ValueError):
    """A file that cannot be used, with a one-line reason that names it."""


def read_text(path: str | Path, what: str, max_bytes: int) -> str:
    """The file's text: at most `max_bytes`, a regular file, UTF-8 (a leading byte-order mark is dropped)."""
    path = Path(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise InputFileError(f"{what} {path} is not a regular file")
        if info.st_size > max_bytes:
            raise InputFileError(f"{what} {path} is larger than {_size(max_bytes)} ({_size(info.st_size)})")
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise InputFileError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    if len(data) > max_bytes:  # it grew while we looked
        raise InputFileError(f"{what} {path} is larger than {_size(max_bytes)}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputFileError(
            f"{what} {path} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None


def parse_json(text: str, where: str) -> Any:
    """JSON text as Python values, or InputFileError naming `where` and the fault."""
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise InputFileError(f"{where} is not valid JSON: {exc}") from None
    except RecursionError:
        raise InputFileError(f"{where} nests JSON values too deeply to be read") from None
    except ValueError as exc:  # NaN, Infinity
        raise InputFileError(f"{where}: {exc}") from None


def read_json(path: str | Path, what: str, max_bytes: int) -> Any:
    return parse_json(read_text(path, what, max_bytes), f"{what} {path}")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _size(count: int) -> str:
    return f"{count / MB:.1f} MB" if count >= MB else f"{count:,} bytes"
