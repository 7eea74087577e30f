"""A self-test worker process, `python -m scim_harness.selftest.worker --work-dir D --dialects a,b
[--baseline] DEFECT...`: sweeps its share of the defects with an emulator of its own; each run is a line of
D/runs.jsonl as soon as it ends (the parent reads them as they come)."""

from __future__ import annotations

import argparse
from pathlib import Path

from scim_harness.selftest.sweep import RUNS_FILE, append_run, sweep_here


def main() -> None:
    parser = argparse.ArgumentParser(prog="scim_harness.selftest.worker")
    parser.add_argument("--work-dir", type=Path, required=True)
    parser.add_argument("--dialects", required=True)
    parser.add_argument("--baseline", action="store_true")
    parser.add_argument("defects", nargs="*")
    args = parser.parse_args()
    out = args.work_dir / RUNS_FILE
    out.unlink(missing_ok=True)
    sweep_here(
        args.defects,
        args.dialects.split(","),
        args.work_dir,
        baseline=args.baseline,
        on_run=lambda run: append_run(run, out),
    )


if __name__ == "__main__":
    main()
