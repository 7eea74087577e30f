"""The suite over HTTPS, as against a real cybozu.com: the emulator serves TLS with a certificate from a test
CA (trustme), and every part that speaks to it trusts that CA through the configuration's `ca_file`, besides
the public roots: the simulated Entra ID (`EngineSettings.ca_file`), the drivers (User API, admin surface),
the protocol probe, the pre-flight and the capture proxy's upstream leg (mitmproxy verifies the emulator).

And a certificate nobody configured is refused the way Entra refuses it: Test Connection fails naming the
trust problem, whether the simulator meets the certificate itself or the capture proxy does.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from scim_harness.capture import CaptureProxy
from scim_harness.config import SuiteConfig
from scim_harness.emulator.config import EmulatorConfig
from scim_harness.emulator.server import EmulatorServer
from scim_harness.preflight import PreflightError, preflight
from scim_harness.steps.support.directory import Directory
from scim_harness.steps.support.notes import ReportNotes
from scim_harness.steps.support.people import People
from scim_harness.steps.support.provisioning import Provisioning
from tests.suite.suite_runs import named, run_suite

pytestmark = pytest.mark.slow  # runs the conformance suite itself

TOKEN = f"https-{uuid.uuid4().hex}"
PASSWORD = f"pw-{uuid.uuid4().hex}"
CAPTURED_SELECTION = (
    "test_test_connection_succeeds_with_a_valid_api_token",
    "test_a_user_assigned_to_the_kintone_app_is_added_to_kintone",
    "test_test_connection_fails_with_an_invalid_certificate_was_entered_when_kintones_ip_restriction_refuses"
    "_entra_id",
    "test_a_user_added_in_kintone_first_is_taken_over_by_provisioning",
)
TRUST_FAILURE = "Could not establish trust relationship for the SSL/TLS secure channel"


@pytest.fixture(scope="module")
def https_emulator() -> Iterator[EmulatorServer]:
    config = EmulatorConfig(seed_token=TOKEN, admin_password=PASSWORD)
    with EmulatorServer(config, tls=True) as server:
        assert server.base_url.startswith("https://")
        yield server


def _env(server: EmulatorServer, **more: str) -> dict[str, str]:
    return {
        "SCIM_HARNESS_URL": server.base_url,
        "SCIM_HARNESS_ADMIN_PASSWORD": PASSWORD,
        "SCIM_HARNESS_CA_FILE": str(server.ca_file),
        **more,
    }


def test_the_whole_suite_runs_over_https(https_emulator: EmulatorServer, tmp_path: Path) -> None:
    # Capture off: the simulated Entra ID meets the emulator's certificate itself, as do the drivers and the
    # protocol probe; every scenario of every layer runs.
    outcomes = run_suite(tmp_path, _env(https_emulator), timeout=300)

    assert not named(outcomes, "failed"), {n: o.message for n, o in outcomes.items() if o.status == "failed"}
    assert len(named(outcomes, "passed")) > 50
    # Only what a Kintone target cannot serve (Groups) is left out, and it says so.
    skipped = {n: o.message for n, o in outcomes.items() if o.status == "skipped"}
    assert all(m.startswith("not applicable") for m in skipped.values()), skipped


def test_with_capture_the_proxy_verifies_the_https_upstream(
    https_emulator: EmulatorServer, tmp_path: Path
) -> None:
    har = tmp_path / "traffic.har"
    env = _env(https_emulator, SCIM_HARNESS_CAPTURE="1", SCIM_HARNESS_HAR=str(har))
    outcomes = run_suite(tmp_path, env, *CAPTURED_SELECTION)

    assert named(outcomes, "passed") == set(CAPTURED_SELECTION)
    entries = json.loads(har.read_text())["log"]["entries"]
    assert entries and all(e["response"]["status"] != 502 for e in entries), "mitmproxy reached the upstream"


def test_preflight_trusts_the_configured_ca_and_nothing_else(https_emulator: EmulatorServer) -> None:
    config = SuiteConfig(url=https_emulator.base_url, token=TOKEN, admin_password=PASSWORD)
    with pytest.raises(PreflightError, match="certificate verify failed"):
        preflight(config)
    report = preflight(config.with_changes(ca_file=str(https_emulator.ca_file)))
    assert report.checked == ["Test Connection", "administrator login"] and not report.warnings


# ---- an untrusted certificate fails Test Connection, as Entra reports it ---------------------------------


def _provisioning(url: str, ca_file: str | None) -> Provisioning:
    notes = ReportNotes(lambda title, text: None)
    return Provisioning(Directory(People()), url, "legacy", TOKEN, notes, ca_file=ca_file)


def test_an_untrusted_certificate_fails_test_connection(
    https_emulator: EmulatorServer, tmp_path: Path
) -> None:
    other_ca = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other_ca))
    for ca_file in (None, str(other_ca)):  # the public roots only; another test CA
        entra = _provisioning(https_emulator.scim_url, ca_file)
        try:
            result = entra.test_connection()
        finally:
            entra.close()
        assert not result.success and result.status is None
        assert result.error_code == "WebExceptionProtocolError" and TRUST_FAILURE in result.message, result

    entra = _provisioning(https_emulator.scim_url, str(https_emulator.ca_file))
    try:
        assert entra.test_connection().success
    finally:
        entra.close()


def test_the_capture_proxy_refuses_an_untrusted_upstream(https_emulator: EmulatorServer) -> None:
    # mitmproxy verifies the upstream against the public roots and the configured CA only: without the CA,
    # Test Connection through the proxy fails (mitmproxy's 502), and with it, it succeeds.
    for ca_file, trusted in ((None, False), (https_emulator.ca_file, True)):
        with CaptureProxy(https_emulator.scim_url, secrets=[TOKEN], upstream_ca_file=ca_file) as proxy:
            entra = _provisioning(proxy.url, None)
            try:
                result = entra.test_connection()
            finally:
                entra.close()
            assert result.success is trusted, result
            if not trusted:
                assert result.status == 502 and "certificate" in result.message.lower(), result
                [exchange] = proxy.exchanges()[-1:]
                assert exchange.status == 502
