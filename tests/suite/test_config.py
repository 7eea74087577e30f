"""Suite configuration: flags over environment over TOML file over defaults; secrets never from the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from scim_harness.common.errors import HarnessError
from scim_harness.config import SuiteConfig
from scim_harness.run_cli import marker_expression


def test_flags_win_over_environment_which_wins_over_the_file(tmp_path: Path) -> None:
    config_file = tmp_path / "scim-harness.toml"
    config_file.write_text(
        'target = "scim"\nurl = "http://file.example/scim"\ndialect = "both"\nworkers = 3\n'
        "[emulator.rules]\nallow_login_name_change = true\n"
    )
    env = {"SCIM_HARNESS_URL": "http://env.example/scim", "SCIM_HARNESS_DIALECT": "aadOptscim062020"}

    config = SuiteConfig.load({"dialect": "legacy", "url": None}, env=env, config_file=config_file)

    assert config.target == "scim"  # only the file says
    assert config.url == "http://env.example/scim"  # environment over file; a flag left out changes nothing
    assert config.dialect == "legacy"  # flag over environment
    assert config.workers == 3
    assert config.emulator_rules == {"allow_login_name_change": True}


def test_defaults_without_anything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = SuiteConfig.load(env={})
    assert (config.target, config.dialect, config.capture, config.workers) == ("emulator", "legacy", True, 1)
    assert config.dialects == ["legacy"]
    assert SuiteConfig(dialect="both").dialects == ["legacy", "aadOptscim062020"]


def test_a_secret_in_the_file_is_refused(tmp_path: Path) -> None:
    config_file = tmp_path / "scim-harness.toml"
    config_file.write_text('token = "s3cret-value"\n')
    with pytest.raises(HarnessError, match="read only from the environment or a file") as refused:
        SuiteConfig.load(env={}, config_file=config_file)
    assert "s3cret-value" not in str(refused.value)


def test_secrets_come_from_a_file_or_the_environment_and_are_never_shown(tmp_path: Path) -> None:
    (tmp_path / "token.txt").write_text("file-token-123\n")
    config_file = tmp_path / "scim-harness.toml"
    config_file.write_text('token_file = "token.txt"\n')
    config = SuiteConfig.load(env={"SCIM_HARNESS_ADMIN_PASSWORD": "pw-456"}, config_file=config_file)

    assert config.token == "file-token-123" and config.admin_password == "pw-456"
    assert config.secrets == ["file-token-123", "pw-456"]
    for shown in (repr(config), str(config)):
        assert "file-token-123" not in shown and "pw-456" not in shown and "<redacted>" in shown
    assert SuiteConfig.load(env=config.to_env()).token == "file-token-123"  # handed to the pytest subprocess


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"target": "okta"}, "unknown target 'okta'"),
        ({"dialect": "v3"}, "unknown dialect 'v3'"),
        ({"workers": 0}, "workers must be 1 or more"),
        ({"colour": "red"}, "unknown setting"),
    ],
)
def test_bad_settings_get_one_clear_line(settings: dict, message: str, tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match=message):
        SuiteConfig.load(settings, env={}, config_file=_empty(tmp_path))


def test_bad_values_from_the_environment_get_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(HarnessError, match="workers in the environment must be a number"):
        SuiteConfig.load(env={"SCIM_HARNESS_WORKERS": "many"}, config_file=_empty(tmp_path))
    with pytest.raises(HarnessError, match=r"capture .* must be true or false"):
        SuiteConfig.load(env={"SCIM_HARNESS_CAPTURE": "perhaps"}, config_file=_empty(tmp_path))


def test_each_target_says_what_it_needs() -> None:
    with pytest.raises(HarnessError, match="target kintone needs url, scim_url, token"):
        SuiteConfig(target="kintone").validate_target()
    with pytest.raises(HarnessError, match="target scim needs url"):
        SuiteConfig(target="scim", token="t").validate_target()
    SuiteConfig(target="scim", url="http://127.0.0.1:1/scim", token="t").validate_target()
    SuiteConfig().validate_target()


def test_tag_expressions_become_pytest_marker_expressions() -> None:
    assert marker_expression("@kintone and not @destructive") == "kintone and not destructive"
    assert (
        marker_expression("(@scim or @entra) and not @needs-admin") == "(scim or entra) and not needs-admin"
    )
    with pytest.raises(HarnessError, match="unknown tag '@kintnoe'"):
        marker_expression("@kintnoe")


def _empty(tmp_path: Path) -> Path:
    path = tmp_path / "empty.toml"
    path.write_text("")
    return path


def test_the_ca_file_comes_from_the_environment_or_the_file_next_to_it(tmp_path: Path) -> None:
    config_file = tmp_path / "scim-harness.toml"
    config_file.write_text('ca_file = "certs/test-ca.pem"\n')
    from_file = SuiteConfig.load(env={}, config_file=config_file)
    assert from_file.ca_file == str((tmp_path / "certs" / "test-ca.pem").resolve())

    from_env = SuiteConfig.load(env={"SCIM_HARNESS_CA_FILE": "/etc/ca.pem"}, config_file=config_file)
    assert from_env.ca_file == "/etc/ca.pem"
    assert from_env.to_env()["SCIM_HARNESS_CA_FILE"] == "/etc/ca.pem"  # handed on to the pytest subprocess


def test_groups_and_the_time_budget(tmp_path: Path) -> None:
    config_file = tmp_path / "scim-harness.toml"
    config_file.write_text("groups = true\ntime_budget = 120\n")

    from_file = SuiteConfig.load(env={}, config_file=config_file)
    from_env = SuiteConfig.load(env={"SCIM_HARNESS_GROUPS": "auto", "SCIM_HARNESS_TIME_BUDGET": "30"})

    assert (from_file.groups, from_file.time_budget) == ("true", 120.0)
    assert (from_env.groups, from_env.time_budget) == ("auto", 30.0)
    assert (SuiteConfig().groups, SuiteConfig().time_budget, SuiteConfig().timeout) == ("auto", 480.0, 15.0)
    assert SuiteConfig.load(env=from_file.to_env()).groups == "true"  # handed to the pytest subprocess


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"SCIM_HARNESS_GROUPS": "sometimes"}, "groups in the environment must be true, false or auto"),
        ({"SCIM_HARNESS_TIME_BUDGET": "0"}, "time_budget must be a positive number"),
        ({"SCIM_HARNESS_TIME_BUDGET": "soon"}, "time_budget in the environment must be a number"),
        ({"SCIM_HARNESS_TIMEOUT": "nan"}, "timeout must be a positive number"),
    ],
)
def test_bad_groups_or_time_settings_are_one_line(env: dict[str, str], words: str) -> None:
    with pytest.raises(HarnessError, match=words):
        SuiteConfig.load(env=env)
