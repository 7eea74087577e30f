"""build_html's edges: no Node, no results, and the generated Allure configuration."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from scim_harness.common.errors import HarnessError
from scim_harness.reporting import REPORT_NAME, build_html, html_unavailable_reason
from scim_harness.reporting.html import allure_config, find_allure
from tests.reports.conftest import SampleRun


def test_without_node_returns_none_with_a_clear_message(
    sample_run: SampleRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH with no node on it
    messages: list[str] = []
    assert build_html(sample_run.results, tmp_path / "report", warn=messages.append) is None
    assert messages == [html_unavailable_reason()]
    assert "Node.js is not installed" in messages[0]
    assert not (tmp_path / "report" / "index.html").exists()


def test_without_results_is_a_readable_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    for results in (tmp_path / "missing", tmp_path / "empty"):
        with pytest.raises(HarnessError, match="no Allure results"):
            build_html(results, tmp_path / "report")


def test_allure_is_found_from_the_repository_root_even_elsewhere(tmp_path: Path) -> None:
    found = find_allure(tmp_path)
    assert found is not None and found.parts[-3:] == ("node_modules", ".bin", "allure")


def test_generated_config_asks_for_one_offline_file() -> None:
    text = allure_config(Path("/tmp/out"))
    body = json.loads(re.fullmatch(r"export default (.*);\n", text, flags=re.S).group(1))
    assert body["name"] == REPORT_NAME
    assert body["output"] == "/tmp/out"
    assert body["plugins"]["awesome"]["options"]["singleFile"] is True
    assert body["plugins"]["awesome"]["options"]["reportName"] == REPORT_NAME
