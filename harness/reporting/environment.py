"""Allure's environment.properties: what ran against what, with which versions."""

from __future__ import annotations

import platform
import re
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path

from scim_harness.common.redact import Redactor

FILE_NAME = "environment.properties"


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def default_environment() -> dict[str, str]:
    return {
        "scim-harness": _version("scim-harness"),
        "python": platform.python_version(),
        "mitmproxy": _version("mitmproxy"),
        "pytest-bdd": _version("pytest-bdd"),
        "allure-pytest-bdd": _version("allure-pytest-bdd"),
        "platform": platform.platform(terse=True),
    }


def _escape(text: str, *, key: bool = False) -> str:
    # java.util.Properties syntax: backslash escapes, no line break inside a value, no separator inside a key.
    text = text.replace("\\", "\\\\").replace("\n", "\\n")
    return text.replace("=", "\\=").replace(":", "\\:") if key else text


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def read_environment(path: Path) -> dict[str, str]:
    entries: dict[str, str] = {}
    if not path.exists():
        return entries
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith(("#", "!")):
            continue
        key, _, value = line.partition("=")
        entries[_unescape(key.strip())] = _unescape(value.strip())
    return entries


def write_environment(
    results_dir: Path, explicit: Mapping[str, str], redactor: Redactor | None = None
) -> Path:
    """Merges into the file: defaults < what is there already (another xdist worker) < `explicit`."""
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / FILE_NAME
    merged = {**default_environment(), **read_environment(path), **{k: str(v) for k, v in explicit.items()}}
    redact = redactor.text if redactor else str
    text = "".join(f"{_escape(key, key=True)}={_escape(redact(value))}\n" for key, value in merged.items())
    path.write_text(text, encoding="utf-8")
    return path
