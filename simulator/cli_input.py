"""What `simulate` reads from its user (options, files, the token), each fault one line, never a traceback.

Every value is bounded: a number of generated users, a duration, a timeout, a file's size. A bad value is a
`HarnessError` naming the option or the file and what is wrong with it; the CLI prints it on one line and
exits with code 2 (docs/simulator.md, "Exit codes").
"""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from scim_harness.common.errors import HarnessError
from scim_harness.simulator.client import check_token
from scim_harness.simulator.clock import Clock
from scim_harness.simulator.expressions import ExpressionError
from scim_harness.simulator.files import InputFileError, read_text
from scim_harness.simulator.generate import generate_tenant
from scim_harness.simulator.mappings import MappingError, MappingSet
from scim_harness.simulator.runner import default_duration
from scim_harness.simulator.scoping import ScopingFilterError
from scim_harness.simulator.tenant import Tenant, TenantError
from scim_harness.simulator.timeline import TimelineError, TimelineEvent, parse_duration

TOKEN_ENV = "SCIM_HARNESS_TOKEN"
MAX_USERS = 250_000
"""Generated users: a 100,000-user tenant is practical; 250,000 fits in a few GB."""
MAX_TOKEN_FILE_BYTES = 64 * 1024


class BoundedFloat(click.ParamType):
    """A finite number within [low, high]; NaN and infinities are refused (click's FloatRange takes NaN)."""

    name = "number"

    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = low, high

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(number) or not self.low <= number <= self.high:
            self.fail(f"{value!r} is not a number from {self.low:g} to {self.high:g}", param, ctx)
        return number


def load_tenant(path: Path | None, users: int | None, locale: str, seed: int | None, clock: Clock) -> Tenant:
    try:
        if path is not None:
            return Tenant.load(path, clock)
        return generate_tenant(users or 0, clock, locale=locale, seed=seed)  # type: ignore[arg-type]
    except (TenantError, TimelineError, ScopingFilterError, ExpressionError, ValueError) as exc:
        raise HarnessError(_one_line(str(exc))) from None


def load_mappings(path: Path | None) -> MappingSet:
    try:
        return MappingSet.load(path) if path is not None else MappingSet.default()
    except (MappingError, ExpressionError) as exc:
        raise HarnessError(_one_line(str(exc))) from None


def run_duration(text: str | None, timeline: list[TimelineEvent], cycle_interval: timedelta) -> timedelta:
    if text is None:
        return default_duration(timeline, cycle_interval)
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise HarnessError(f"--run: {exc}") from None


def wall_budget(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        seconds = parse_duration(text).total_seconds()
    except ValueError as exc:
        raise HarnessError(f"--max-time: {exc}") from None
    if seconds <= 0:
        raise HarnessError("--max-time must be more than zero")
    return seconds


def secret_token(
    token: str | None, token_file: Path | None, from_command_line: bool
) -> tuple[str, str | None]:
    """(the token, a warning to print or None). The token comes from --token, --token-file or the env."""
    if token_file is not None:
        if from_command_line:
            raise HarnessError("give the Secret Token once: --token or --token-file, not both")
        try:
            text = read_text(token_file, "token file", MAX_TOKEN_FILE_BYTES)
        except InputFileError as exc:
            raise HarnessError(str(exc)) from None
        token = text.strip().splitlines()[0].strip() if text.strip() else ""
        if not token:
            raise HarnessError(f"token file {token_file} is empty")
    if not token:
        raise HarnessError(
            f"a Secret Token is needed: --token-file FILE or the {TOKEN_ENV} environment variable"
        )
    try:
        check_token(token)
    except ValueError as exc:
        raise HarnessError(str(exc)) from None
    warning = None
    if from_command_line:
        warning = (
            f"warning: --token on the command line shows in the process list; "
            f"use the {TOKEN_ENV} environment variable or --token-file FILE"
        )
    return token, warning


def _one_line(text: str, limit: int = 500) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
