"""`scim-harness report`: rebuild the HTML report (and the summary) from the results of an earlier run."""

from __future__ import annotations

from pathlib import Path

import click

from scim_harness.reporting import build_html
from scim_harness.reporting.environment import FILE_NAME, read_environment
from scim_harness.reporting.summary import write_summary


def _path(flag: str, name: str, default: Path | None, help_text: str):
    return click.option(
        flag,
        name,
        type=click.Path(path_type=Path),
        default=default,
        show_default=default is not None,
        help=help_text,
    )


@click.command("report")
@_path(
    "--results",
    "results_dir",
    Path("reports/allure-results"),
    "Allure results directory written by `scim-harness run`.",
)
@_path(
    "--out",
    "report_dir",
    Path("reports/allure-report"),
    "Directory for the single-file HTML report (index.html).",
)
@_path(
    "--junit",
    "junit_xml",
    None,
    "JUnit XML of the run, for the Markdown summary [default: junit.xml next to the results].",
)
@_path(
    "--history",
    "history",
    None,
    "Allure history file shown in the report, read only [default: history.jsonl next to the results].",
)
def report(results_dir: Path, report_dir: Path, junit_xml: Path | None, history: Path | None) -> None:
    """Rebuild the HTML report and the Markdown summary from existing results (no scenario is run)."""
    history = history or results_dir.parent / "history.jsonl"
    html = build_html(
        results_dir,
        report_dir,
        warn=lambda message: click.secho(message, fg="yellow", err=True),
        history=history if history.is_file() else None,
        append_history=False,  # this run is in the history already: a rebuild adds no point to the trend
    )
    if html is not None:
        click.echo(f"HTML report: {html}")

    junit_xml = junit_xml or results_dir.parent / "junit.xml"
    if junit_xml.exists():
        environment = read_environment(results_dir / FILE_NAME)
        summary = write_summary(
            junit_xml,
            results_dir.parent / "summary.md",
            target=environment.get("target", "unknown"),
            dialect=environment.get("dialect", "unknown"),
        )
        click.echo(summary)
    else:
        click.secho(f"no JUnit XML at {junit_xml}: summary not rebuilt", fg="yellow", err=True)
