"""Runs every benchmark in bench/ in turn; each prints its own figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHES = ["bench_emulator.py", "bench_simulator.py", "bench_capture.py", "bench_suite.py"]


def main() -> int:
    here = Path(__file__).parent
    failed = 0
    for name in BENCHES:
        script = here / name
        if not script.exists():
            continue
        print(f"== {name}", flush=True)
        failed += subprocess.call([sys.executable, str(script), *sys.argv[1:]]) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
