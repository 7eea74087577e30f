"""What the vendor commands `compare` and `load` share on their command lines: the Secret Token (from a file,
an option or the environment, with a warning when it is typed where the process list and shell history
show it), and the options of the generated tenant, Entra's dialect, the per-request timeout and the reports
folder.

`simulate` reads its token with the simulator's own bounded reader (simulator.cli_input.secret_token): the
simulator imports nothing of the harness.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from scim_harness.common.errors import HarnessError
from scim_harness.common.scim_wire import DIALECT_NAMES

TOKEN_ENV = "SCIM_HARNESS_TOKEN"
LOCALES = ["en_US", "ja_JP", "mix"]


def read_token(
    ctx: click.Context,
    param: str,
    value: str | None,
    file: Path | None,
    *,
    of: str = "",
    env: str = TOKEN_ENV,
    file_flag: str = "--token-file",
    fallback_env: str | None = None,
) -> str:
    """The token from `file`, else the option `param` (or its variable `env`), else `fallback_env`.
    `of` names whose token it is in the messages ("A", "B"), for a command with two targets."""
    if file is not None:
        whose = f" of {of}" if of else ""
        try:
            token = file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise HarnessError(f"cannot read the token file{whose}: {exc.strerror}") from None
        if not token:
            raise HarnessError(f"the token file{whose} is empty")
        return token
    if value and ctx.get_parameter_source(param) is ParameterSource.COMMANDLINE:
        click.secho(
            f"warning: a token on the command line is visible to other users of this machine and in shell "
            f"history; prefer {env} or {file_flag}",
            fg="yellow",
            err=True,
        )
    token = value or (os.environ.get(fallback_env) if fallback_env else None)
    if not token:
        ways = [env, file_flag, *([fallback_env] if fallback_env else [])]
        raise HarnessError(
            f"a Secret Token{f' for {of}' if of else ''} is needed: {', '.join(ways[:-1])} or {ways[-1]}"
        )
    return token


def tenant_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--seed and --locale of the generated tenant (simulator.generate)."""
    locale = click.option(
        "--locale",
        type=click.Choice(LOCALES),
        default="en_US",
        show_default=True,
        help="Of the generated names.",
    )
    seed = click.option(
        "--seed", type=int, default=1, show_default=True, help="Seed of the generated tenant."
    )
    return seed(locale(command))


def dialect_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--dialect: Entra's payload dialect, by default as the Tenant URL says (`?aadOptscim062020` or not)."""
    return click.option("--dialect", type=click.Choice(DIALECT_NAMES), help=help_text)


def timeout_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """--timeout: each request's deadline, as Entra's."""
    return click.option(
        "--timeout",
        type=click.FloatRange(min=0.1, max=600),
        default=60.0,
        show_default=True,
        help="Per-request timeout, seconds (Entra's is 60, Q-60S).",
    )(command)


def out_option(default: Path, help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--out: the folder the command's reports go to."""
    return click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        default=default,
        show_default=True,
        help=help_text,
    )
