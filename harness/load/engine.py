"""Locust as the engine: the runs of `locust_user.EntraProvisioning`, in one process or in Locust's
distributed mode.

Importing this module imports Locust, and Locust monkey-patches the standard library with gevent: only the
`load` command imports it, first thing, and nothing else in scim-harness does (tests/vendor checks that
`run`, `simulate` and the emulator never load it).

- One machine: a local runner in this process, nothing extra to start.
- Several processes or machines: a master (`--master`) and workers (`--worker`). The master sends each worker
  the plan and its slice (index, count) as a Locust message once all expected workers are connected; each
  worker rebuilds the same tenant from the seed and provisions its slice only, so every user is provisioned
  by exactly one worker. The Secret Token never travels: each process reads its own. A worker that has
  finished its cycles waits for one statistics report to reach the master, then says so; the master stops
  the run when every worker is done (or the duration runs out) and writes the reports from the merged
  statistics.
"""

from __future__ import annotations

import locust  # first: Locust's gevent monkey-patching must precede every other import

# isort: split
import logging
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gevent
import locust.runners
from locust.env import Environment
from locust.event import Events
from locust.html import get_html_report
from locust.runners import STATE_MISSING, MasterRunner, WorkerRunner
from locust.stats import (
    CSV_STATS_INTERVAL_SEC,
    PERCENTILES_TO_REPORT,
    StatsCSVFileWriter,
    StatsEntry,
    stats_history,
)

from scim_harness.common.errors import HarnessError
from scim_harness.compare.reach import split
from scim_harness.load.flow import KINDS
from scim_harness.load.locust_user import RUNTIME, EntraProvisioning
from scim_harness.load.plan import LoadPlan, Slice
from scim_harness.load.report import Figures, KindFigures
from scim_harness.load.work import Progress

STATS_FLUSH_WAIT = 3.5  # one worker statistics report (every 3 s in Locust) after the last request
CONNECT_WAIT = 300.0  # how long a master waits for its workers, and a worker for its master (Locust's 5 min)
log = logging.getLogger("scim_harness.load")


@dataclass
class Outputs:
    out: Path
    web_ui: tuple[str, int] | None = None

    @property
    def base(self) -> str:
        return str(self.out / "locust")


def run_local(
    plan: LoadPlan,
    token: str,
    outputs: Outputs,
    duration: float,
    on_tick: Callable[[Environment, Progress], None],
) -> tuple[Figures, list[str]]:
    """The whole run in this process; returns the figures and every source userName."""
    source = RUNTIME.prepare(plan, Slice(0, 1), token)
    env = _environment(plan)
    env.create_local_runner()
    stopped = _drive(env, plan, outputs, duration, lambda: RUNTIME.progress, on_tick, lambda: None)
    return _figures(env, plan, "one process", RUNTIME.progress, stopped, outputs), source.user_names()


def run_master(
    plan: LoadPlan,
    outputs: Outputs,
    duration: float,
    on_tick: Callable[[Environment, Progress], None],
    *,
    expect_workers: int,
    bind_host: str,
    bind_port: int,
    connect_wait: float = CONNECT_WAIT,
) -> Figures:
    env = _environment(plan)
    runner = env.create_master_runner(bind_host, bind_port)
    assert isinstance(runner, MasterRunner)
    reports: dict[str, dict[str, Any]] = {}
    finished: set[str] = set()
    env.events.worker_report.add_listener(
        lambda client_id, data: (
            reports.__setitem__(client_id, data["scim_harness"]) if "scim_harness" in data else None
        )
    )
    runner.register_message("scim_done", lambda environment, msg, **_: finished.add(msg.node_id))
    deadline = time.monotonic() + connect_wait
    while len(runner.clients.ready) < expect_workers:
        if time.monotonic() > deadline:
            runner.quit()
            raise HarnessError(
                f"only {len(runner.clients.ready)} of {expect_workers} workers connected "
                f"within {connect_wait:.0f} s"
            )
        gevent.sleep(0.2)
    workers = sorted(client.id for client in runner.clients.ready)[:expect_workers]
    log.info("slices: %s", ", ".join(f"{w}={i}/{len(workers)}" for i, w in enumerate(workers)))
    for index, client_id in enumerate(workers):
        runner.send_message(
            "scim_plan",
            {"plan": plan.to_message(), "index": index, "count": len(workers)},
            client_id=client_id,
        )

    def merged() -> Progress:
        return merge([reports[w] for w in workers if w in reports])

    def lost() -> str | None:
        gone = [
            w
            for w in workers
            if w not in finished and (w not in runner.clients or runner.clients[w].state == STATE_MISSING)
        ]
        return f"worker(s) lost: {', '.join(gone)}" if gone else None

    stopped = _drive(
        env,
        plan,
        outputs,
        duration,
        merged,
        on_tick,
        lost,
        done=lambda: finished.issuperset(workers),
        users=max(plan.concurrency, len(workers)),
    )
    return _figures(env, plan, f"distributed: one master, {len(workers)} workers", merged(), stopped, outputs)


def run_worker(master_host: str, master_port: int, token: str, connect_wait: float = CONNECT_WAIT) -> None:
    """Serve a master until it quits: take the plan and slice it sends, provision the slice, say when done."""
    env = Environment(user_classes=[EntraProvisioning], events=Events(), host="http://unset.invalid")
    # Locust retries the connection CONNECT_RETRY_COUNT times, CONNECT_TIMEOUT seconds each.
    locust.runners.CONNECT_RETRY_COUNT = max(1, math.ceil(connect_wait / locust.runners.CONNECT_TIMEOUT))
    try:
        runner = env.create_worker_runner(master_host, master_port)
    except ConnectionError:
        where = f"{master_host}:{master_port}"
        raise HarnessError(f"no master answered at {where} within {connect_wait:.0f} s") from None
    assert isinstance(runner, WorkerRunner)

    def on_plan(environment: Environment, msg: Any, **_: Any) -> None:
        plan = LoadPlan.from_message(msg.data["plan"])
        part = Slice(int(msg.data["index"]), int(msg.data["count"]))
        log.info("slice %d of %d: %d users", part.index, part.count, len(part.positions(plan.users)))
        RUNTIME.prepare(plan, part, token)
        gevent.spawn(_say_when_done, runner)

    runner.register_message("scim_plan", on_plan)
    env.events.report_to_master.add_listener(
        lambda client_id, data: data.__setitem__("scim_harness", RUNTIME.progress.to_message())
    )
    runner.greenlet.join()


def _say_when_done(runner: WorkerRunner) -> None:
    while not RUNTIME.progress.finished:
        gevent.sleep(0.2)
    gevent.sleep(STATS_FLUSH_WAIT)  # let one statistics report carry the last requests to the master
    runner.send_message("scim_done", RUNTIME.progress.to_message())


def merge(messages: list[dict[str, Any]]) -> Progress:
    total = Progress()
    for data in messages:
        for name in ("users_done", "users_planned", "throttled", "throttled_without_retry_after"):
            setattr(total, name, getattr(total, name) + int(data.get(name, 0)))
        for name in ("retried_after_wait", "retried_after_wait_accepted"):
            setattr(total, name, getattr(total, name) + int(data.get(name, 0)))
        total.max_retry_after = max(total.max_retry_after, float(data.get("max_retry_after", 0.0)))
        total.cycle = max(total.cycle, int(data.get("cycle", 0)))
        total.outcomes.update(data.get("outcomes", {}))
    total.finished = bool(messages) and all(data.get("finished") for data in messages)
    return total


def _environment(plan: LoadPlan) -> Environment:
    base, _ = split(plan.target)
    return Environment(user_classes=[EntraProvisioning], events=Events(), host=base)


def _drive(
    env: Environment,
    plan: LoadPlan,
    outputs: Outputs,
    duration: float,
    progress: Callable[[], Progress],
    on_tick: Callable[[Environment, Progress], None],
    lost: Callable[[], str | None],
    *,
    done: Callable[[], bool] | None = None,
    users: int | None = None,
) -> str | None:
    """Start, watch and stop a local or master runner; returns why it stopped early, or None."""
    runner = env.runner
    assert runner is not None
    outputs.out.mkdir(parents=True, exist_ok=True)
    csv_writer = StatsCSVFileWriter(env, PERCENTILES_TO_REPORT, outputs.base, full_history=True)
    greenlets = [gevent.spawn(csv_writer), gevent.spawn(stats_history, runner)]
    web = None
    if outputs.web_ui:
        # The web UI parses sys.argv as Locust's own command line on every page (ui_extra_args_dict); ours
        # is not one, and click has read it already.
        sys.argv[1:] = []
        web = env.create_web_ui(*outputs.web_ui, stats_csv_writer=csv_writer)
    count = users or plan.concurrency
    runner.start(count, spawn_rate=count)
    finished = done or (lambda: progress().finished)
    deadline = time.monotonic() + duration
    stopped = None
    while not finished():
        stopped = lost() or ("--duration ran out" if time.monotonic() > deadline else None)
        if stopped:
            break
        on_tick(env, progress())
        gevent.sleep(0.25)
    on_tick(env, progress())
    runner.quit()
    # One more pass of the CSV writer (it rewrites its files every CSV_STATS_INTERVAL_SEC): the final figures.
    gevent.sleep(CSV_STATS_INTERVAL_SEC + 0.2)
    for greenlet in greenlets:
        greenlet.kill(block=True)
    csv_writer.close_files()
    if web is not None:
        web.stop()
    return stopped


def _figures(
    env: Environment, plan: LoadPlan, mode: str, progress: Progress, stopped: str | None, outputs: Outputs
) -> Figures:
    stats = env.stats
    total = stats.total
    wall = max((total.last_request_timestamp or total.start_time) - total.start_time, 0.0)
    # In the order of Entra's flow; requests/s over the whole run, so that the kinds add up to the total.
    entries = sorted(
        (entry for key, entry in stats.entries.items() if key[0] in KINDS), key=lambda e: KINDS.index(e.name)
    )
    kinds = [_kind(entry, wall) for entry in entries]
    html = outputs.out / "locust.html"
    html.write_text(get_html_report(env, show_download_link=False), encoding="utf-8")
    errors = {
        f"{error.method} {error.name}: {error.error}": error.occurrences for error in stats.errors.values()
    }
    files = {
        f"Locust {name}": f"{outputs.base}_{name}.csv" for name in ("stats", "stats_history", "failures")
    }
    files["Locust HTML report"] = str(html)
    return Figures(
        plan, mode, wall, _kind(total, wall, "all requests"), kinds, errors, progress, None, stopped, files
    )


def _kind(entry: StatsEntry, wall: float, name: str | None = None) -> KindFigures:
    def pct(p: float) -> float:
        return float(entry.get_response_time_percentile(p) or 0) if entry.num_requests else 0.0

    return KindFigures(
        name=name or entry.name,
        method=entry.method or "",
        requests=entry.num_requests,
        failures=entry.num_failures,
        rps=entry.num_requests / wall if wall > 0 else 0.0,
        p50_ms=pct(0.5),
        p95_ms=pct(0.95),
        p99_ms=pct(0.99),
        avg_ms=entry.avg_response_time,
        max_ms=float(entry.max_response_time or 0),
    )
