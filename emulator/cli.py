"""`scim-harness emulator ...`: serve the emulator, list its defect catalogue, and (cli_admin) do what a
Kintone administrator does, over HTTP."""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import tempfile
from pathlib import Path

import click

from scim_harness.common.errors import HarnessError
from scim_harness.emulator.cli_admin import ADMIN_COMMANDS, CA_FILE_ENV
from scim_harness.emulator.config import ADMIN_PASSWORD_ENV, PROFILES, TOKEN_ENV, EmulatorConfig
from scim_harness.emulator.defects import BY_NAME, CATALOGUE, DefectSwitches
from scim_harness.emulator.store import DatabaseInUse
from scim_harness.emulator.tls import TlsFiles, issue_test_certificate


@click.group()
def emulator() -> None:
    """The Kintone SCIM emulator (or a generic SCIM service): serve it, list its defects, and manage tokens,
    propagation, users, the IP allow list and the test-only switches."""


for _command in ADMIN_COMMANDS:
    emulator.add_command(_command)


@emulator.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.option(
    "--profile",
    type=click.Choice(PROFILES),
    default="kintone",
    show_default=True,
    help="kintone: Kintone's endpoint and rules; generic: a plain SCIM 2.0 service with Groups.",
)
@click.option("--db", "db_path", default=":memory:", show_default=True, help="SQLite file (or :memory:).")
@click.option("--token", envvar=TOKEN_ENV, default=None, help=f"Seed one valid API token (or ${TOKEN_ENV}).")
@click.option("--base-path", default="/scim/v2", show_default=True, help="Where SCIM is served.")
@click.option("--admin-login", default="Administrator", show_default=True)
@click.option("--tls", is_flag=True, help="Serve HTTPS with a certificate from a new test CA (trustme).")
@click.option(
    "--ca-out",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="With --tls: write the test CA's certificate (PEM) here, for clients to trust.",
)
@click.option(
    "--cert",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Serve HTTPS with this certificate (PEM, with its chain) instead of a test CA's.",
)
@click.option("--key", type=click.Path(exists=True, dir_okay=False), default=None, help="The key of --cert.")
@click.option(
    "--trusted-proxy",
    "trusted_proxies",
    multiple=True,
    help="An address whose X-Forwarded-For is believed (default: none, only the socket's peer).",
)
@click.option(
    "--defect",
    "defects",
    multiple=True,
    type=click.Choice(sorted(BY_NAME)),
    metavar="NAME",
    help="Switch on a test-only defect (see `emulator defects`); repeat for several.",
)
def serve(
    host: str,
    port: int,
    profile: str,
    db_path: str,
    token: str | None,
    base_path: str,
    admin_login: str,
    tls: bool,
    ca_out: str | None,
    cert: str | None,
    key: str | None,
    trusted_proxies: tuple[str, ...],
    defects: tuple[str, ...],
) -> None:
    """Run the emulator in the foreground until interrupted."""
    import uvicorn

    from scim_harness.emulator.app import build_app
    from scim_harness.emulator.server import listening_socket, uvicorn_config

    if bool(cert) != bool(key) or (cert and tls) or (ca_out and not tls):
        raise HarnessError("use --tls [--ca-out FILE] for a test CA, or --cert FILE --key FILE, not both")
    password = os.environ.get(ADMIN_PASSWORD_ENV)
    try:
        config = EmulatorConfig(
            profile=profile,  # type: ignore[arg-type]
            db_path=db_path,
            base_path=base_path,
            admin_login=admin_login,
            admin_password=password or secrets.token_urlsafe(18),
            seed_token=token or None,
            defects=DefectSwitches(set(defects)),
            trusted_proxies=list(trusted_proxies),
        )
        app = build_app(config)
    except (ValueError, OSError, sqlite3.Error, DatabaseInUse) as exc:
        raise HarnessError(f"cannot start the emulator: {exc}") from exc
    try:
        listener = listening_socket(host, port)
    except OSError as exc:
        raise HarnessError(f"cannot serve the emulator on {host}:{port}: {exc.strerror or exc}") from exc
    with tempfile.TemporaryDirectory(prefix="scim-emulator-tls-") as tls_dir:
        files = _tls_files(tls, ca_out, cert, key, Path(tls_dir))
        url = f"{'https' if files else 'http'}://{host}:{listener.getsockname()[1]}"
        _announce(config, url, token, password, ca_out)
        # Serve on the socket bound above, so a port in use is one readable line rather than uvicorn's log.
        uvicorn.Server(uvicorn_config(app, config, files)).run(sockets=[listener])


def _tls_files(
    tls: bool, ca_out: str | None, cert: str | None, key: str | None, where: Path
) -> TlsFiles | None:
    if cert and key:
        return TlsFiles(cert, key)
    if not tls:
        return None
    files = issue_test_certificate(where)
    if ca_out:
        Path(ca_out).write_bytes(files.ca_pem or b"")
    return files


def _announce(
    config: EmulatorConfig, url: str, token: str | None, password: str | None, ca_out: str | None
) -> None:
    kind = "Kintone SCIM emulator" if config.profile == "kintone" else "Generic SCIM service (emulator)"
    click.echo(f"{kind}: SCIM at {url}{config.base_path}, administrator {config.admin_login!r}")
    if ca_out:
        click.echo(f"test CA certificate written to {ca_out} (clients: trust it, e.g. ${CA_FILE_ENV})")
    if token:
        click.echo("one API token seeded from --token / $" + TOKEN_ENV)
    else:
        # Without a seeded token a fresh emulator refuses every SCIM call: say how to get one.
        click.echo(
            f"no API token seeded (pass --token or ${TOKEN_ENV}, or run `scim-harness emulator token create`)"
        )
    if not password:
        click.echo(
            f"the administrator password is random: set ${ADMIN_PASSWORD_ENV} to use the admin surface"
        )
    if config.defects.enabled:
        click.echo("test-only defects on: " + ", ".join(sorted(config.defects.enabled)))


@emulator.command("defects")
@click.option("--json", "as_json", is_flag=True, help="The catalogue as JSON.")
@click.option("--markdown", is_flag=True, help="The catalogue as the Markdown table of docs/emulator.md.")
@click.option("--profile", type=click.Choice(PROFILES), default=None, help="Only the defects of one profile.")
def defects_command(as_json: bool, markdown: bool, profile: str | None) -> None:
    """The catalogue of test-only SCIM-service defects: what each does and what it does to Entra."""
    entries = [d for d in CATALOGUE if profile is None or profile in d.profiles]
    if markdown:
        from scim_harness.emulator.defects.docs import markdown_table

        click.echo(markdown_table(entries), nl=False)
        return
    if as_json:
        rows = [
            {
                "name": d.name,
                "category": str(d.category),
                "profiles": list(d.profiles),
                "description": d.description,
                "entra_effect": d.entra_effect,
                "source": d.source,
                "rfc_note": d.rfc_note,
            }
            for d in entries
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(entries)} SCIM-service defects", show_lines=False)
    for column in ("name", "category", "profiles", "what it does", "what it does to Entra", "source"):
        table.add_column(column)
    for d in entries:
        effect = d.entra_effect + (f" (RFC: {d.rfc_note})" if d.rfc_note else "")
        table.add_row(d.name, str(d.category), ", ".join(d.profiles), d.description, effect, d.source)
    Console().print(table)
