"""One sweep: the vendor suite against the emulator's generic profile, once with no defect (the baseline,
which must be green) and once per defect of the catalogue, each in every dialect asked for.

One emulator per process serves every run: before a run it is reset (`POST /_emulator/reset`) and the run's
defect is switched on (`PUT /_emulator/defects`), and the suite runs in this process (`outcomes`). A latency
defect gets a short per-call timeout and a delay longer than it, and every run has a time budget, so a hung
or slow defect ends its run in seconds. With `workers` > 1 the defects are shared among that many processes
(`python -m scim_harness.selftest.worker`), each with its own emulator.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from scim_harness.common.errors import HarnessError
from scim_harness.emulator.admin_client import AdminClient
from scim_harness.emulator.config import EmulatorConfig
from scim_harness.emulator.server import EmulatorServer
from scim_harness.selftest.outcomes import run_in_process

CALL_TIMEOUT_S = 5.0
"""Per call, in every run but the latency defects': a sound call takes milliseconds on loopback."""
LATENCY_TIMEOUT_S = 0.5
"""Per call, for the latency defects: Entra's 60 s scaled down, so that a run takes seconds."""
LATENCY_SECONDS = 1.0
"""slow_answers delays each answer this long: twice the per-call timeout, as a call past Entra's 60 s is."""
RUN_BUDGET_S = 300.0
LATENCY_BUDGET_S = 20.0
LATENCY_DEFECTS = frozenset({"slow_answers", "users_never_answer"})
RUNS_FILE = "runs.jsonl"
POLL_S = 1.0
MARKERS = "not kintone"
"""Kintone's own rules are not applicable on a generic service anyway: not collected, to save time."""


@dataclass
class DefectRun:
    """One run of the suite: with one defect switched on, or none (`defect` None, the baseline)."""

    defect: str | None
    red: dict[str, list[str]] = field(default_factory=dict)
    """Per dialect, the scenarios that failed."""
    passed: int = 0
    skipped: int = 0
    seconds: float = 0.0


def settings_for(defect: str | None) -> tuple[dict[str, float], float, float]:
    """(defect parameters, per-call timeout, time budget) for a run."""
    if defect in LATENCY_DEFECTS:
        return {"latency_seconds": LATENCY_SECONDS}, LATENCY_TIMEOUT_S, LATENCY_BUDGET_S
    return {}, CALL_TIMEOUT_S, RUN_BUDGET_S


class Sweeper:
    """One generic emulator in this process, and the suite run against it with one defect at a time."""

    def __init__(self, work_dir: Path, dialects: Sequence[str]) -> None:
        self.work_dir = work_dir
        self.dialects = list(dialects)
        self._token = secrets.token_urlsafe(24)
        self._server = EmulatorServer(EmulatorConfig(profile="generic", seed_token=self._token)).start()
        server = self._server
        self._admin = AdminClient(server.base_url, server.admin_login, server.admin_password)

    def close(self) -> None:
        try:
            self._admin.close()
        finally:
            self._server.stop()

    def __enter__(self) -> Sweeper:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, defect: str | None, selection: Sequence[str] = ()) -> DefectRun:
        """The suite (or the scenario functions in `selection`) with `defect` switched on, or none."""
        parameters, timeout, budget = settings_for(defect)
        self._admin.reset()
        if defect is not None:
            self._admin.defects({defect: True}, **parameters)
        began = time.monotonic()
        env = {
            "SCIM_HARNESS_TARGET": "scim",
            "SCIM_HARNESS_URL": self._server.scim_url,
            "SCIM_HARNESS_TOKEN": self._token,
            "SCIM_HARNESS_CAPTURE": "0",
            "SCIM_HARNESS_TIMEOUT": str(timeout),
            "SCIM_HARNESS_TIME_BUDGET": str(budget),
            "SCIM_HARNESS_REPORTS": str(self.work_dir / "reports"),
        }
        # A latency defect spends the time budget: each dialect gets its own run, and so its own budget.
        passes = [[d] for d in self.dialects] if defect in LATENCY_DEFECTS else [self.dialects]
        outcomes = []
        try:
            for dialects in passes:
                env["SCIM_HARNESS_DIALECT"] = "both" if len(dialects) > 1 else dialects[0]
                where = (
                    self.work_dir / (defect or "baseline") / ("-".join(dialects) if len(passes) > 1 else "")
                )
                outcomes += run_in_process(env, where, dialects, MARKERS, selection)
        finally:
            if defect is not None:
                self._admin.defects({defect: False})
        result = DefectRun(defect, {d: [] for d in self.dialects}, seconds=time.monotonic() - began)
        for outcome in sorted(outcomes, key=lambda o: o.scenario):
            if outcome.status == "failed":
                result.red.setdefault(outcome.dialect, []).append(outcome.scenario)
            elif outcome.status == "passed":
                result.passed += 1
            else:
                result.skipped += 1
        return result


def sweep_here(
    defects: Sequence[str],
    dialects: Sequence[str],
    work_dir: Path,
    *,
    baseline: bool = True,
    on_run: Callable[[DefectRun], None] | None = None,
) -> list[DefectRun]:
    """The baseline (unless told not to) and each defect, in this process."""
    runs: list[DefectRun] = []
    with Sweeper(work_dir, dialects) as sweeper:
        for defect in ([None] if baseline else []) + list(defects):
            run = sweeper.run(defect)
            runs.append(run)
            if on_run is not None:
                on_run(run)
    return runs


def sweep(
    defects: Sequence[str],
    dialects: Sequence[str],
    work_dir: Path,
    *,
    workers: int = 1,
    on_run: Callable[[DefectRun], None] | None = None,
) -> list[DefectRun]:
    """The baseline and each defect; with `workers` > 1, shared among that many processes."""
    if workers <= 1 or len(defects) < 2:
        return sweep_here(defects, dialects, work_dir, on_run=on_run)
    shares = [list(defects[i::workers]) for i in range(workers)]
    processes = []
    for index, share in enumerate(s for s in shares if s):
        out = work_dir / f"worker-{index}"
        out.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-P", "-m", "scim_harness.selftest.worker", "--work-dir", str(out)]
        command += ["--dialects", ",".join(dialects), *(["--baseline"] if index == 0 else []), *share]
        log = (out / "worker.log").open("w", encoding="utf-8")
        processes.append((subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT), out, log))
    runs: list[DefectRun] = []
    seen = {out: 0 for _, out, _ in processes}

    def collect() -> None:
        for _, out, _ in processes:
            lines = _read_lines(out / RUNS_FILE)
            for line in lines[seen[out] :]:
                run = DefectRun(**json.loads(line))
                runs.append(run)
                if on_run is not None:
                    on_run(run)
            seen[out] = len(lines)

    try:
        while any(process.poll() is None for process, _, _ in processes):
            collect()
            time.sleep(POLL_S)
        collect()
    finally:
        for process, _, log in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
            log.close()
    for process, out, _ in processes:
        if process.returncode != 0:
            raise HarnessError(
                f"a self-test worker failed (exit code {process.returncode}): see {out / 'worker.log'}"
            )
    return runs


def _read_lines(path: Path) -> list[str]:
    """The whole lines written so far (a line still being written is left for the next read)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return text.split("\n")[:-1]


def append_run(run: DefectRun, path: Path) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(asdict(run)) + "\n")
