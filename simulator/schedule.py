"""When the next cycle runs: quarantine entered, kept, left or given up, and the 40-minute rhythm (§6).

Plain functions over the job's state, so the rules of D-QUAR and D-HOW read in one place.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from scim_harness.simulator.context import Run
from scim_harness.simulator.quarantine import Quarantine, QuarantineReason
from scim_harness.simulator.settings import EngineSettings
from scim_harness.simulator.timeline import RESTART_SCOPES


def after_cycle(
    run: Run,
    started: datetime,
    now: datetime,
    *,
    quarantine: Quarantine | None,
    running: bool,
    disabled: bool,
    settings: EngineSettings,
) -> tuple[Quarantine | None, bool, datetime | None]:
    """(quarantine, disabled, next cycle time) after a cycle: enter, update or leave quarantine (D-QUAR)."""
    if run.quarantine is not None:
        if quarantine is None or quarantine.reason is not run.quarantine.reason:
            quarantine = run.quarantine
        elif run.quarantine.error_code != quarantine.error_code:
            quarantine.error_code, quarantine.message = run.quarantine.error_code, run.quarantine.message
    elif (
        quarantine is not None
        and quarantine.reason is not QuarantineReason.ON_DEMAND
        and not run.abort.is_set()
    ):
        quarantine = None  # one success takes the job out of quarantine (D-QUAR)
    if not running:
        return quarantine, disabled, None
    if quarantine is not None:
        if quarantine.expired(now, settings.quarantine_disable_after):
            return quarantine, True, None
        return quarantine, disabled, quarantine.next_cycle_after(now, settings.quarantine_schedule)
    # Cycles run back to back: 40 minutes after the start, or at once when a cycle ran longer.
    return quarantine, disabled, max(started + settings.cycle_interval, now)


def parse_scopes(scope: str | Iterable[str] | None) -> set[str]:
    """Graph's restart resetScope values, comma-separated or listed; ValueError for an unknown one."""
    if scope is None:
        return set()
    items = scope.split(",") if isinstance(scope, str) else list(scope)
    scopes = {item.strip() for item in items if item and item.strip()}
    unknown = scopes - set(RESTART_SCOPES)
    if unknown:
        raise ValueError(f"unknown restart scope(s) {sorted(unknown)}; known: {', '.join(RESTART_SCOPES)}")
    scopes.discard("None")
    return scopes
