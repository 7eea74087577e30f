"""Prints the conformance suite's wall time against the embedded emulator, with traffic capture on and off.

Usage: .venv/bin/python bench/bench_suite.py [--repeat 1] [--workers 1] [--dialect both]
Each run is the real main job (`scim-harness run`, both dialects by default, as `make suite`) in a subprocess
writing to a temporary reports directory; a line is printed as each run ends.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUN_TIMEOUT_SECONDS = 900


def _time_run(capture: bool, workers: int, dialect: str) -> tuple[float, int]:
    script = Path(sys.executable).with_name("scim-harness")
    with tempfile.TemporaryDirectory() as reports:
        args = [str(script), "run", "--reports", reports, "--workers", str(workers), "--dialect", dialect]
        args.append("--capture" if capture else "--no-capture")
        started = time.perf_counter()
        result = subprocess.run(args, capture_output=True, text=True, timeout=RUN_TIMEOUT_SECONDS)
        return time.perf_counter() - started, result.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, choices=range(1, 6))
    parser.add_argument("--workers", type=int, default=1, choices=range(1, 9))
    parser.add_argument("--dialect", default="both", choices=("legacy", "aadOptscim062020", "both"))
    options = parser.parse_args()

    runs = f"dialect {options.dialect}, {options.workers} worker(s), {options.repeat} run(s)"
    print(f"conformance suite against the embedded emulator, {runs}", flush=True)
    failed = False
    for capture in (True, False):
        label = "capture on " if capture else "capture off"
        times = []
        for number in range(1, options.repeat + 1):
            seconds, code = _time_run(capture, options.workers, options.dialect)
            failed |= code != 0
            times.append(seconds)
            print(f"    {label} run {number}/{options.repeat}: {seconds:6.1f} s, exit {code}", flush=True)
        print(f"  {label}: {statistics.median(times):6.1f} s wall (median)", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
