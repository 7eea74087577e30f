"""`scim-harness selftest`: the vendor suite against the emulator's generic profile with each defect of the
catalogue switched on, one at a time, in both dialects; prints the score and exits 1 unless every defect turns
at least one scenario red in every dialect (and the suite is green with no defect)."""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import click

from scim_harness.common.errors import HarnessError
from scim_harness.common.scim_wire import DIALECT_NAMES
from scim_harness.config import BOTH
from scim_harness.emulator.defects import BY_NAME, CATALOGUE, GENERIC
from scim_harness.selftest.score import make_score, markdown_table
from scim_harness.selftest.sweep import DefectRun, sweep

QUICK = (
    "filter_no_match_404",
    "paging_start_index_ignored",
    "patch_value_filter_no_target",
    "group_legacy_member_remove_removes_all",
    "delete_200_with_body",
    "accept_header_required",
    "error_status_integer",
    "missing_token_accepted",
    "slow_answers",
    "resource_types_without_groups",
)
"""One defect of each category (`--quick`)."""


def generic_defects() -> list[str]:
    """Every defect of the catalogue the generic profile carries, in catalogue order."""
    return [d.name for d in CATALOGUE if GENERIC in d.profiles]


@click.command("selftest")
@click.option("--dialect", type=click.Choice([*DIALECT_NAMES, BOTH]), default=BOTH, show_default=True)
@click.option("--defect", "defects", multiple=True, help="Only this defect (repeatable; default: all).")
@click.option("--quick", is_flag=True, help="One defect of each category.")
@click.option("--workers", type=click.IntRange(1, 16), default=1, show_default=True, help="Processes.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), help="Write the score.")
@click.option("--markdown", type=click.Path(dir_okay=False, path_type=Path), help="Write the table.")
@click.option(
    "--work-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep each run's JUnit XML and pytest output here (default: a temporary directory, removed).",
)
def selftest(
    dialect: str,
    defects: tuple[str, ...],
    quick: bool,
    workers: int,
    json_out: Path | None,
    markdown: Path | None,
    work_dir: Path | None,
) -> None:
    """Score the vendor suite against the defect catalogue (docs/detection.md)."""
    unknown = [d for d in defects if d not in BY_NAME]
    if unknown:
        raise HarnessError(f"unknown defect(s): {', '.join(unknown)} (see `scim-harness emulator defects`)")
    chosen = list(defects) or (list(QUICK) if quick else generic_defects())
    not_generic = [d for d in chosen if GENERIC not in BY_NAME[d].profiles]
    if not_generic:
        raise HarnessError(f"not in the generic profile: {', '.join(not_generic)}")
    dialects = list(DIALECT_NAMES) if dialect == BOTH else [dialect]
    root = work_dir or Path(tempfile.mkdtemp(prefix="scim-harness-selftest-"))
    began = time.monotonic()
    click.echo(f"scim-harness selftest: {len(chosen)} defects x {len(dialects)} dialects, {workers} workers")
    done = [0]

    def progress(run: DefectRun) -> None:
        if run.defect is None:
            failed = sum(map(len, run.red.values()))
            click.echo(f"  baseline (no defect): {run.passed} passed, {failed} failed")
            return
        done[0] += 1
        red = ", ".join(f"{len(run.red.get(d, []))} red ({d})" for d in dialects)
        click.echo(f"  [{done[0]}/{len(chosen)}] {run.defect}: {red}, {run.seconds:.0f} s")

    try:
        runs = sweep(chosen, dialects, root, workers=workers, on_run=progress)
    finally:
        if work_dir is None and root.exists():
            shutil.rmtree(root, ignore_errors=True)
    score = make_score(runs, dialects, chosen)
    table = markdown_table(score)
    click.echo("")
    click.echo(table)
    click.echo(f"({time.monotonic() - began:.0f} s)")
    if json_out:
        json_out.write_text(score.to_json(), encoding="utf-8")
    if markdown:
        markdown.write_text(table, encoding="utf-8")
    sys.exit(0 if score.perfect else 1)
