"""How the emulator writes times and versions (meta.created, meta.lastModified, meta.version)."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def version_tag(version: int) -> str:
    """A stored version as meta.version shows it (a weak ETag)."""
    return f'W/"{version}"'


def version_number(tag: str | None) -> int | None:
    """The stored version a `W/"n"` tag names; None for no tag or another form."""
    if not tag:
        return None
    digits = tag.removeprefix("W/").strip('"')
    return int(digits) if digits.isascii() and digits.isdigit() and len(digits) < 19 else None
