"""Safety net over the Allure results directory: no file keeps a known secret after the run."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path

from scim_harness.common.redact import Redactor


def _rewrite(path: Path, text: str) -> None:
    # Written aside then renamed over, so a reader (Allure, another xdist worker) never sees half a file.
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _redact_file(path: Path, redactor: Redactor) -> bool:
    try:
        original = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return False  # binary attachments (screenshots) are not ours to rewrite
    # Redactor.body reads JSON as JSON: escaped secrets are matched and the file stays valid.
    redacted = redactor.body(original)
    if redacted == original:
        return False
    _rewrite(path, redacted)
    return True


def redact_results_dir(results_dir: Path, secrets: Iterable[str]) -> list[Path]:
    """Rewrites every text file of `results_dir` that contains a known secret; returns those files.

    Catches what redaction at the source could miss, such as a step argument that allure-pytest-bdd recorded
    as a parameter. JSON files are redacted through JSON (so they stay valid, and credential members go too).
    """
    redactor = Redactor(secrets)
    if not redactor.secrets or not results_dir.is_dir():
        return []
    return [
        path for path in sorted(results_dir.rglob("*")) if path.is_file() and _redact_file(path, redactor)
    ]
