"""HTTPS for the emulator: a certificate for the loopback names, issued by a throw-away test CA made with
trustme (the well-kept library for exactly this), or a certificate and key the caller gives."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class TlsFiles:
    cert_file: str
    """PEM: the server certificate, then its chain."""
    key_file: str
    ca_pem: bytes | None = None
    """The issuing CA's certificate (PEM) when the emulator made it: what a client must trust."""


def issue_test_certificate(directory: Path, hosts: tuple[str, ...] = HOSTS) -> TlsFiles:
    """A new test CA and a server certificate for `hosts`, written under `directory` (the key too: keep the
    directory private and short-lived)."""
    import trustme

    ca = trustme.CA(organization_name="scim-harness test CA")
    issued = ca.issue_cert(*hosts)
    cert_file, key_file = directory / "emulator-cert.pem", directory / "emulator-key.pem"
    issued.cert_chain_pems[0].write_to_path(str(cert_file))
    for extra in issued.cert_chain_pems[1:]:
        extra.write_to_path(str(cert_file), append=True)
    issued.private_key_pem.write_to_path(str(key_file))
    key_file.chmod(0o600)
    return TlsFiles(str(cert_file), str(key_file), ca.cert_pem.bytes())
