"""Single-file HTML report with Allure 3 (npm `allure`, from the project's node_modules), offline."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from scim_harness.common.errors import HarnessError

REPORT_NAME = "Kintone SCIM provisioning conformance"
GENERATE_TIMEOUT_S = 300
_REPO_ROOT = Path(__file__).resolve().parents[2]

# Allure 3.18's awesome template always adds Google Analytics (no option turns it off). The report is meant to
# be opened offline and may describe a customer's tenant, so the tag and its inline set-up are cut out.
_ANALYTICS = re.compile(
    r"<script async src=\"https://www\.googletagmanager\.com/[^\"]*\"></script>\s*"
    r"<script>\s*window\.dataLayer[\s\S]*?</script>\s*"
)


def _warn(message: str) -> None:
    print(f"report: {message}", file=sys.stderr)


ALLURE_ENV = "SCIM_HARNESS_ALLURE"


def find_allure(start: Path | None = None) -> Path | None:
    """$SCIM_HARNESS_ALLURE; else node_modules/.bin/allure in the working directory or a parent of it; else
    `allure` on PATH (an installed wheel has no node_modules of its own); else the checkout's node_modules."""
    named = os.environ.get(ALLURE_ENV)
    if named:
        return Path(named) if Path(named).exists() else None
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / "node_modules" / ".bin" / "allure"
        if candidate.exists():
            return candidate
    on_path = shutil.which("allure")
    if on_path:
        return Path(on_path)
    candidate = _REPO_ROOT / "node_modules" / ".bin" / "allure"
    return candidate if candidate.exists() else None


def html_unavailable_reason() -> str | None:
    """Why the HTML report cannot be built here, or None when it can."""
    if shutil.which("node") is None:
        return "Node.js is not installed, so the HTML report is skipped (scripts/bootstrap.sh installs it)"
    if find_allure() is None:
        return "Allure 3 is not installed (no node_modules/.bin/allure): run `npm ci` or scripts/bootstrap.sh"
    return None


HISTORY_LIMIT = 20
"""Runs kept in the history file (Allure's `historyLimit`): enough for a trend, bounded in size."""


def allure_config(
    output: Path, report_name: str = REPORT_NAME, history: Path | None = None, *, append_history: bool = True
) -> str:
    """An allurerc.mjs for one offline, single-file report (plain object: no import, loads from anywhere).
    With `history` (Allure 3's JSONL history file) the report shows each test's history and the trend, and
    this run is appended to the file unless `append_history` is off (a rebuild of an earlier run)."""
    config: dict[str, object] = {
        "name": report_name,
        "output": str(output),
        "plugins": {
            "awesome": {
                "options": {
                    "reportName": report_name,
                    "singleFile": True,
                    "reportLanguage": "en",
                    "groupBy": ["parentSuite", "suite"],
                },
            },
        },
    }
    if history is not None:
        config.update(historyPath=str(history), historyLimit=HISTORY_LIMIT, appendHistory=append_history)
    return f"export default {json.dumps(config, indent=2)};\n"


def build_html(
    results_dir: Path,
    report_dir: Path,
    *,
    report_name: str = REPORT_NAME,
    warn: Callable[[str], None] = _warn,
    history: Path | None = None,
    append_history: bool = True,
) -> Path | None:
    """Builds `report_dir/index.html` from Allure results; returns its path, or None (after `warn`) if
    Node.js or Allure 3 is missing. `history`: see `allure_config`.

    Raises HarnessError when there are no results or Allure itself fails.
    """
    results_dir, report_dir = Path(results_dir).resolve(), Path(report_dir).resolve()
    if not results_dir.is_dir() or not any(results_dir.glob("*-result.json")):
        raise HarnessError(f"no Allure results in {results_dir}: run `scim-harness run` first")
    reason = html_unavailable_reason()
    if reason is not None:
        warn(reason)
        return None
    allure, node = find_allure(), shutil.which("node")
    assert allure is not None and node is not None

    report_dir.mkdir(parents=True, exist_ok=True)
    # Allure writes into a scratch directory next to the report; only index.html is moved into place, so no
    # directory of the user's is ever emptied.
    with tempfile.TemporaryDirectory(prefix=".allure-", dir=report_dir.parent) as scratch:
        scratch_dir = Path(scratch)
        output = scratch_dir / "out"
        config = scratch_dir / "allurerc.mjs"
        config.write_text(
            allure_config(
                output,
                report_name,
                Path(history).resolve() if history is not None else None,
                append_history=append_history,
            ),
            encoding="utf-8",
        )
        command = [
            node,
            str(allure),
            "generate",
            "--config",
            str(config),
            "--output",
            str(output),
            str(results_dir),
        ]
        try:
            done = subprocess.run(
                command,
                cwd=scratch_dir,
                capture_output=True,
                text=True,
                timeout=GENERATE_TIMEOUT_S,
                env={**os.environ, "NO_COLOR": "1"},
            )
        except subprocess.TimeoutExpired:
            raise HarnessError(f"Allure did not finish within {GENERATE_TIMEOUT_S} s") from None
        built = next(iter(sorted(output.rglob("index.html"), key=lambda p: len(p.parts))), None)
        if done.returncode != 0 or built is None:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-5:])
            raise HarnessError(f"Allure could not build the report (exit {done.returncode}): {tail}")
        cleaned = scratch_dir / "index.html"
        cleaned.write_text(_ANALYTICS.sub("", built.read_text(encoding="utf-8")), encoding="utf-8")
        target = report_dir / "index.html"
        os.replace(cleaned, target)
    return target
