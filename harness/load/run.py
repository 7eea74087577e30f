"""One load run from the command's options: check the target, run (here or as a master), verify, report.

Imported by the `load` command only after the engine (and so after gevent's monkey-patching).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import click
from rich.console import Console
from rich.live import Live
from rich.text import Text

from scim_harness.common.errors import HarnessError
from scim_harness.common.redact import Redactor
from scim_harness.compare import reach
from scim_harness.load.flow import Source
from scim_harness.load.plan import LoadPlan, Slice, parse_share
from scim_harness.load.report import as_json, checks, markdown, passed
from scim_harness.load.verify import verify_exactly_once
from scim_harness.load.work import Progress
from scim_harness.simulator.timeline import parse_duration

TICK_SECONDS = 5.0
"""Without a terminal, one progress line this often."""
PREFLIGHT_TIMEOUT = 15.0


def plan_from(options: dict[str, Any]) -> tuple[LoadPlan, float]:
    if not options["target"] or options["users"] is None:
        raise HarnessError(
            "--target URL and --users N are needed (only a --worker takes them from the master)"
        )
    try:
        duration = parse_duration(str(options["duration"])).total_seconds()
    except ValueError as exc:
        raise HarnessError(f"--duration: {exc}") from None
    plan = LoadPlan(
        target=str(options["target"]),
        users=int(options["users"]),
        seed=int(options["seed"]),
        locale=str(options["locale"]),
        dialect=str(options["dialect"] or reach.dialect_of(str(options["target"])).value),
        cycles=int(options["cycles"]),
        changes_per_cycle=parse_share(str(options["changes_per_cycle"])),
        rate=options["rate"],  # type: ignore[arg-type]
        concurrency=int(options["concurrency"]),
        timeout=float(options["timeout"]),
    )
    return plan, duration


class Ticker:
    """Progress while the run goes: a rich line on a terminal, else a plain line every few seconds."""

    def __init__(self, plan: LoadPlan) -> None:
        self.plan = plan
        self.console = Console(stderr=True)
        self.live = (
            Live(console=self.console, auto_refresh=False, transient=True)
            if self.console.is_terminal
            else None
        )
        self.started = time.monotonic()
        self.last = 0.0

    def __enter__(self) -> Ticker:
        if self.live is not None:
            self.live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.stop()

    def __call__(self, env: Any, progress: Progress) -> None:
        now = time.monotonic()
        if self.live is None and now - self.last < TICK_SECONDS:
            return
        self.last = now
        total = env.stats.total
        line = (
            f"load: {now - self.started:5.0f} s  {total.num_requests:>8,} requests  "
            f"{total.current_rps:7.1f}/s  {total.num_failures:,} failures  cycle {progress.cycle}  "
            f"{progress.users_done:,}/{progress.users_planned:,} user-cycles"
        )
        if self.live is not None:
            self.live.update(Text(line), refresh=True)
        else:
            click.echo(line, err=True)


def run(engine: ModuleType, token: str, options: dict[str, Any]) -> int:
    plan, duration = plan_from(options)
    base, _ = reach.split(plan.target)
    reach.check("the target", plan.target, token, timeout=PREFLIGHT_TIMEOUT, empty_list=True)
    out = Path(options["out"])  # type: ignore[arg-type]
    web = (str(options["web_host"]), int(options["web_port"])) if options["web_ui"] else None
    outputs = engine.Outputs(out, web)
    mode = (
        f"as the master of {options['expect_workers']} worker(s)" if options["master"] else "in this process"
    )
    click.echo(f"load: {plan.users} users against {base} {mode}; reports in {out}", err=True)
    if web:
        click.echo(f"load: Locust's web UI on http://{web[0]}:{web[1]}/", err=True)
    with Ticker(plan) as ticker:
        if options["master"]:
            figures = engine.run_master(
                plan,
                outputs,
                duration,
                ticker,
                expect_workers=int(options["expect_workers"]),
                bind_host=str(options["master_host"]),
                bind_port=int(options["master_port"]),
                connect_wait=float(options["connect_wait"]),
            )
            user_names = Source(plan, Slice(0, 1)).user_names()
        else:
            figures, user_names = engine.run_local(plan, token, outputs, duration, ticker)
    if options["verify"]:
        click.echo(
            f"load: verifying through SCIM that each of {len(user_names)} users exists once...", err=True
        )
        figures.verification = verify_exactly_once(plan.target, token, user_names)
    write(figures, out, Redactor([token, *reach.query_secrets(plan.target)]))
    ok = passed(figures)
    click.echo(
        f"{'PASS' if ok else 'FAIL'}: {figures.total.requests} requests in {figures.wall_seconds:.1f} s "
        f"({figures.throughput:.1f}/s), {figures.total.failures} failures"
    )
    for check in checks(figures):
        click.echo(f"  {check.result:>12}  {check.requirement}: {check.detail}")
    click.echo(f"reports: {out / 'load.md'}, {out / 'load.json'}, {figures.files.get('Locust HTML report')}")
    sys.stdout.flush()
    return 0 if ok else 1


def write(figures: Any, out: Path, redactor: Redactor) -> None:
    figures.files = {"Markdown": str(out / "load.md"), "JSON": str(out / "load.json"), **figures.files}
    data = as_json(figures)
    data["plan"]["target"] = str(data["plan"]["target"]).split("?", 1)[0]
    try:
        (out / "load.md").write_text(redactor.text(markdown(figures)), encoding="utf-8")
        (out / "load.json").write_text(json.dumps(redactor.json(data), indent=2), encoding="utf-8")
    except OSError as exc:
        raise HarnessError(f"cannot write the reports to {out}: {exc.strerror}") from None
