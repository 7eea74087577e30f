"""`scim-harness run`: the conformance suite (pytest on steps/) in a subprocess, then the reports.

Before anything starts: the options, the reports directory and the target with its credentials (the
pre-flight, as Entra's Test Connection), each a one-line error and exit code 2 when wrong. After the run:
HAR merged, summary.md, the HTML report (with the history of earlier runs), the summary on the terminal.
Exit code: 0 all green, 1 a scenario failed, 2 the run could not start or finish.
"""

from __future__ import annotations

import shutil
import sys
import time
import uuid
from pathlib import Path

import click

from scim_harness.common.errors import HarnessError
from scim_harness.common.redact import Redactor
from scim_harness.config import DIALECTS, TARGETS, SuiteConfig
from scim_harness.preflight import preflight as check_target
from scim_harness.reporting import build_html, write_summary
from scim_harness.suite_process import STEPS_DIR, ReportPaths, pytest_error_line, run_pytest
from scim_harness.tags import marker_expression

__all__ = ["STEPS_DIR", "ReportPaths", "marker_expression", "merge_har_parts", "run"]


def _warn(message: str) -> None:
    click.secho(f"warning: {message}", fg="yellow", err=True)


@click.command("run", context_settings={"ignore_unknown_options": False})
@click.option("--target", type=click.Choice(TARGETS), help="What to test (default: the embedded emulator).")
@click.option(
    "--url", help="emulator: a running emulator; kintone: https://SUB.cybozu.com; scim: SCIM base URL."
)
@click.option("--scim-url", help="kintone: the SCIM endpoint shown with the API token.")
@click.option("--tags", help="Tag expression, e.g. '@kintone and not @destructive'.")
@click.option("--dialect", type=click.Choice(DIALECTS), help="Entra's payload dialect (default: legacy).")
@click.option("--capture/--no-capture", default=None, help="Record traffic through mitmproxy (default: on).")
@click.option("--reports", type=click.Path(path_type=Path), help="Output directory (default: reports).")
@click.option("--workers", type=click.IntRange(min=1), help="Parallel pytest-xdist workers (default: 1).")
@click.option(
    "--time-budget",
    type=click.FloatRange(min=1, max=7 * 24 * 3600),
    help="Seconds the whole run may take, pre-flight included (default: 480); then the run ends, exit 1.",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="TOML configuration file (default: ./scim-harness.toml if present).",
)
@click.option(
    "--history",
    type=click.Path(path_type=Path),
    help="Allure history of earlier runs: a history.jsonl, or a previous reports directory holding one "
    "(default: the reports directory's own, so runs into one directory build a trend).",
)
@click.option(
    "--preflight/--no-preflight", default=True, help="Check the target and credentials first (default: on)."
)
@click.option(
    "--pytest-output", is_flag=True, help="Show pytest's own output live instead of the progress display."
)
@click.argument("pytest_args", nargs=-1, type=click.UNPROCESSED, metavar="[-- PYTEST_ARGS]...")
def run(
    target: str | None,
    url: str | None,
    scim_url: str | None,
    tags: str | None,
    dialect: str | None,
    capture: bool | None,
    reports: Path | None,
    workers: int | None,
    time_budget: float | None,
    config_file: Path | None,
    history: Path | None,
    preflight: bool,
    pytest_output: bool,
    pytest_args: tuple[str, ...],
) -> None:
    """Run the conformance suite against a target, write the reports and exit non-zero if a scenario fails.

    Arguments after `--` go to pytest as they are, e.g. `scim-harness run -- -k token -x` or `-- --lf`.
    """
    started = time.monotonic()
    config = SuiteConfig.load(
        {
            "target": target,
            "url": url,
            "scim_url": scim_url,
            "tags": tags,
            "dialect": dialect,
            "capture": capture,
            "reports": reports,
            "workers": workers,
            "time_budget": time_budget,
        },
        config_file=config_file,
    )
    config.validate_target()
    if config.tags:
        marker_expression(config.tags)  # a bad expression fails here, in one line, before pytest starts
    paths = ReportPaths(_writable_directory(config.reports))
    previous = _previous_history(history, paths)
    if preflight:
        checked = _preflight(config)
        if checked:
            click.echo(f"scim-harness: pre-flight passed ({', '.join(checked)})", err=True)
    click.echo(
        f"scim-harness: running the conformance suite against {config.target} "
        f"(dialect {config.dialect}), reports in {paths.root}",
        err=True,
    )
    # The budget counts from the start of the command: what the pre-flight took is no longer the suite's.
    left = max(1.0, config.time_budget - (time.monotonic() - started))
    code = run_pytest(config.with_changes(time_budget=left), paths, pytest_args, live_output=pytest_output)
    if code == 5:
        raise HarnessError("no scenario matched the selection (check --tags and the pytest arguments)")
    if code not in (0, 1):
        raise HarnessError(f"the suite could not run (pytest exit code {code}): {pytest_error_line(paths)}")
    merge_har_parts(paths.har)
    _write_reports(config, paths, previous)
    if code == 1 and not pytest_output:
        click.echo(f"pytest's own output, with each failure in full: {paths.pytest_output}")
    sys.exit(code)


def _writable_directory(directory: Path) -> Path:
    """The reports directory, created and checked writable now, so a bad path is one line before the run."""
    root = directory.expanduser().resolve()
    probe = root / f".scim-harness-{uuid.uuid4().hex}"
    try:
        root.mkdir(parents=True, exist_ok=True)
        probe.write_text("", encoding="utf-8")
        probe.unlink()
    except OSError as exc:
        raise HarnessError(f"cannot write the reports to {directory}: {exc.strerror or exc}") from None
    return root


def _previous_history(history: Path | None, paths: ReportPaths) -> Path | None:
    """--history: a history.jsonl or a directory holding one (a previous reports directory, say)."""
    if history is None:
        return None
    found = history / paths.history.name if history.is_dir() else history
    if not found.is_file():
        raise HarnessError(f"no Allure history at {history} (a {paths.history.name} or a directory with one)")
    return found


def _preflight(config: SuiteConfig) -> list[str]:
    report = check_target(config)
    for warning in report.warnings:
        _warn(warning)
    return report.checked


def merge_har_parts(har: Path) -> None:
    """With xdist each worker writes its own HAR (traffic-gw0.har...); QA gets one file, in time order."""
    parts = sorted(har.parent.glob(f"{har.stem}-gw*{har.suffix}"))
    if parts:
        # Imported here: mitmproxy's import (half a second) is the suite process's, not this one's.
        from scim_harness.capture import merge_har

        merge_har(parts, har, remove_parts=True)


def _write_reports(config: SuiteConfig, paths: ReportPaths, previous_history: Path | None) -> None:
    """HTML report and summary from the reporting part; the summary's short form goes to the terminal."""
    summary = write_summary(paths.junit, paths.summary, target=config.target, dialect=config.dialect)
    if previous_history is not None and previous_history.resolve() != paths.history.resolve():
        shutil.copyfile(previous_history, paths.history)
    try:
        build_html(paths.allure_results, paths.allure_report, history=paths.history, warn=_warn)
    except HarnessError as exc:
        _warn(f"no HTML report: {Redactor(config.secrets).text(str(exc))}")
    click.echo(summary)
