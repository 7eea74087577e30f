"""The work of one cycle (§6): what it covers, the accidental-deletion hold, users then groups, thresholds.

Initial cycles cover the whole tenant; incremental ones only Graph's delta since the watermark, the escrows
that are due and the deletions held back, so their cost grows with the changes and not with the tenant.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from scim_harness.simulator.answers import Response
from scim_harness.simulator.context import JobContext, Run
from scim_harness.simulator.entries import user_entry
from scim_harness.simulator.group_sync import GroupSync
from scim_harness.simulator.logs import LogEntry, StatusInfo
from scim_harness.simulator.quarantine import Quarantine, QuarantineReason
from scim_harness.simulator.results import CycleSummary
from scim_harness.simulator.user_sync import UserSync

_END = object()


class CycleRunner:
    """Syncs the objects of a cycle on a pool of `max_connections` workers; groups after all users (D-HOW)."""

    def __init__(self, ctx: JobContext, users: UserSync, groups: GroupSync, pool: ThreadPoolExecutor) -> None:
        self.ctx = ctx
        self.users = users
        self.groups = groups
        self._pool = pool
        self._staged: set[str] = set()  # deprovisions held by the accidental-deletion threshold

    def use_pool(self, pool: ThreadPoolExecutor) -> None:
        """A new pool (the job's `max_connections` changed between cycles)."""
        self._pool = pool

    def work(self, run: Run, watermark: int | None, groups_unavailable: Response | None = None) -> None:
        """Everything after the probes: users, their references, then groups (D-HOW).

        A failed trigger sets `run.abort` and the remaining objects wait. `groups_unavailable` is the failed
        group probe: the groups fail (and may quarantine the job) after the users were provisioned, so a
        target without /Groups never stops user provisioning (§7).
        """
        user_ids, group_ids = self._objects(watermark)
        user_ids = self._hold_mass_deletes(run, user_ids)
        groups_on = self.ctx.mappings.provision_groups
        run.total = len(user_ids) + (len(group_ids) if groups_on else 0)
        self._each(run, user_ids, self.users.sync)
        if run.references and not run.abort.is_set():
            references = list(run.references)
            run.references.clear()
            self._each(run, references, self.users.resolve_reference, count=False)
        if not groups_on or run.abort.is_set():
            return
        if groups_unavailable is not None:
            self.groups.unavailable(run, group_ids, groups_unavailable)
            run.done += len(group_ids)
        else:
            self._each(run, group_ids, self.groups.sync)

    def check_escrow_thresholds(self, run: Run) -> None:
        ctx = self.ctx
        tally = run.settle()
        failures = sum(n for (_action, status, _ref), n in tally.items() if status == "Failure")
        counted = sum(n for (_action, status, ref), n in tally.items() if status == "Failure" and not ref)
        with ctx.lock:
            all_failures = max(failures, len(ctx.escrows))
        if ctx.settings.escrow_thresholds.exceeded(counted, sum(tally.values()), all_failures):
            run.quarantine = run.quarantine or Quarantine(
                QuarantineReason.ESCROW_PROPORTION,
                None,
                "Escrow proportion threshold exceeded",
                ctx.clock.now(),
            )

    def _objects(self, watermark: int | None) -> tuple[list[str], list[str]]:
        """Initial: everything. Incremental: the delta since the watermark, due escrows and held deletes."""
        ctx = self.ctx
        tenant = ctx.tenant
        if watermark is None:
            user_ids = list(tenant.users)
            group_ids = list(tenant.groups)
        else:
            changed = tenant.changes_since(watermark)
            user_ids = [i for i in changed if i in tenant.users]
            group_ids = [i for i in changed if i in tenant.groups]
        with ctx.lock:
            due = ctx.escrows.due(ctx.clock.now(), ctx.settings.escrow_give_up_after)
        seen_users, seen_groups = set(user_ids), set(group_ids)
        for escrow in due:
            if escrow.kind == "user" and escrow.object_id not in seen_users:
                user_ids.append(escrow.object_id)
                seen_users.add(escrow.object_id)
            elif escrow.kind == "group" and escrow.object_id not in seen_groups:
                group_ids.append(escrow.object_id)
                seen_groups.add(escrow.object_id)
        user_ids += [i for i in self._staged if i not in seen_users]
        return user_ids, group_ids

    def _hold_mass_deletes(self, run: Run, user_ids: list[str]) -> list[str]:
        """Accidental-deletion threshold (D-ACCDEL): too many disables+deletes in one cycle are held."""
        ctx = self.ctx
        threshold = ctx.settings.accidental_deletion_threshold
        if threshold is None or run.force_deletes:
            self._staged.clear()
            return user_ids
        deprovisions = [i for i in user_ids if self.users.would_deprovision(i)]
        if len(deprovisions) <= threshold:
            self._staged.clear()
            return user_ids
        held = set(deprovisions)
        self._staged = held
        for user_id in deprovisions:
            entry = user_entry(ctx, run, user_id)
            entry.action, entry.status = "StagedDelete", "Skipped"
            entry.statusInfo = StatusInfo(
                errorCode="StagedDelete",
                reason=f"This deletion was held because the cycle would disable or delete "
                f"{len(deprovisions)} users, more than the accidental deletions threshold of {threshold}.",
                recommendedAction="Review the held deletions, then restart the job with ForceDeletes.",
            )
            ctx.record(run, entry)
        run.quarantine = Quarantine(
            QuarantineReason.TOO_MANY_DELETES,
            None,
            "Accidental deletions threshold exceeded",
            ctx.clock.now(),
        )
        return [i for i in user_ids if i not in held]

    def _end_if_unreachable(self, run: Run) -> None:
        limit = self.ctx.settings.timeouts_end_cycle
        count = self.ctx.calls.timeouts_in_a_row
        if limit and count >= limit:
            last = self.ctx.calls.last_timeout
            run.end_unreachable(f"{count} calls in a row timed out (the last: {last})")

    def _each[T](
        self, run: Run, items: list[T], sync: Callable[[Run, T], LogEntry | None], *, count: bool = True
    ) -> None:
        def one(item: T) -> None:
            if run.abort.is_set():
                return
            entry = sync(run, item)
            if entry is not None:
                self.ctx.record(run, entry)
            self._end_if_unreachable(run)
            if count:
                with run.lock:
                    run.done += 1

        if len(items) <= 1:
            for item in items:
                one(item)
            return
        # One task per worker, each taking the next object until none is left: no future per object (a
        # million objects would be a million futures, and a hand-off between threads for each).
        source = iter(items)
        taking = threading.Lock()
        failed = threading.Event()

        def drain() -> None:
            while not failed.is_set():
                with taking:
                    item = next(source, _END)
                if item is _END:
                    return
                try:
                    one(item)  # type: ignore[arg-type]
                except BaseException:
                    failed.set()  # as Executor.map: the other workers take no more objects
                    raise

        # The calling thread is one of the workers: it would only wait otherwise (a hand-off less per cycle).
        helpers = min(self.ctx.settings.max_connections, len(items)) - 1
        workers = [self._pool.submit(drain) for _ in range(helpers)]
        try:
            drain()
        finally:
            for worker in workers:
                exception = worker.exception()  # every worker has ended before the cycle goes on
                if exception is not None:
                    raise exception


def summarise(run: Run, started: datetime, wall_began: float, requests: int) -> CycleSummary:
    """`requests` sent by this cycle; `wall_began` is its `time.perf_counter()` at the start."""
    by_action: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    by_action_status: Counter[str] = Counter()
    for (action, status, _reference), count in run.settle().items():
        by_action[action] += count
        by_status[status] += count
        by_action_status[f"{action}/{status}"] += count
    return CycleSummary(
        cycle_id=run.cycle_id,
        kind="initial" if run.kind == "initial" else "incremental",
        started_at=started,
        objects=by_action.total(),
        by_action=dict(by_action),
        by_status=dict(by_status),
        requests=requests,
        wall_seconds=time.perf_counter() - wall_began,
        aborted=run.abort.is_set(),
        unreachable=run.unreachable,
        quarantine_reason=None if run.quarantine is None else run.quarantine.reason.value,
        by_action_status=dict(by_action_status),
    )
