"""`scim-harness compare`: one Entra sequence against two targets; exit 0 equivalent, 1 different, 2 error."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from scim_harness import vendor_options
from scim_harness.common.errors import HarnessError
from scim_harness.common.redact import Redactor
from scim_harness.common.scim_wire import Dialect
from scim_harness.compare import reach
from scim_harness.compare.diff import compare as compare_sides
from scim_harness.compare.render import verdict, write_reports
from scim_harness.compare.replay import Target, load_scenario, replay
from scim_harness.simulator.mappings import MappingSet
from scim_harness.simulator.timeline import parse_duration
from scim_harness.vendor_options import TOKEN_ENV, dialect_option, out_option, tenant_options, timeout_option


def read_token(ctx: click.Context, side: str, value: str | None, file: Path | None) -> str:
    """A side's Secret Token: its file, else --token-X / SCIM_HARNESS_TOKEN_X, else SCIM_HARNESS_TOKEN."""
    return vendor_options.read_token(
        ctx,
        f"token_{side.lower()}",
        value,
        file,
        of=side,
        env=f"{TOKEN_ENV}_{side}",
        file_flag=f"--token-{side.lower()}-file",
        fallback_env=TOKEN_ENV,
    )


def _path(flag: str, help_text: str, **kwargs: object):
    return click.option(flag, type=click.Path(dir_okay=False, path_type=Path), help=help_text, **kwargs)


@click.command("compare")
@click.option("--a", "url_a", required=True, metavar="URL", help="SCIM base URL of target A (the reference).")
@click.option("--b", "url_b", required=True, metavar="URL", help="SCIM base URL of target B.")
@click.option("--a-name", default="A", show_default=True, help="A short name for A in the reports.")
@click.option("--b-name", default="B", show_default=True, help="A short name for B in the reports.")
@click.option("--token-a", envvar=f"{TOKEN_ENV}_A", show_envvar=True, metavar="TOKEN", help="Token of A.")
@click.option("--token-b", envvar=f"{TOKEN_ENV}_B", show_envvar=True, metavar="TOKEN", help="Token of B.")
@_path("--token-a-file", "File holding the Secret Token of A.")
@_path("--token-b-file", "File holding the Secret Token of B.")
@_path("--tenant", "Tenant file in Graph's JSON shape (users, groups, assignments, timeline).")
@click.option(
    "--users", type=click.IntRange(min=0, max=100_000), help="Generate a tenant of N users instead."
)
@tenant_options
@click.option(
    "--lifecycle/--no-lifecycle",
    default=True,
    show_default=True,
    help="Play the built-in lifecycle (updates, deprovisioning, a rename...) on generated users.",
)
@_path("--mappings", "Attribute mappings file (default: the Kintone help article's set).")
@dialect_option(
    "Entra's payload dialect for both (default: as the Tenant URLs say, `?aadOptscim062020` or not)."
)
@click.option(
    "--run",
    "run_for",
    metavar="DURATION",
    help="Virtual time to run, e.g. 4h, 2d (default: the timeline's last event plus one cycle, 3h40m with "
    "the lifecycle; without a timeline only the initial cycle).",
)
@timeout_option
@out_option(Path("reports/compare"), "Where compare.md, compare.html and compare.json go.")
@click.pass_context
def compare(
    ctx: click.Context,
    url_a: str,
    url_b: str,
    a_name: str,
    b_name: str,
    token_a: str | None,
    token_b: str | None,
    token_a_file: Path | None,
    token_b_file: Path | None,
    tenant: Path | None,
    users: int | None,
    seed: int,
    locale: str,
    lifecycle: bool,
    mappings: Path | None,
    dialect: str | None,
    run_for: str | None,
    timeout: float,
    out: Path,
) -> None:
    """Replay one Entra sequence against targets A and B and report every difference.

    Both sides get the same tenant, the same virtual clock and the same order of requests (the simulator's
    own engine); ids, timestamps, locations and ETags are normalised. Exit code 0 when equivalent, 1 when
    different, 2 on a usage error or an unreachable target.
    """
    if (tenant is None) == (users is None):
        raise HarnessError("give exactly one of --tenant FILE or --users N")
    target_a = Target(a_name, url_a, read_token(ctx, "A", token_a, token_a_file))
    target_b = Target(b_name, url_b, read_token(ctx, "B", token_b, token_b_file))
    if dialect is None and reach.dialect_of(url_a) is not reach.dialect_of(url_b):
        raise HarnessError(
            "the Tenant URLs select different dialects (aadOptscim062020 in one only): give --dialect"
        )
    chosen = Dialect(dialect) if dialect is not None else reach.dialect_of(url_a)
    try:
        mapping_set = MappingSet.load(mappings) if mappings is not None else MappingSet.default()
        duration = parse_duration(run_for) if run_for is not None else None
    except ValueError as exc:
        raise HarnessError(str(exc)) from None
    scenario = load_scenario(
        tenant_file=tenant,
        users=users,
        seed=seed,
        locale=locale,
        lifecycle=lifecycle,
        mappings=mapping_set,
        dialect=chosen,
        duration=duration,
        timeout=timeout,
    )
    redactor = Redactor(
        [target_a.token, target_b.token, *reach.query_secrets(url_a), *reach.query_secrets(url_b)]
    )
    for target in (target_a, target_b):  # a typo is one line before any replay
        reach.check(target.name, target.url, target.token, timeout=min(timeout, 30.0), empty_list=False)
    click.echo(f"compare: replaying {scenario.description} against {a_name} (A)...", err=True)
    side_a = replay(scenario, target_a, redactor)
    click.echo(f"compare: ... and against {b_name} (B)", err=True)
    side_b = replay(scenario, target_b, redactor)
    comparison = compare_sides(side_a, side_b)
    try:
        paths = write_reports(comparison, scenario, out)
    except OSError as exc:
        raise HarnessError(f"cannot write the reports to {out}: {exc.strerror}") from None
    click.echo(f"{verdict(comparison)}")
    for difference, rows in comparison.differences().items():
        click.echo(
            f"  {difference.section}: {difference.object} {difference.what}: "
            f"{difference.field} ({len(rows)}x)"
        )
    click.echo(f"reports: {paths['markdown']}, {paths['html']}, {paths['json']}")
    sys.exit(0 if comparison.equivalent else 1)
