"""The post-run safety net over the Allure results directory."""

from __future__ import annotations

import json
from pathlib import Path

from scim_harness.common.redact import REDACTED
from scim_harness.reporting import redact_results_dir

TOKEN = "tok-0123456789abcdef"


def test_rewrites_only_files_that_hold_a_secret_and_keeps_json_valid(tmp_path: Path) -> None:
    result = {"name": "scenario", "steps": [{"parameters": [{"name": "token", "value": f"'{TOKEN}'"}]}]}
    (tmp_path / "a-result.json").write_text(json.dumps(result))
    (tmp_path / "b-attachment.txt").write_text(f"Authorization: Bearer {TOKEN}\n")
    (tmp_path / "c-result.json").write_text(json.dumps({"name": "clean"}))
    (tmp_path / "d-attachment.png").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    clean_before = (tmp_path / "c-result.json").stat().st_mtime_ns

    changed = redact_results_dir(tmp_path, [TOKEN])

    assert sorted(p.name for p in changed) == ["a-result.json", "b-attachment.txt"]
    data = json.loads((tmp_path / "a-result.json").read_text())
    assert data["steps"][0]["parameters"][0]["value"] == f"'{REDACTED}'"
    assert (tmp_path / "b-attachment.txt").read_text() == f"Authorization: Bearer {REDACTED}\n"
    assert (tmp_path / "c-result.json").stat().st_mtime_ns == clean_before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no temporary file left"


def test_secret_escaped_inside_json_is_found(tmp_path: Path) -> None:
    secret = 'pa"ss\\word'
    (tmp_path / "x-result.json").write_text(json.dumps({"message": f"login failed for {secret}"}))
    assert redact_results_dir(tmp_path, [secret])
    assert json.loads((tmp_path / "x-result.json").read_text()) == {"message": f"login failed for {REDACTED}"}


def test_nothing_to_do_without_secrets_or_directory(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(TOKEN)
    assert redact_results_dir(tmp_path, []) == []
    assert redact_results_dir(tmp_path / "missing", [TOKEN]) == []
    assert (tmp_path / "a.txt").read_text() == TOKEN
