"""HTTPS as Entra connects: a trusted chain and a matching name are required, TLS 1.2 or newer (§2, D-SCIM).

Real certificates from `trustme` (a test CA made per run) and a real TLS server of our own on loopback.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from scim_harness.simulator.engine import EngineSettings
from scim_harness.simulator.tenant import Tenant
from scim_harness.simulator.transport import tls_context
from tests.simulator.fake_scim import FakeScim, add_person

UNTRUSTED = "Could not establish trust relationship for the SSL/TLS secure channel"


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> str:
    path = tmp_path / "test-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


def _server(ca: trustme.CA, identity: str = "127.0.0.1", *, tls12_only: bool = False) -> FakeScim:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(identity).configure_cert(context)
    if tls12_only:
        context.maximum_version = ssl.TLSVersion.TLSv1_2
    return FakeScim(tls=context).start()


@pytest.fixture
def tls_scim(ca: trustme.CA) -> Iterator[FakeScim]:
    server = _server(ca)
    yield server
    server.stop()


def test_an_untrusted_certificate_fails_test_connection_naming_it(make_job, tls_scim: FakeScim) -> None:
    result = make_job(url=tls_scim.url).test_connection()
    assert not result.success and result.error_code == "WebExceptionProtocolError"
    assert UNTRUSTED in result.message and "certificate verify failed" in result.message
    assert tls_scim.requests == []  # nothing was sent over a channel Entra does not trust


def test_an_untrusted_certificate_fails_each_entry_of_a_cycle(
    tenant: Tenant, make_job, tls_scim: FakeScim
) -> None:
    alice = add_person(tenant, "alice")
    job = make_job(url=tls_scim.url)
    job.start()
    job.run_cycle()
    entry = job.logs.for_user(alice)[-1]
    assert (entry.status, entry.statusInfo.errorCode) == ("Failure", "WebExceptionProtocolError")
    assert UNTRUSTED in entry.statusInfo.reason and job.status.escrows == 1


def test_a_test_ca_is_trusted_with_ca_file(
    tenant: Tenant, make_job, tls_scim: FakeScim, ca_file: str
) -> None:
    alice = add_person(tenant, "alice")
    job = make_job(url=tls_scim.url, settings=EngineSettings(ca_file=ca_file, timeout_seconds=5.0))
    assert job.test_connection().success
    job.run_cycle()
    assert job.target_id(alice) and tls_scim.user_named("alice@contoso.com") is not None


def test_a_trusted_certificate_for_another_name_is_refused(ca: trustme.CA, make_job, ca_file: str) -> None:
    server = _server(ca, "scim.example.org")
    try:
        job = make_job(url=server.url, settings=EngineSettings(ca_file=ca_file, timeout_seconds=5.0))
        result = job.test_connection()
        assert not result.success and UNTRUSTED in result.message and "mismatch" in result.message
    finally:
        server.stop()


def test_tls_12_is_accepted_and_nothing_older_is_offered(ca: trustme.CA, make_job, ca_file: str) -> None:
    assert tls_context().minimum_version is ssl.TLSVersion.TLSv1_2
    server = _server(ca, tls12_only=True)
    try:
        job = make_job(url=server.url, settings=EngineSettings(ca_file=ca_file, timeout_seconds=5.0))
        assert job.test_connection().success
    finally:
        server.stop()


def test_a_ca_file_that_is_not_a_certificate_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "ca.pem"
    bad.write_text("not a certificate")
    with pytest.raises(ValueError, match="cannot use CA file"):
        tls_context(str(bad))
    with pytest.raises(ValueError, match="cannot use CA file"):
        tls_context(str(tmp_path / "missing.pem"))


def test_the_trust_can_change_between_cycles(make_job, tls_scim: FakeScim, ca_file: str) -> None:
    job = make_job(url=tls_scim.url)
    assert not job.test_connection().success
    job.configure(settings=EngineSettings(ca_file=ca_file))
    assert job.test_connection().success
