"""`scim-harness compare` end to end: real targets on loopback, the CLI, its reports and exit codes."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from scim_harness.cli import main
from scim_harness.emulator.rules import RuleSwitches
from scim_harness.emulator.server import EmulatorServer
from tests.vendor.conftest import TOKEN_A, TOKEN_B, emulator

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "vendor-tools.md"
EXAMPLE_TENANT = ROOT / "simulator" / "data" / "example-tenant.json"
TOKENS = {"SCIM_HARNESS_TOKEN_A": TOKEN_A, "SCIM_HARNESS_TOKEN_B": TOKEN_B, "SCIM_HARNESS_TOKEN": None}
NO_TOKENS: dict[str, str | None] = dict.fromkeys(TOKENS)


def run_compare(out: Path, *args: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(main, ["compare", "--out", str(out), *args], env=TOKENS if env is None else env)


def documented_differences() -> set[tuple[str, str, str, str]]:
    """The rows of the expected-differences table in docs/vendor-tools.md."""
    text = DOCS.read_text(encoding="utf-8")
    table = text.split("<!-- expected-differences:", 1)[1].split("\n\n", 2)[1]
    rows = set()
    for line in table.splitlines()[2:]:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        rows.add((cells[0], cells[1], cells[2].strip("`"), cells[3]))
    return rows


def reported_differences(out: Path) -> set[tuple[str, str, str, str]]:
    report = json.loads((out / "compare.json").read_text(encoding="utf-8"))
    return {(d["section"], d["object"], d["what"], d["field"]) for d in report["differences"]}


@pytest.mark.parametrize("dialect", ["legacy", "aadOptscim062020"])
def test_emulator_against_scim2_server_reports_exactly_the_documented_differences(
    emulator_a: EmulatorServer, scim2_server_b: str, tmp_path: Path, dialect: str
) -> None:
    result = run_compare(
        tmp_path, "--a", emulator_a.scim_url, "--b", scim2_server_b, "--users", "9", "--dialect", dialect
    )
    assert result.exit_code == 1, result.output
    expected = documented_differences()
    assert len(expected) == 21
    assert reported_differences(tmp_path) == expected


def test_two_emulators_are_equivalent(
    emulator_a: EmulatorServer, emulator_b: EmulatorServer, tmp_path: Path
) -> None:
    result = run_compare(tmp_path, "--a", emulator_a.scim_url, "--b", emulator_b.scim_url, "--users", "9")
    assert result.exit_code == 0, result.output
    assert "equivalent" in result.output
    report = json.loads((tmp_path / "compare.json").read_text(encoding="utf-8"))
    assert report["equivalent"] is True and report["differences"] == []
    # The sequence really ran: the lifecycle's creates, updates, disables and the delete all went out.
    assert report["a"]["exchanges"] == report["b"]["exchanges"] >= 40
    assert "**equivalent" in (tmp_path / "compare.md").read_text(encoding="utf-8")


def test_a_broken_rule_on_one_side_makes_them_different(emulator_a: EmulatorServer, tmp_path: Path) -> None:
    """The check can fail: an emulator that lets login names change differs from a faithful one on u5 only."""
    with emulator(TOKEN_B, RuleSwitches(allow_login_name_change=True)) as broken:
        result = run_compare(tmp_path, "--a", emulator_a.scim_url, "--b", broken.scim_url, "--users", "9")
    assert result.exit_code == 1, result.output
    objects = {row[1] for row in reported_differences(tmp_path)}
    assert objects == {"u5", "job"}


def test_the_dialect_follows_the_tenant_urls_and_secrets_in_them_are_redacted(
    emulator_a: EmulatorServer, emulator_b: EmulatorServer, tmp_path: Path
) -> None:
    query = "?aadOptscim062020&code=function-key-0123456789"
    result = run_compare(
        tmp_path, "--a", emulator_a.scim_url + query, "--b", emulator_b.scim_url + query, "--users", "3"
    )
    assert result.exit_code == 0, result.output
    markdown = (tmp_path / "compare.md").read_text(encoding="utf-8")
    assert "dialect aadOptscim062020" in markdown
    page = html.unescape((tmp_path / "compare.html").read_text(encoding="utf-8"))
    assert '"op": "replace"' in page and '"op": "Replace"' not in page  # Entra's compliant PATCH bodies
    for name in ("compare.md", "compare.html", "compare.json"):
        assert "function-key-0123456789" not in (tmp_path / name).read_text(encoding="utf-8")


def test_tenant_urls_selecting_different_dialects_need_an_explicit_one(tmp_path: Path) -> None:
    result = run_compare(
        tmp_path,
        "--a",
        "http://127.0.0.1:9/a?aadOptscim062020",
        "--b",
        "http://127.0.0.1:9/b",
        "--users",
        "1",
    )
    assert result.exit_code == 2 and "give --dialect" in result.stderr


def test_a_tenant_file_with_its_timeline(
    emulator_a: EmulatorServer, emulator_b: EmulatorServer, tmp_path: Path
) -> None:
    result = run_compare(
        tmp_path, "--a", emulator_a.scim_url, "--b", emulator_b.scim_url, "--tenant", str(EXAMPLE_TENANT)
    )
    assert result.exit_code == 0, result.output
    markdown = (tmp_path / "compare.md").read_text(encoding="utf-8")
    # The file's timeline (a soft delete, a restore, a restart) was played: disables and re-enables went out.
    assert "| Disable | Success | Success | same |" in markdown
    assert "PATCH /Users/{u2}" in markdown


def test_reports_hold_no_token_and_the_html_is_self_contained(
    emulator_a: EmulatorServer, scim2_server_b: str, tmp_path: Path
) -> None:
    result = run_compare(tmp_path, "--a", emulator_a.scim_url, "--b", scim2_server_b, "--users", "3")
    assert result.exit_code in (0, 1), result.output
    for name in ("compare.md", "compare.html", "compare.json"):
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert TOKEN_A not in text and TOKEN_B not in text
    page = (tmp_path / "compare.html").read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|img|iframe)\b|\bsrc=|@import", page, re.IGNORECASE)
    assert page.count("<details>") >= 6  # every exchange can be opened side by side


def test_a_token_on_the_command_line_is_warned_about_and_kept_out_of_the_reports(
    emulator_a: EmulatorServer, emulator_b: EmulatorServer, tmp_path: Path
) -> None:
    result = run_compare(
        tmp_path,
        "--a",
        emulator_a.scim_url,
        "--b",
        emulator_b.scim_url,
        "--users",
        "2",
        "--token-a",
        TOKEN_A,
        env={**NO_TOKENS, "SCIM_HARNESS_TOKEN_B": TOKEN_B},
    )
    assert result.exit_code == 0, result.output
    assert "warning: a token on the command line" in result.stderr
    assert TOKEN_A not in result.output


def test_token_files(emulator_a: EmulatorServer, emulator_b: EmulatorServer, tmp_path: Path) -> None:
    (tmp_path / "a.token").write_text(TOKEN_A + "\n", encoding="utf-8")
    (tmp_path / "b.token").write_text(TOKEN_B, encoding="utf-8")
    result = run_compare(
        tmp_path / "out",
        *("--a", emulator_a.scim_url, "--b", emulator_b.scim_url, "--users", "2"),
        *("--token-a-file", str(tmp_path / "a.token"), "--token-b-file", str(tmp_path / "b.token")),
        env=NO_TOKENS,
    )
    assert result.exit_code == 0, result.output


def test_a_wrong_token_is_exit_2_in_one_line(
    emulator_a: EmulatorServer, emulator_b: EmulatorServer, tmp_path: Path
) -> None:
    result = run_compare(
        tmp_path,
        *("--a", emulator_a.scim_url, "--b", emulator_b.scim_url, "--users", "2"),
        env={**TOKENS, "SCIM_HARNESS_TOKEN_B": "not-the-right-token-123"},
    )
    assert result.exit_code == 2
    assert "B" in result.stderr and "refused the Secret Token" in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "compare.md").exists()


def test_an_unreachable_target_is_exit_2(emulator_a: EmulatorServer, tmp_path: Path) -> None:
    result = run_compare(
        tmp_path,
        "--a",
        emulator_a.scim_url,
        "--b",
        "http://127.0.0.1:9/scim/v2",
        "--users",
        "1",
        "--timeout",
        "5",
    )
    assert result.exit_code == 2
    assert "unreachable" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--users", "2", "--tenant", str(EXAMPLE_TENANT)), "exactly one of --tenant"),
        ((), "exactly one of --tenant"),
        (("--users", "2", "--run", "soon"), "not a duration"),
        (("--tenant", "/nonexistent/tenant.json"), "cannot read tenant file"),
    ],
)
def test_usage_errors_are_exit_2(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    result = run_compare(tmp_path, "--a", "http://127.0.0.1:9/scim/v2", "--b", "http://127.0.0.1:9/v2", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_no_token_at_all_is_exit_2(tmp_path: Path) -> None:
    result = run_compare(
        tmp_path, "--a", "http://127.0.0.1:9/a", "--b", "http://127.0.0.1:9/b", "--users", "1", env=NO_TOKENS
    )
    assert result.exit_code == 2
    assert "a Secret Token for A is needed" in result.stderr
