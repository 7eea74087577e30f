"""The single-file HTML report renders in a real headless Chromium, offline: names and counts are visible."""

from __future__ import annotations

import html
import os
import re
import subprocess
from pathlib import Path

import pytest

from scim_harness.reporting import REPORT_NAME
from tests.reports.chromium import HEADLESS, chromium_binary
from tests.reports.conftest import SampleRun
from tests.reports.test_reports import CREATED, FAILING


def _chromium() -> str:
    if path := chromium_binary():
        return path
    pytest.fail(
        "Debian's chromium is required to check that the HTML report renders and was not found on PATH; "
        "install it with `apt-get install chromium` (scripts/bootstrap.sh --browser does)"
    )


def _rendered_text(page: Path, profile: Path) -> str:
    """The page's text after its JavaScript has run (the report is rendered client-side)."""
    done = subprocess.run(
        [
            _chromium(),
            *HEADLESS,
            "--disable-quic",
            "--disable-crash-reporter",
            f"--user-data-dir={profile}",
            "--virtual-time-budget=15000",
            "--dump-dom",
            page.as_uri(),
        ],
        # Its own HOME too: Chromium writes crash-report and dconf files there despite --user-data-dir.
        env={**os.environ, "HOME": str(profile)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    dom = re.sub(r"<(script|style)\b.*?</\1>", " ", done.stdout, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", dom)))


def test_report_renders_names_counts_and_environment(sample_run: SampleRun, tmp_path: Path) -> None:
    # One test, one browser run: Chromium is the slow part, and xdist would split tests across workers.
    assert sample_run.html is not None, "Node and Allure 3 are needed to build the report"
    rendered = _rendered_text(sample_run.html, tmp_path / "chromium-profile")

    assert REPORT_NAME in rendered
    # The tree opens the group holding a failure; the all-green/skipped group stays folded under its title.
    for text in ("Kintone rules", "Adding a user", CREATED, FAILING, "SCIM protocol"):
        assert text in rendered, f"{text!r} is not visible in the rendered report"
    assert re.search(r"Total 5 Failed 1 Passed 2 Skipped 2", rendered), rendered[:1500]
    assert "mitmproxy 12.3.1" in rendered
    assert "target sample" in rendered


def test_report_is_offline(sample_run: SampleRun) -> None:
    assert sample_run.html is not None
    text = sample_run.html.read_text()
    assert "googletagmanager" not in text
    assert not re.search(r"""<script[^>]+src=["']https?://""", text), "no script may load from the network"
