"""The pre-flight stops a run with a wrong token or target in seconds, in one line, with exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from scim_harness.common.errors import HarnessError
from scim_harness.config import SuiteConfig
from scim_harness.preflight import preflight
from tests.run.conftest import Done, RunningEmulator, scim_harness

# Wide: the machine is shared and loaded; a run that started would take far longer and write junit.xml.
SECONDS = 60


def _one_line_error(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert "Traceback" not in output
    return lines[0]


def _stopped_run(tmp_path: Path, url: str, env: dict[str, str], *target: str) -> tuple[Done, str]:
    """`scim-harness run` that the pre-flight must stop: exit code 2 and one line, which is returned."""
    done = scim_harness(
        "run", *target, "--url", url, "--reports", str(tmp_path / "reports"), cwd=tmp_path, env=env
    )
    assert done.code == 2
    return done, _one_line_error(done.output)


def test_a_wrong_token_stops_the_run_before_any_scenario(emulator: RunningEmulator, tmp_path: Path) -> None:
    env = {"SCIM_HARNESS_TOKEN": "not-the-token-0123456789"}
    done, line = _stopped_run(tmp_path, emulator.server.scim_url, env, "--target", "scim")
    assert "refused the token (HTTP 401)" in line and "SCIM_HARNESS_TOKEN" in line
    assert "not-the-token-0123456789" not in done.output
    assert done.seconds < SECONDS
    assert not (tmp_path / "reports" / "junit.xml").exists(), "no scenario ran"


def test_an_unreachable_target_stops_the_run(tmp_path: Path) -> None:
    env = {"SCIM_HARNESS_TOKEN": "some-token-0123456789"}
    done, line = _stopped_run(tmp_path, "http://127.0.0.1:9/scim/v2", env, "--target", "scim")
    assert "cannot reach the target at http://127.0.0.1:9/scim/v2" in line
    assert done.seconds < SECONDS


def test_a_wrong_administrator_password_stops_the_run(emulator: RunningEmulator, tmp_path: Path) -> None:
    env = {"SCIM_HARNESS_ADMIN_PASSWORD": "not-the-password"}
    done, line = _stopped_run(tmp_path, emulator.server.base_url, env)
    assert "refused the administrator's login 'Administrator' (HTTP 401)" in line
    assert "not-the-password" not in done.output


class TestPreflight:
    """One rule per test, in process (no run is started)."""

    def test_a_good_target_passes_test_connection_and_the_admin_check(
        self, emulator: RunningEmulator
    ) -> None:
        config = SuiteConfig(
            target="emulator",
            url=emulator.server.base_url,
            token=emulator.token,
            admin_password=emulator.password,
        )
        assert preflight(config).checked == ["Test Connection", "administrator login"]

    def test_an_answer_entras_test_connection_refuses_stops_the_run(
        self, broken_emulator: RunningEmulator
    ) -> None:
        config = SuiteConfig(target="scim", url=broken_emulator.server.scim_url, token=broken_emulator.token)
        with pytest.raises(HarnessError, match=r"failed Entra's Test Connection \(HTTP 404\)"):
            preflight(config)

    def test_the_embedded_emulator_needs_no_check(self) -> None:
        assert preflight(SuiteConfig()).checked == []

    def test_no_secret_in_the_message(self) -> None:
        token = "tok-in-the-url-0123456789"
        config = SuiteConfig(target="scim", url=f"http://127.0.0.1:9/scim/v2?t={token}", token=token)
        with pytest.raises(HarnessError) as raised:
            preflight(config)
        assert token not in str(raised.value) and "[REDACTED]" in str(raised.value)
