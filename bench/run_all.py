"""Runs every benchmark in bench/ in turn, each in its own process; their figures stream through as printed.

Progress: on a terminal a bar with the benchmarks done and the time left; in a log a plain line every few
seconds naming the benchmark at work, so `make bench` is never silent for long. Arguments are passed to
every benchmark (as before); `--only NAME` runs one.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

from scim_harness.progress import JobProgress

BENCHES = [
    "bench_emulator.py",
    "bench_simulator.py",
    "bench_capture.py",
    "bench_suite.py",
    "bench_hardening.py",
]
HEARTBEAT_S = 5.0


def _stream(process: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.put(line.rstrip("\n"))
    lines.put(None)


def _run(script: Path, arguments: list[str], progress: JobProgress) -> int:
    process = subprocess.Popen(
        [sys.executable, "-u", str(script), *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_stream, args=(process, lines), daemon=True).start()
    while True:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            progress.tick(f"{script.name} at work")
            continue
        if line is None:
            break
        progress.echo(line)
    return process.wait()


def main() -> int:
    here = Path(__file__).parent
    arguments = sys.argv[1:]
    names = BENCHES
    if arguments[:1] == ["--only"] and len(arguments) > 1:
        names, arguments = [arguments[1]], arguments[2:]
    scripts = [here / name for name in names if (here / name).exists()]
    progress = JobProgress(
        "bench", "benchmarks", total=len(scripts), outcomes=("ok", "failed"), interval=HEARTBEAT_S
    )
    try:
        for script in scripts:
            progress.echo(f"== {script.name}")
            code = _run(script, arguments, progress)
            progress.advance("ok" if code == 0 else "failed")
    finally:
        progress.close()
    return 1 if progress.counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
