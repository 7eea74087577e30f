"""`scim-harness simulate`: run a simulated Entra provisioning job against any SCIM Tenant URL.

Exit codes (also in `--help` and docs/simulator.md): 0 every user and group provisioned and the job healthy;
1 users or groups failed (they wait in escrow), the target stopped answering (the run ends after that
cycle: `timeouts_end_cycle`), or the job is quarantined or disabled; 2 a usage or input error (bad
option, unreadable or invalid file); 3 Test Connection failed; 4 `--max-time` ran out. Every failure is one
line on stderr, with every form of the Secret Token masked, never a traceback.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import click
from click.core import ParameterSource
from rich.console import Console
from rich.table import Table
from rich.text import Text

from scim_harness.common.errors import HarnessError
from scim_harness.simulator.cli_input import (
    MAX_USERS,
    TOKEN_ENV,
    BoundedFloat,
    load_mappings,
    load_tenant,
    run_duration,
    secret_token,
    wall_budget,
)
from scim_harness.simulator.cli_progress import RunProgress
from scim_harness.simulator.clock import RealClock, VirtualClock
from scim_harness.simulator.engine import CycleSummary, EngineSettings, ProvisioningJob
from scim_harness.simulator.runner import TimelineRunner
from scim_harness.simulator.safe_text import printable
from scim_harness.simulator.timeline import TimelineError

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CONNECTION, EXIT_TIME = 0, 1, 2, 3, 4
_DEFAULTS = EngineSettings()
_EPILOG = (
    "Exit codes: 0 all provisioned, job healthy; 1 users or groups failed, the target stopped answering, "
    "or the job is quarantined or disabled; 2 usage or input error; 3 Test Connection failed; "
    "4 --max-time ran out."
)


class _OneLineErrors(click.Command):
    """Usage errors as one `error: ...` line and exit code 2, like every other error of the command."""

    def make_context(self, info_name, args, parent=None, **extra):  # type: ignore[no-untyped-def]
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.exceptions.UsageError as exc:
            _error(" ".join(exc.format_message().split()), EXIT_USAGE)


def _file(flag: str, help_text: str) -> Callable[[Callable[..., object]], Callable[..., object]]:
    return click.option(flag, type=click.Path(dir_okay=False, path_type=Path), help=help_text)


@click.command("simulate", cls=_OneLineErrors, epilog=_EPILOG)
@click.option(
    "--target",
    required=True,
    metavar="URL",
    help="Tenant URL (SCIM base); add ?aadOptscim062020 for the compliant dialect, as in Entra.",
)
@click.option(
    "--token",
    envvar=TOKEN_ENV,
    metavar="TOKEN",
    show_envvar=True,
    help=f"Secret Token (sent as a Bearer token). Visible in the process list: prefer {TOKEN_ENV} "
    "or --token-file.",
)
@_file("--token-file", "Read the Secret Token from the first line of this file.")
@_file("--tenant", "Tenant file in Graph's JSON shape (users, groups, assignments, timeline).")
@click.option(
    "--users",
    type=click.IntRange(0, MAX_USERS),
    help=f"Generate N assigned users (at most {MAX_USERS:,}) instead of --tenant.",
)
@click.option(
    "--locale",
    type=click.Choice(["en_US", "ja_JP", "mix"]),
    default="en_US",
    show_default=True,
    help="Names for generated users.",
)
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=None, help="Seed for generated users.")
@_file("--mappings", "Attribute mappings file (default: the Kintone help article's set).")
@click.option(
    "--run",
    "run_for",
    default=None,
    metavar="DURATION",
    help="Simulated time to run, e.g. 2h, "
    "30d, at most a year (default: the timeline's end plus one cycle, or the initial cycle only).",
)
@_file("--logs", "Write the provisioning logs here as JSON.")
@click.option("--show-logs", is_flag=True, help="Print the provisioning logs as a table at the end.")
@click.option("--real-time", is_flag=True, help="Use the wall clock instead of the virtual one.")
@click.option(
    "--max-connections",
    type=click.IntRange(1, 256),
    default=_DEFAULTS.max_connections,
    show_default=True,
    help="Parallel connections to the target.",
)
@click.option(
    "--timeout",
    type=BoundedFloat(0.1, 3600),
    default=_DEFAULTS.timeout_seconds,
    show_default=True,
    help="Total time one request may take, seconds (Entra's is 60).",
)
@_file("--ca-file", "A PEM CA certificate to trust besides the public roots (a test CA).")
@click.option(
    "--max-time",
    default=None,
    metavar="DURATION",
    help="Wall-clock budget of the whole run (e.g. 10m); when it runs out the run stops and exits 4.",
)
@click.option(
    "--progress",
    type=click.Choice(["auto", "bar", "lines", "off"]),
    default="auto",
    show_default=True,
    help="A bar on a terminal, a line every few seconds otherwise (auto).",
)
@click.option(
    "--progress-every",
    type=BoundedFloat(0.1, 3600),
    default=5.0,
    show_default=True,
    help="Seconds between progress lines.",
)
@click.pass_context
def simulate(ctx: click.Context, **options: object) -> None:
    """Provision a tenant to TARGET the way Microsoft Entra ID does, on a virtual clock by default."""
    from_command_line = ctx.get_parameter_source("token") is ParameterSource.COMMANDLINE
    try:
        code = _simulate(from_command_line=from_command_line, **options)  # type: ignore[arg-type]
    except HarnessError as exc:
        _error(str(exc), EXIT_USAGE)
    ctx.exit(code)


def _simulate(
    *,
    target: str,
    token: str | None,
    token_file: Path | None,
    tenant: Path | None,
    users: int | None,
    locale: str,
    seed: int | None,
    mappings: Path | None,
    run_for: str | None,
    logs: Path | None,
    show_logs: bool,
    real_time: bool,
    max_connections: int,
    timeout: float,
    ca_file: Path | None,
    max_time: str | None,
    progress: str,
    progress_every: float,
    from_command_line: bool,
) -> int:
    token, warning = secret_token(token, token_file, from_command_line)
    if warning:
        click.secho(warning, fg="yellow", err=True)
    if (tenant is None) == (users is None):
        raise HarnessError("give exactly one of --tenant FILE or --users N")
    clock = RealClock() if real_time else VirtualClock()
    source = load_tenant(tenant, users, locale, seed, clock)
    mapping_set = load_mappings(mappings)
    duration = run_duration(run_for, source.timeline, _DEFAULTS.cycle_interval)
    budget = wall_budget(max_time)
    try:
        settings = EngineSettings(
            max_connections=max_connections,
            timeout_seconds=timeout,
            ca_file=None if ca_file is None else str(ca_file),
        )
        job = ProvisioningJob(source, target, token, mapping_set, clock, settings)
    except ValueError as exc:
        raise HarnessError(str(exc)) from None
    console = Console()
    with job:
        mask = job.logs.redactor.text
        check = job.test_connection()
        if not check.success:
            _error(mask(f"Test Connection failed ({check.error_code}): {check.message}"), EXIT_CONNECTION)
        timer = threading.Timer(budget, job.cancel) if budget else None
        if timer:
            timer.daemon = True
            timer.start()
        try:
            with RunProgress(job, duration, mode=progress, every=progress_every) as shown:  # type: ignore[arg-type]
                runner = TimelineRunner(job, source.timeline, stop_when_unreachable=True)
                cycles = runner.run(duration, shown.advanced)
        except TimelineError as exc:
            raise HarnessError(str(exc)) from None
        finally:
            if timer:
                timer.cancel()
        if logs is not None:
            try:
                job.logs.write(logs)
            except OSError as exc:
                raise HarnessError(f"cannot write logs to {logs}: {exc.strerror}") from None
        if show_logs:
            console.print(job.logs.as_table())
        console.print(_summary_table(job, cycles, duration))
        return _verdict(job, cycles, runner.unreachable, max_time)


def _verdict(
    job: ProvisioningJob, cycles: list[CycleSummary], unreachable: str | None, max_time: str | None
) -> int:
    """The exit code, and its one line on stderr when it is not 0."""
    mask = job.logs.redactor.text
    status = job.status
    if job.cancelled:
        requests = sum(c.requests for c in cycles)
        _error(
            f"--max-time {max_time} ran out: stopped after {len(cycles)} cycles and {requests:,} requests",
            EXIT_TIME,
            exit_now=False,
        )
        return EXIT_TIME
    if unreachable:
        _error(mask(f"the SCIM endpoint stopped answering: {unreachable}"), EXIT_FAILED, exit_now=False)
        return EXIT_FAILED
    if job.quarantined:
        reason = f" ({status.quarantine_reason})" if status.quarantine_reason else ""
        message = f": {status.quarantine_message}" if status.quarantine_message else ""
        _error(mask(f"the provisioning job is {status.state}{reason}{message}"), EXIT_FAILED, exit_now=False)
        return EXIT_FAILED
    if status.escrows:
        _error(
            f"{status.escrows:,} users or groups failed and wait in escrow (see the provisioning logs)",
            EXIT_FAILED,
            exit_now=False,
        )
        return EXIT_FAILED
    return EXIT_OK


def _error(message: str, code: int, *, exit_now: bool = True) -> None:
    click.secho(f"error: {printable(message, 1000)}", fg="red", err=True)
    if exit_now:
        raise click.exceptions.Exit(code)


def _summary_table(job: ProvisioningJob, cycles: list[CycleSummary], duration: timedelta) -> Table:
    mask = job.logs.redactor.text
    status = job.status
    by_action: Counter[str] = Counter()
    for cycle in cycles:
        by_action.update(cycle.by_action_status)
    table = Table(title="Provisioning summary", show_header=False)
    table.add_column("what")
    table.add_column("value")
    rows = [
        ("simulated time", str(duration)),
        ("cycles", f"{len(cycles)} ({sum(c.kind == 'initial' for c in cycles)} initial)"),
        ("requests", str(sum(c.requests for c in cycles))),
        *((key, str(count)) for key, count in sorted(by_action.items())),
        ("log entries", str(len(job.logs.entries))),
        ("escrows", str(status.escrows)),
        ("job state", status.state + (f" ({status.quarantine_reason})" if status.quarantine_reason else "")),
    ]
    if status.quarantine_message:
        rows.append(("quarantine", status.quarantine_message))
    for what, value in rows:  # Text, not markup: a target's words must not style the terminal
        table.add_row(Text(what), Text(printable(mask(value), 1000)))
    return table
