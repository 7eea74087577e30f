"""`scim-harness run`: the main job, end to end against the embedded emulator, through the real CLI."""

from __future__ import annotations

import base64
import json
import uuid
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from scim_harness.cli import main
from scim_harness.emulator.config import EmulatorConfig
from scim_harness.emulator.server import EmulatorServer
from scim_harness.run_cli import merge_har_parts
from tests.reports.test_reports import _embedded_texts as embedded_texts

pytestmark = pytest.mark.slow  # runs the conformance suite itself


@pytest.fixture(autouse=True)
def _no_outside_configuration(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "SCIM_HARNESS_TARGET",
        "SCIM_HARNESS_URL",
        "SCIM_HARNESS_TOKEN",
        "SCIM_HARNESS_EMULATOR_RULES",
        "SCIM_HARNESS_CONFIG",
        "SCIM_HARNESS_DIALECT",
        "SCIM_HARNESS_TAGS",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # the command must work from any directory


def test_the_suite_is_green_against_the_emulator_and_writes_the_reports(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    result = CliRunner().invoke(main, ["run", "--reports", str(reports)])

    assert result.exit_code == 0, result.output
    assert "Kintone SCIM provisioning conformance: PASSED" in result.output
    assert " 0 failed" in result.output
    for produced in ("junit.xml", "summary.md", "traffic.har"):
        assert (reports / produced).is_file(), produced
    assert list((reports / "allure-results").glob("*-result.json"))
    har = json.loads((reports / "traffic.har").read_text())
    assert len(har["log"]["entries"]) > 100, "the whole run's traffic"


def test_the_workers_har_files_become_one(tmp_path: Path) -> None:
    def har(*starts: str) -> dict:
        return {"log": {"version": "1.2", "entries": [{"startedDateTime": s} for s in starts]}}

    (tmp_path / "traffic-gw0.har").write_text(json.dumps(har("2026-01-01T00:00:02Z", "2026-01-01T00:00:04Z")))
    (tmp_path / "traffic-gw1.har").write_text(json.dumps(har("2026-01-01T00:00:03Z")))

    merge_har_parts(tmp_path / "traffic.har")

    merged = json.loads((tmp_path / "traffic.har").read_text())
    assert [e["startedDateTime"][-3:] for e in merged["log"]["entries"]] == ["02Z", "03Z", "04Z"]
    assert not list(tmp_path.glob("traffic-gw*.har"))


def test_a_broken_rule_makes_the_run_fail_and_names_the_scenario(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCIM_HARNESS_EMULATOR_RULES", "allow_login_name_change")
    result = CliRunner().invoke(
        main,
        ["run", "--reports", str(tmp_path / "r"), "--no-capture", "--tags", "@kintone and not @needs-admin"],
    )

    assert result.exit_code == 1, result.output
    assert "FAILED" in result.output
    assert "A login name changed in Entra ID is not changed in Kintone" in result.output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--tags", "@kintnoe"], "unknown tag '@kintnoe'"),
        (["--target", "kintone"], "target kintone needs url, scim_url"),
        (["--tags", "@scim and @kintone"], "no scenario matched the selection"),
        (["--tags", "@kintone and"], "--tags '@kintone and': expected a tag here"),
        (["--tags", "(@kintone or @scim"], "a parenthesis is not closed"),
        (["--tags", "@kintone @scim"], "unexpected 'scim'"),
        (
            ["--target", "scim", "--url", "http://127.0.0.1:9/scim/v2"],
            "cannot reach the target at http://127.0.0.1:9",
        ),
    ],
)
def test_bad_options_get_one_line(
    arguments: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCIM_HARNESS_TOKEN", "some-token")
    result = CliRunner().invoke(main, ["run", "--reports", str(tmp_path / "r"), "--no-capture", *arguments])

    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_running_emulator_as_target_and_no_secret_in_any_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    token, password = f"seed-{uuid.uuid4().hex}", f"pw-{uuid.uuid4().hex}"
    config = EmulatorConfig(seed_token=token, admin_password=password)
    with EmulatorServer(config) as server:
        monkeypatch.setenv("SCIM_HARNESS_TOKEN", token)
        monkeypatch.setenv("SCIM_HARNESS_ADMIN_PASSWORD", password)
        reports = tmp_path / "reports"
        result = CliRunner().invoke(
            main,
            ["run", "--url", server.base_url, "--reports", str(reports), "--tags", "@scim or @needs-admin"],
        )
        admin = {"X-Cybozu-Authorization": _basic(server.admin_login, password)}
        tokens_left = httpx.get(f"{server.base_url}/_emulator/tokens", timeout=10, headers=admin)
        users_left = httpx.get(f"{server.base_url}/v1/users.json", timeout=10, headers=admin)

    assert result.exit_code == 0, result.output
    assert "0 failed" in result.output and "0 skipped" in result.output
    # The suite tidied up after itself: none of the tokens it created is left on the shared emulator.
    assert not [t for t in tokens_left.json()["tokens"] if "scim-harness" in t["notes"]]
    assert not [u["code"] for u in users_left.json()["users"] if u["code"].endswith("@scim-harness.test")]
    secrets = (token, password, _basic(server.admin_login, password))
    produced = [p for p in reports.rglob("*") if p.is_file()]
    assert {"traffic.har", "index.html", "junit.xml", "summary.md"} <= {p.name for p in produced}
    # The single-file HTML report embeds its data base64-encoded: look inside that too.
    for path in produced:
        for text in embedded_texts(path.read_text(encoding="utf-8", errors="replace")):
            assert not [s for s in secrets if s in text], f"a secret is in {path}"


def _basic(login: str, password: str) -> str:
    return base64.b64encode(f"{login}:{password}".encode()).decode()
