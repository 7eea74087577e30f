"""The figures of a load run, the verdict against what Microsoft asks of a SCIM service, Markdown and JSON.

The bar (entra-provisioning.md §9 and §6):
- "Gallery SCIM endpoints must handle at least 25 requests/s per tenant" [D-GALLERY]: the run's sustained
  rate, all requests over the wall time of the run, must reach 25/s. A run whose offered rate (`--rate`) is
  below 25/s cannot show it and is "not assessed" on this point.
- Entra gives up on a request after 60 s and records `Timeout` [Q-60S, D-LOGERR]: no answer may take longer.
- Errors other than 429 become escrows and log failures in Entra [D-LOGERR]: a clean run has none.
- 429 Too Many Requests: Entra honours Retry-After by suspending all activity, then retries [Q-LOAD, 2025;
  UNCONFIRMED, see §6]; a 429 without Retry-After, or a retry refused again after the wait, is reported.
- Every source user exists exactly once in the target afterwards (verified through SCIM).
Plain data in, text out: no Locust here (the engine turns Locust's statistics into `Figures`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from scim_harness.load.plan import LoadPlan
from scim_harness.load.verify import Verification
from scim_harness.load.work import Progress

GALLERY_RPS = 25.0
TIMEOUT_MS = 60_000.0
PASS, FAIL, WARN, NOT_ASSESSED = "pass", "fail", "warn", "not assessed"


@dataclass
class KindFigures:
    name: str
    method: str
    requests: int
    failures: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    avg_ms: float
    max_ms: float


@dataclass
class Figures:
    plan: LoadPlan
    mode: str
    wall_seconds: float
    total: KindFigures
    kinds: list[KindFigures]
    errors: dict[str, int]
    """Locust's failures by method, name and message (429s included)."""
    progress: Progress
    verification: Verification | None = None
    stopped_early: str | None = None
    """Why the run stopped before its planned cycles were done (the duration ran out, a worker was lost)."""
    files: dict[str, str] = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        return self.total.requests / self.wall_seconds if self.wall_seconds > 0 else 0.0


@dataclass(frozen=True)
class Check:
    requirement: str
    result: str
    detail: str


def checks(figures: Figures) -> list[Check]:
    progress = figures.progress
    plan = figures.plan
    rate = figures.throughput
    errors = {k: v for k, v in figures.errors.items() if "429" not in k}
    timeouts = sum(v for k, v in errors.items() if "no answer" in k)
    out = []
    requirement = "at least 25 requests/s per tenant, sustained over the run (D-GALLERY)"
    if plan.rate is not None and plan.rate < GALLERY_RPS:
        out.append(Check(requirement, NOT_ASSESSED, f"the offered rate (--rate {plan.rate:g}) is below 25/s"))
    else:
        verdict = PASS if rate >= GALLERY_RPS else FAIL
        out.append(Check(requirement, verdict, f"{rate:.1f} requests/s over {figures.wall_seconds:.1f} s"))
    slow = figures.total.max_ms > TIMEOUT_MS or timeouts
    out.append(
        Check(
            "every answer within Entra's 60 s timeout (Q-60S)",
            FAIL if slow else PASS,
            f"slowest {figures.total.max_ms / 1000:.2f} s; {timeouts} without an answer",
        )
    )
    count = sum(errors.values())
    out.append(
        Check(
            "no errors other than 429 (each would be an escrow in Entra, D-LOGERR)",
            FAIL if count else PASS,
            f"{count} errors"
            + (": " + "; ".join(f"{k} ×{v}" for k, v in list(errors.items())[:5]) if count else ""),
        )
    )
    if not progress.throttled:
        out.append(Check("429 answers carry Retry-After, honoured (Q-LOAD [U])", PASS, "no 429 answers"))
    else:
        refused = progress.retried_after_wait - progress.retried_after_wait_accepted
        bad = progress.throttled_without_retry_after or refused
        out.append(
            Check(
                "429 answers carry Retry-After, honoured (Q-LOAD [U])",
                WARN if bad else PASS,
                f"{progress.throttled} answers 429 "
                f"({progress.throttled_without_retry_after} without Retry-After); "
                f"{progress.retried_after_wait} retried after waiting Retry-After (longest "
                f"{progress.max_retry_after:g} s), {progress.retried_after_wait_accepted} of them accepted",
            )
        )
    if figures.verification is None:
        out.append(Check("every source user exists exactly once in the target", NOT_ASSESSED, "--no-verify"))
    else:
        v = figures.verification
        detail = f"{v.once} of {v.expected} once; {v.missing} missing; {v.duplicated} more than once"
        out.append(
            Check(
                "every source user exists exactly once in the target",
                PASS if v.passed else FAIL,
                detail + (f" (e.g. {', '.join(v.examples)})" if v.examples else ""),
            )
        )
    finished = figures.stopped_early is None
    out.append(
        Check(
            f"the initial cycle and {plan.cycles} incremental cycle(s) completed",
            PASS if finished else FAIL,
            f"{progress.users_done} of {progress.users_planned} user-cycles"
            + ("" if finished else f"; stopped early: {figures.stopped_early}"),
        )
    )
    return out


def passed(figures: Figures) -> bool:
    return all(check.result != FAIL for check in checks(figures))


def markdown(figures: Figures) -> str:
    plan = figures.plan
    ok = passed(figures)
    lines = [
        f"# scim-harness load: {plan.target.split('?')[0]}",
        "",
        f"**{'PASS' if ok else 'FAIL'}**: {figures.total.requests} requests in {figures.wall_seconds:.1f} s, "
        f"{figures.throughput:.1f} requests/s, {figures.total.failures} failures.",
        "",
        f"Replay: {plan.users} users (seed {plan.seed}), the initial cycle then {plan.cycles} incremental "
        f"cycle(s) changing {plan.changes_per_cycle:.0%} of the users each; dialect {plan.dialect}; "
        f"{plan.concurrency} connections; rate {'unlimited' if plan.rate is None else f'{plan.rate:g}/s'}; "
        f"{figures.mode}.",
        "",
        "## Verdict against what Microsoft asks of a SCIM service",
        "",
        "| requirement | result | detail |",
        "|---|---|---|",
    ]
    lines += [f"| {c.requirement} | {c.result} | {c.detail} |" for c in checks(figures)]
    lines += [
        "",
        "## Latency and throughput per request kind",
        "",
        "| request | requests | failures | requests/s | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind in [*figures.kinds, figures.total]:
        lines.append(
            f"| {f'{kind.method} {kind.name}'.strip()} | {kind.requests} | {kind.failures} | {kind.rps:.1f} "
            f"| {kind.p50_ms:.0f} | {kind.p95_ms:.0f} | {kind.p99_ms:.0f} | {kind.max_ms:.0f} |"
        )
    lines += ["", "## Errors", ""]
    if figures.errors:
        lines += ["| error | count |", "|---|---|"]
        lines += [f"| {name} | {count} |" for name, count in figures.errors.items()]
    else:
        lines.append("None.")
    lines += [
        "",
        "## Outcomes per user and cycle (Entra's log words)",
        "",
        "| action/status | count |",
        "|---|---|",
    ]
    lines += [f"| {name} | {count} |" for name, count in sorted(figures.progress.outcomes.items())]
    if figures.files:
        lines += ["", "## Files", ""] + [f"- {what}: `{path}`" for what, path in figures.files.items()]
    return "\n".join(lines) + "\n"


def as_json(figures: Figures) -> dict[str, Any]:
    return {
        "passed": passed(figures),
        "plan": figures.plan.to_message(),
        "mode": figures.mode,
        "wall_seconds": round(figures.wall_seconds, 3),
        "requests_per_second": round(figures.throughput, 2),
        "total": asdict(figures.total),
        "kinds": [asdict(k) for k in figures.kinds],
        "errors": figures.errors,
        "progress": figures.progress.to_message(),
        "verification": None if figures.verification is None else figures.verification.to_dict(),
        "stopped_early": figures.stopped_early,
        "checks": [asdict(c) for c in checks(figures)],
        "files": figures.files,
    }
