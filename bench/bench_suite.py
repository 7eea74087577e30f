"""The main job's wall time and CPU with capture on, beside the same job with `--no-capture`, in one run.

Usage: .venv/bin/python bench/bench_suite.py [--repeat 2] [--workers 1] [--dialect both] [--markdown PAGE]

Each run is the real main job (`scim-harness run --dialect both` against the embedded emulator, as
`make suite`) in a subprocess writing to a temporary reports directory. Runs alternate, capture on then off,
so a load that moves during the benchmark moves both. Per run: wall time, and CPU time (user + system) of the
command and every process it waited for (pytest, the Allure HTML build), from getrusage(RUSAGE_CHILDREN).
The figures are medians. Goals (issue 13): the job with capture on in at most 15 s wall; capture at most 1.1x
the same job without it. The table is written into docs/performance.md (section `suite`; `--markdown ''`
writes none). A progress line comes every 5 seconds while a run goes on.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from support import Heartbeat, load_average
from tables import table, write_section

RUN_TIMEOUT_SECONDS = 900
DOCS = Path(__file__).resolve().parents[1] / "docs" / "performance.md"
WALL_GOAL_S = 15.0
RATIO_GOAL = 1.1


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    code: int
    counts: str
    """Scenario runs, passed and skipped, from the run's junit.xml: both runs must report the same."""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _counts(junit: Path) -> str:
    try:
        root = ET.parse(junit).getroot()
    except (OSError, ET.ParseError):
        return "no junit.xml"
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    total = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    return f"{total} runs: {total - failed - skipped} passed, {failed} failed, {skipped} skipped"


def _time_run(capture: bool, workers: int, dialect: str, label: str) -> Run:
    script = Path(sys.executable).with_name("scim-harness")
    with tempfile.TemporaryDirectory(prefix="bench-suite-") as reports:
        args = [str(script), "run", "--reports", reports, "--workers", str(workers), "--dialect", dialect]
        args.append("--capture" if capture else "--no-capture")
        cpu_before, started = _children_cpu(), time.perf_counter()
        with Heartbeat(label, lambda: "running"):
            result = subprocess.run(args, capture_output=True, text=True, timeout=RUN_TIMEOUT_SECONDS)
        wall, cpu = time.perf_counter() - started, _children_cpu() - cpu_before
        if result.returncode != 0:
            print(result.stdout[-2000:], result.stderr[-2000:], sep="\n", file=sys.stderr)
        return Run(wall, cpu, result.returncode, _counts(Path(reports) / "junit.xml"))


def _verdict(met: bool) -> str:
    return "met" if met else "not met"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, choices=range(1, 6), help="pairs of runs (median)")
    parser.add_argument("--workers", type=int, default=1, choices=range(1, 9))
    parser.add_argument("--dialect", default="both", choices=("legacy", "aadOptscim062020", "both"))
    parser.add_argument("--markdown", default=str(DOCS), help="page to write the table into ('' for none)")
    options = parser.parse_args()

    started_at = load_average()
    runs = f"dialect {options.dialect}, {options.workers} worker(s), {options.repeat} pair(s) of runs"
    print(f"bench_suite: the main job against the embedded emulator, {runs}; {started_at}", flush=True)
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print("  note: PYTHONDONTWRITEBYTECODE is set: every run compiles the project's modules", flush=True)
    on: list[Run] = []
    off: list[Run] = []
    for number in range(1, options.repeat + 1):
        for capture, kept in ((True, on), (False, off)):
            label = f"capture {'on' if capture else 'off'}, run {number}/{options.repeat}"
            run = _time_run(capture, options.workers, options.dialect, label)
            kept.append(run)
            print(
                f"  {label}: {run.wall:5.1f} s wall, {run.cpu:5.1f} s CPU, exit {run.code} ({run.counts}); "
                f"{load_average()}",
                flush=True,
            )
    wall_on, wall_off = statistics.median(r.wall for r in on), statistics.median(r.wall for r in off)
    cpu_on, cpu_off = statistics.median(r.cpu for r in on), statistics.median(r.cpu for r in off)
    ratio, cpu_ratio = wall_on / wall_off, cpu_on / cpu_off
    counts = sorted({r.counts for r in on + off})
    failed = any(r.code != 0 for r in on + off)
    rows = [
        [
            "main job, capture on (wall)",
            f"<= {WALL_GOAL_S:.0f} s",
            f"{wall_on:.1f} s (CPU {cpu_on:.1f} s)",
            f"--no-capture {wall_off:.1f} s (CPU {cpu_off:.1f} s)",
            f"{ratio:.2f}x",
            _verdict(wall_on <= WALL_GOAL_S),
        ],
        [
            "capture's cost (wall, on against off)",
            f"<= {RATIO_GOAL}x",
            f"{wall_on:.1f} s",
            f"{wall_off:.1f} s",
            f"{ratio:.2f}x",
            _verdict(ratio <= RATIO_GOAL),
        ],
        [
            "capture's cost (CPU, on against off)",
            f"(<= {RATIO_GOAL}x)",
            f"{cpu_on:.1f} s",
            f"{cpu_off:.1f} s",
            f"{cpu_ratio:.2f}x",
            _verdict(cpu_ratio <= RATIO_GOAL),
        ],
    ]
    header = ["figure", "goal", "this run (median)", "reference, same run", "ratio", ""]
    print("\n" + table(header, rows), flush=True)
    print(f"scenario runs: {'; '.join(counts)}", flush=True)
    if len(counts) != 1:
        print("the runs did not report the same scenarios", file=sys.stderr)
        failed = True
    if options.markdown:
        command = " ".join(["bench/bench_suite.py", *sys.argv[1:]])
        text = (
            f"Written by `{command}` on {time.strftime('%Y-%m-%d %H:%M')} ({started_at} at the start, "
            f"{load_average()} at the end; {runs}; each run: {counts[0]}).\n\n" + table(header, rows)
        )
        write_section(Path(options.markdown), "suite", text)
        print(f"table written to {options.markdown} (section 'suite')", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
