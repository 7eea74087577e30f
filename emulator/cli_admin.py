"""`scim-harness emulator ...` admin subcommands: what a Kintone administrator does, and the test-only
switches, over HTTP through the one admin client (AdminClient)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from typing import Any

import click

from scim_harness.common.errors import HarnessError
from scim_harness.emulator.admin_client import AdminClient, TokenInfo
from scim_harness.emulator.config import ADMIN_PASSWORD_ENV
from scim_harness.emulator.defects import BY_NAME
from scim_harness.emulator.rules import RuleSwitches

URL_ENV = "SCIM_HARNESS_EMULATOR_URL"
DEFAULT_URL = "http://127.0.0.1:8080"
CA_FILE_ENV = "SCIM_HARNESS_EMULATOR_CA"


def _client(url: str, admin_login: str) -> AdminClient:
    password = os.environ.get(ADMIN_PASSWORD_ENV)
    if not password:
        raise HarnessError(f"set ${ADMIN_PASSWORD_ENV} to the emulator's administrator password")
    # An HTTPS emulator with a test CA: trust the CA file `serve --ca-out` wrote.
    return AdminClient(url, admin_login, password, verify=os.environ.get(CA_FILE_ENV) or True)


def admin_options(command: Callable[..., None]) -> Callable[..., None]:
    command = click.option("--admin-login", default="Administrator", show_default=True)(command)
    return click.option("--url", envvar=URL_ENV, default=DEFAULT_URL, show_default=True)(command)


@click.group()
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
    click.echo(f"id: {created.info.id}")
    click.echo(f"expires: {created.info.expires_at or 'never'}")
    click.echo(f"SCIM endpoint: {created.scim_endpoint}")
    click.echo(f"API token (shown once): {created.token}")


@token.command("list")
@admin_options
def token_list(url: str, admin_login: str) -> None:
    """List the API tokens: id, state, expiry and notes (never a value)."""
    with _client(url, admin_login) as client:
        for item in client.list_tokens():
            click.echo(_token_line(item))


def _token_line(item: TokenInfo) -> str:
    state = "enabled" if item.enabled else "disabled"
    return f"{item.id}  {state:8}  expires {item.expires_at or 'never'}  {item.notes}"


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


_token_command("disable", "disabled", lambda client, token_id: client.disable_token(token_id))
_token_command("enable", "enabled", lambda client, token_id: client.enable_token(token_id))
_token_command("delete", "deleted", lambda client, token_id: client.delete_token(token_id))


@click.command()
@click.argument("action", type=click.Choice(["on", "off", "status"]))
@admin_options
def propagation(action: str, url: str, admin_login: str) -> None:
    """Switch Propagate Provisioning on or off, or show it."""
    with _client(url, admin_login) as client:
        enabled = client.propagation(None if action == "status" else action == "on")
    click.echo(f"Propagate Provisioning: {'on' if enabled else 'off'}")


@click.group()
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


@click.group("ip-allowlist")
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


@click.command()
@click.argument("changes", nargs=-1)
@admin_options
def rules(changes: tuple[str, ...], url: str, admin_login: str) -> None:
    """Show the test-only rule switches, or set some: NAME=true NAME=false."""
    parsed = _switch_changes(changes, RuleSwitches.names())
    with _client(url, admin_login) as client:
        current = client.rules(parsed or None)
    for name, value in current.items():
        click.echo(f"{name}={'true' if value else 'false'}")


def _switch_changes(changes: tuple[str, ...], names: list[str]) -> dict[str, bool]:
    parsed: dict[str, bool] = {}
    for change in changes:
        name, sep, value = change.partition("=")
        if not sep or value.lower() not in {"true", "false"} or name not in names:
            raise HarnessError(f"expected NAME=true|false, NAME one of: {', '.join(names)}")
        parsed[name] = value.lower() == "true"
    return parsed


@click.command("defect-switches")
@click.argument("changes", nargs=-1)
@click.option("--latency-seconds", type=float, default=None, help="How long slow_answers delays an answer.")
@admin_options
def defect_switches(
    changes: tuple[str, ...], latency_seconds: float | None, url: str, admin_login: str
) -> None:
    """Show the defects switched on in a running emulator, or set some: NAME=true NAME=false."""
    parsed = _switch_changes(changes, sorted(BY_NAME))
    parameters = {} if latency_seconds is None else {"latency_seconds": latency_seconds}
    with _client(url, admin_login) as client:
        state = client.defects(parsed or None, **parameters)
    click.echo("defects on: " + (", ".join(state.enabled) or "(none)"))
    click.echo("parameters: " + ", ".join(f"{k}={v:g}" for k, v in sorted(state.parameters.items())))


ADMIN_COMMANDS = [token, propagation, users, ip_allowlist, rules, defect_switches]
