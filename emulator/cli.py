"""`scim-harness emulator ...`: serve the emulator, and do what a Kintone admin does, over HTTP."""

from __future__ import annotations

import os
import secrets
import socket
import sqlite3
from collections.abc import Callable
from typing import Any

import click

from scim_harness.common.errors import HarnessError
from scim_harness.emulator.admin_client import AdminClient
from scim_harness.emulator.config import ADMIN_PASSWORD_ENV, TOKEN_ENV, EmulatorConfig
from scim_harness.emulator.rules import RuleSwitches

URL_ENV = "SCIM_HARNESS_EMULATOR_URL"
DEFAULT_URL = "http://127.0.0.1:8080"


@click.group()
def emulator() -> None:
    """The Kintone SCIM emulator: serve it, and manage tokens, propagation, users and the IP allow list."""


@emulator.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
@click.option("--db", "db_path", default=":memory:", show_default=True, help="SQLite file (or :memory:).")
@click.option("--token", envvar=TOKEN_ENV, default=None, help=f"Seed one valid API token (or ${TOKEN_ENV}).")
@click.option("--base-path", default="/scim/v2", show_default=True, help="Where SCIM is served.")
@click.option("--admin-login", default="Administrator", show_default=True)
def serve(host: str, port: int, db_path: str, token: str | None, base_path: str, admin_login: str) -> None:
    """Run the emulator in the foreground until interrupted."""
    import uvicorn

    from scim_harness.emulator.app import build_app

    password = os.environ.get(ADMIN_PASSWORD_ENV)
    try:
        config = EmulatorConfig(
            db_path=db_path,
            base_path=base_path,
            admin_login=admin_login,
            admin_password=password or secrets.token_urlsafe(18),
            seed_token=token or None,
        )
        app = build_app(config)
    except (ValueError, OSError, sqlite3.Error) as exc:
        raise HarnessError(f"cannot start the emulator: {exc}") from exc
    listener = _listen(host, port)
    url = f"http://{host}:{port}"
    click.echo(f"Kintone SCIM emulator: SCIM at {url}{config.base_path}, administrator {admin_login!r}")
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
    # Serve on the socket bound above, so a port in use is one readable line rather than uvicorn's own log.
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    server.run(sockets=[listener])


def _listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port; IPPROTO_TCP so asyncio sets TCP_NODELAY on its connections."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((host, port))
            listener.listen(2048)
        except OSError:
            listener.close()
            raise
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise HarnessError(f"cannot serve the emulator on {host}:{port}: {reason}") from exc
    return listener


def _client(url: str, admin_login: str) -> AdminClient:
    password = os.environ.get(ADMIN_PASSWORD_ENV)
    if not password:
        raise HarnessError(f"set ${ADMIN_PASSWORD_ENV} to the emulator's administrator password")
    return AdminClient(url, admin_login, password)


def admin_options(command: Callable[..., None]) -> Callable[..., None]:
    command = click.option("--admin-login", default="Administrator", show_default=True)(command)
    return click.option("--url", envvar=URL_ENV, default=DEFAULT_URL, show_default=True)(command)


@emulator.group()
def token() -> None:
    """API tokens for provisioning (the value is shown only when created)."""


@token.command("create")
@click.option("--validity-days", type=int, default=None, help="Days until expiry; leave out for no expiry.")
@click.option("--notes", default="", help="Notes for the API token.")
@admin_options
def token_create(validity_days: int | None, notes: str, url: str, admin_login: str) -> None:
    """Create an API token and print its value (shown only this once) and the SCIM endpoint."""
    with _client(url, admin_login) as client:
        created = client.create_token(validity_days, notes)
    click.echo(f"id: {created['id']}")
    click.echo(f"expires: {created['expires_at'] or 'never'}")
    click.echo(f"SCIM endpoint: {created['scim_endpoint']}")
    click.echo(f"API token (shown once): {created['token']}")


@token.command("list")
@admin_options
def token_list(url: str, admin_login: str) -> None:
    """List the API tokens: id, state, expiry and notes (never a value)."""
    _echo_each(
        url,
        admin_login,
        AdminClient.list_tokens,
        lambda item: "{id}  {state:8}  expires {expires}  {notes}".format(
            id=item["id"],
            state="enabled" if item["enabled"] else "disabled",
            expires=item["expires_at"] or "never",
            notes=item["notes"],
        ),
    )


def _echo_each(
    url: str,
    admin_login: str,
    fetch: Callable[[AdminClient], list[dict[str, Any]]],
    line: Callable[[dict[str, Any]], str],
) -> None:
    """Print one line for each item the emulator lists."""
    with _client(url, admin_login) as client:
        for item in fetch(client):
            click.echo(line(item))


def _token_command(name: str, done: str, act: Callable[[AdminClient, str], object]) -> None:
    """`emulator token NAME ID`: one call on one token, then one line saying it is done."""

    @token.command(name, help=f"{name.capitalize()} the API token ID.")
    @click.argument("token_id")
    @admin_options
    def command(token_id: str, url: str, admin_login: str) -> None:
        with _client(url, admin_login) as client:
            act(client, token_id)
        click.echo(f"{done} {token_id}")


_token_command("disable", "disabled", lambda client, token_id: client.update_token(token_id, enabled=False))
_token_command("enable", "enabled", lambda client, token_id: client.update_token(token_id, enabled=True))
_token_command("delete", "deleted", lambda client, token_id: client.delete_token(token_id))


@emulator.command()
@click.argument("action", type=click.Choice(["on", "off", "status"]))
@admin_options
def propagation(action: str, url: str, admin_login: str) -> None:
    """Switch Propagate Provisioning on or off, or show it."""
    with _client(url, admin_login) as client:
        enabled = client.propagation(None if action == "status" else action == "on")
    click.echo(f"Propagate Provisioning: {'on' if enabled else 'off'}")


@emulator.group()
def users() -> None:
    """Users as a Kintone administrator sees them (Kintone's User API)."""


@users.command("add")
@click.argument("login_name")
@click.option("--name", "display_name", default=None, help="Display name (default: the login name).")
@click.option("--surname", default=None)
@click.option("--given-name", default=None)
@click.option("--email", default=None)
@click.option("--inactive", is_flag=True, help="Create the user with status Inactive.")
@admin_options
def users_add(
    login_name: str,
    display_name: str | None,
    surname: str | None,
    given_name: str | None,
    email: str | None,
    inactive: bool,
    url: str,
    admin_login: str,
) -> None:
    """Add a user as a Kintone administrator does (the User API); SCIM adopts it by login name."""
    fields = {"surName": surname, "givenName": given_name, "email": email, "valid": not inactive}
    fields = {key: value for key, value in fields.items() if value is not None}
    with _client(url, admin_login) as client:
        # Provisioned Kintone users sign in by SAML; the User API still wants a password, so make one up.
        client.add_user(login_name, display_name or login_name, secrets.token_urlsafe(12), **fields)
    click.echo(f"added {login_name}")


@users.command("list")
@admin_options
def users_list(url: str, admin_login: str) -> None:
    """List the users as the User API gives them: id, login name, status, display name, email."""
    _echo_each(url, admin_login, AdminClient.list_users, _user_line)


def _user_line(user: dict[str, Any]) -> str:
    status = "active" if user["valid"] else "inactive"
    return f"{user['id']:>6}  {user['code']}  {status}  {user['name']}  {user['email']}"


@users.command("delete")
@click.argument("login_names", nargs=-1, required=True)
@admin_options
def users_delete(login_names: tuple[str, ...], url: str, admin_login: str) -> None:
    """Delete users as an administrator does: SCIM will not recreate them (see docs/emulator.md)."""
    with _client(url, admin_login) as client:
        client.delete_users(list(login_names))
    click.echo(f"deleted {', '.join(login_names)}")


@emulator.group("ip-allowlist")
def ip_allowlist() -> None:
    """The IP address allow list (empty = no restriction)."""


@ip_allowlist.command("set")
@click.argument("addresses", nargs=-1)
@admin_options
def ip_allowlist_set(addresses: tuple[str, ...], url: str, admin_login: str) -> None:
    """Allow only these addresses or networks (CIDR); no address at all lifts the restriction."""
    _show_allowlist(url, admin_login, list(addresses))


@ip_allowlist.command("show")
@admin_options
def ip_allowlist_show(url: str, admin_login: str) -> None:
    """Show the allow list."""
    _show_allowlist(url, admin_login, None)


def _show_allowlist(url: str, admin_login: str, addresses: list[str] | None) -> None:
    """Set the allow list (unless addresses is None) and print what the emulator keeps."""
    with _client(url, admin_login) as client:
        kept = client.ip_allowlist(addresses)
    click.echo("allow list: " + (", ".join(kept) or "(empty: no restriction)"))


@emulator.command()
@click.argument("changes", nargs=-1)
@admin_options
def rules(changes: tuple[str, ...], url: str, admin_login: str) -> None:
    """Show the test-only rule switches, or set some: NAME=true NAME=false."""
    parsed: dict[str, bool] = {}
    for change in changes:
        name, sep, value = change.partition("=")
        if not sep or value.lower() not in {"true", "false"} or name not in RuleSwitches.names():
            raise HarnessError(f"expected NAME=true|false with NAME one of {', '.join(RuleSwitches.names())}")
        parsed[name] = value.lower() == "true"
    with _client(url, admin_login) as client:
        current = client.rules(parsed or None)
    for name, value in current.items():
        click.echo(f"{name}={'true' if value else 'false'}")
