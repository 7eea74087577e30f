"""`scim-harness simulate`: run a simulated Entra provisioning job against any SCIM Tenant URL."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from scim_harness.common.errors import HarnessError
from scim_harness.common.redact import Redactor
from scim_harness.simulator.clock import Clock, RealClock, VirtualClock
from scim_harness.simulator.engine import CycleSummary, EngineSettings, ProvisioningJob
from scim_harness.simulator.expressions import ExpressionError
from scim_harness.simulator.mappings import MappingError, MappingSet
from scim_harness.simulator.runner import TimelineRunner, default_duration
from scim_harness.simulator.scoping import ScopingFilterError
from scim_harness.simulator.tenant import Tenant, TenantError
from scim_harness.simulator.timeline import TimelineError, TimelineEvent, parse_duration

TOKEN_ENV = "SCIM_HARNESS_TOKEN"
# Runs longer than this many cycles get a progress bar.
_PROGRESS_FROM = timedelta(hours=12)


_DEFAULTS = EngineSettings()


def _file_option[F: Callable[..., Any]](flag: str, name: str, help_text: str) -> Callable[[F], F]:
    return click.option(flag, name, type=click.Path(dir_okay=False, path_type=Path), help=help_text)


def _option_with_default[F: Callable[..., Any]](
    flag: str, kind: click.ParamType, default: object, help_text: str
) -> Callable[[F], F]:
    return click.option(flag, type=kind, default=default, show_default=True, help=help_text)


@click.command("simulate")
@click.option(
    "--target",
    required=True,
    metavar="URL",
    help="Tenant URL (SCIM base). Add ?aadOptscim062020 for the compliant dialect, as in Entra.",
)
@click.option(
    "--token",
    envvar=TOKEN_ENV,
    metavar="TOKEN",
    show_envvar=True,
    help=f"Secret Token (sent as a Bearer token). Prefer the {TOKEN_ENV} environment variable.",
)
@_file_option(
    "--tenant", "tenant_file", "Tenant file in Graph's JSON shape (users, groups, assignments, timeline)."
)
@click.option("--users", type=click.IntRange(min=0), help="Generate a tenant of N assigned users instead.")
@_option_with_default(
    "--locale", click.Choice(["en_US", "ja_JP", "mix"]), "en_US", "Names for generated users."
)
@click.option("--seed", type=int, default=None, help="Seed for generated users (repeatable runs).")
@_file_option(
    "--mappings", "mappings_file", "Attribute mappings file (default: the Kintone help article's set)."
)
@click.option(
    "--run",
    "run_for",
    default=None,
    metavar="DURATION",
    help="Simulated time to run, e.g. 2h, 30d (default: the timeline's end plus one cycle, or only "
    "the initial cycle).",
)
@_file_option("--logs", "logs_file", "Write the provisioning logs here as JSON.")
@click.option("--show-logs", is_flag=True, help="Print the provisioning logs as a table at the end.")
@click.option(
    "--real-time", is_flag=True, help="Use the wall clock instead of the virtual one (cycles every 40 min)."
)
@_option_with_default(
    "--max-connections",
    click.IntRange(min=1),
    _DEFAULTS.max_connections,
    "Parallel connections to the target.",
)
@_option_with_default(
    "--timeout", click.FloatRange(min=0.1), _DEFAULTS.timeout_seconds, "Timeout of each request, seconds."
)
def simulate(
    target: str,
    token: str | None,
    tenant_file: Path | None,
    users: int | None,
    locale: str,
    seed: int | None,
    mappings_file: Path | None,
    run_for: str | None,
    logs_file: Path | None,
    show_logs: bool,
    real_time: bool,
    max_connections: int,
    timeout: float,
) -> None:
    """Provision a tenant to TARGET the way Microsoft Entra ID does, on a virtual clock by default."""
    if not token:
        raise HarnessError(f"a Secret Token is needed: --token or the {TOKEN_ENV} environment variable")
    if (tenant_file is None) == (users is None):
        raise HarnessError("give exactly one of --tenant FILE or --users N")
    clock = RealClock() if real_time else VirtualClock()
    tenant = _load_tenant(tenant_file, users, locale, seed, clock)
    mappings = _load_mappings(mappings_file)
    duration = _duration(run_for, tenant.timeline)
    settings = EngineSettings(max_connections=max_connections, timeout_seconds=timeout)
    console = Console()
    try:
        job = ProvisioningJob(tenant, target, token, mappings, clock, settings)
    except ValueError as exc:
        raise HarnessError(str(exc)) from None
    with job:
        check = job.test_connection()
        if not check.success:
            raise HarnessError(_mask(f"Test Connection failed ({check.error_code}): {check.message}", token))
        cycles = _run(job, tenant.timeline, duration, console)
        if logs_file is not None:
            try:
                job.logs.write(logs_file)
            except OSError as exc:
                raise HarnessError(f"cannot write logs to {logs_file}: {exc.strerror}") from None
        if show_logs:
            console.print(job.logs.as_table())
        console.print(_summary_table(job, cycles, duration))


def _load_tenant(path: Path | None, users: int | None, locale: str, seed: int | None, clock: Clock) -> Tenant:
    try:
        if path is not None:
            return Tenant.load(path, clock)
        from scim_harness.simulator.generate import generate_tenant

        return generate_tenant(users or 0, clock, locale=locale, seed=seed)  # type: ignore[arg-type]
    except (TenantError, TimelineError, ScopingFilterError, ExpressionError) as exc:
        raise HarnessError(str(exc)) from None


def _load_mappings(path: Path | None) -> MappingSet:
    try:
        return MappingSet.load(path) if path is not None else MappingSet.default()
    except (MappingError, ExpressionError) as exc:
        raise HarnessError(str(exc)) from None


def _duration(text: str | None, timeline: list[TimelineEvent]) -> timedelta:
    if text is None:
        return default_duration(timeline, _DEFAULTS.cycle_interval)
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise HarnessError(f"--run: {exc}") from None


def _run(job: ProvisioningJob, timeline: list[TimelineEvent], duration: timedelta, console: Console):
    """The engine's timeline runner, with a progress bar on long runs."""
    with Progress(
        TextColumn("[bold]simulating"),
        BarColumn(),
        TextColumn("{task.fields[cycles]} cycles"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=duration < _PROGRESS_FROM,
    ) as progress:
        task = progress.add_task("run", total=max(duration.total_seconds(), 1), cycles=0)
        try:
            return TimelineRunner(job, timeline).run(
                duration,
                lambda elapsed, cycles: progress.update(
                    task, completed=elapsed.total_seconds(), cycles=cycles
                ),
            )
        except TimelineError as exc:
            raise HarnessError(str(exc)) from None


def _summary_table(job: ProvisioningJob, cycles: list[CycleSummary], duration: timedelta) -> Table:
    status = job.status
    by_action: Counter[str] = Counter()
    for cycle in cycles:
        by_action.update(cycle.by_action_status)
    table = Table(title="Provisioning summary", show_header=False)
    table.add_column("what")
    table.add_column("value")
    table.add_row("simulated time", str(duration))
    table.add_row("cycles", f"{len(cycles)} ({sum(c.kind == 'initial' for c in cycles)} initial)")
    table.add_row("requests", str(sum(c.requests for c in cycles)))
    for key, count in sorted(by_action.items()):
        table.add_row(key, str(count))
    table.add_row("log entries", str(len(job.logs.entries)))
    table.add_row("escrows", str(status.escrows))
    table.add_row(
        "job state", status.state + (f" ({status.quarantine_reason})" if status.quarantine_reason else "")
    )
    if status.quarantine_message:
        table.add_row("quarantine", status.quarantine_message)
    return table


def _mask(text: str, token: str) -> str:
    return Redactor([token]).text(text)
