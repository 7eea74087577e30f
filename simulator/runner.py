"""Plays a timeline against a provisioning job on its clock: the engine's own runner, used by `simulate`.

Cycles that fall due run before an event at the same time, as they would in Entra: a change made at 2h is
picked up by the first cycle after 2h. Directory events change the tenant; admin actions (stop, start,
restart, provision on demand) are the job's control actions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from scim_harness.simulator.engine import ProvisioningJob
from scim_harness.simulator.results import CycleSummary
from scim_harness.simulator.tenant import Tenant, TenantError
from scim_harness.simulator.timeline import TimelineError, TimelineEvent

Progress = Callable[[timedelta, int], None]
"""Called with the simulated time elapsed and the cycles run so far, after each step of the clock."""


def default_duration(timeline: list[TimelineEvent], cycle_interval: timedelta) -> timedelta:
    """Without --run: the timeline's last event plus one cycle, or nothing more than the initial cycle."""
    return timeline[-1].at + cycle_interval if timeline else timedelta(0)


class TimelineRunner:
    """With `stop_when_unreachable`, the run ends after the first cycle that found the target not answering
    (a command-line run then ends in about one call's timeout, not one per cycle of the timeline)."""

    def __init__(
        self, job: ProvisioningJob, timeline: list[TimelineEvent], *, stop_when_unreachable: bool = False
    ) -> None:
        self.job = job
        self.timeline = timeline
        self.cycles: list[CycleSummary] = []
        self.stop_when_unreachable = stop_when_unreachable

    @property
    def unreachable(self) -> str | None:
        """Why the last cycle ended because the target stopped answering, or None."""
        return self.cycles[-1].unreachable if self.cycles else None

    def _stopped(self) -> bool:
        return self.job.cancelled or (self.stop_when_unreachable and self.unreachable is not None)

    def run(self, duration: timedelta, on_progress: Progress | None = None) -> list[CycleSummary]:
        """Start the job and play every event up to `duration`; TimelineError names a failing event."""
        job = self.job
        elapsed = timedelta(0)
        report = on_progress or (lambda _elapsed, _cycles: None)

        def advance_to(moment: timedelta) -> None:
            nonlocal elapsed
            while elapsed < moment and not self._stopped():
                step = min(moment - elapsed, job.settings.cycle_interval)
                self.cycles.extend(job.advance(step))
                elapsed += step
                report(elapsed, len(self.cycles))

        job.start()
        self.cycles.extend(job.advance(timedelta(0)))
        for event in (e for e in self.timeline if e.at <= duration):
            advance_to(event.at)
            if self._stopped():
                break
            self._play(event)
        advance_to(duration)
        return self.cycles

    def _play(self, event: TimelineEvent) -> None:
        job = self.job
        try:
            if not event.is_admin_action:
                apply_directory_event(job.tenant, event)
            elif event.action == "stop":
                job.stop()
            elif event.action == "start":
                job.start()
                self.cycles.extend(job.advance(timedelta(0)))
            elif event.action == "restart":
                job.restart(event.params.get("scope"))
                self.cycles.extend(job.advance(timedelta(0)))
            elif event.action == "on_demand":
                job.provision_on_demand(job.tenant.find_user(event.target or "").id)
        except TimelineError:
            raise
        except (TenantError, ValueError) as exc:
            raise TimelineError(event.index, f"{event.action}: {exc}") from None


def apply_directory_event(tenant: Tenant, event: TimelineEvent) -> None:
    """Apply one directory event to the tenant. Admin actions are the engine's and are refused here."""
    if event.is_admin_action:
        raise TimelineError(event.index, f"{event.action!r} is an admin action for the provisioning job")
    try:
        _apply(tenant, event)
    except TenantError as exc:
        raise TimelineError(event.index, f"{event.action}: {exc}") from None


def _apply(tenant: Tenant, event: TimelineEvent) -> None:
    action, params = event.action, event.params
    if action == "add_user":
        attributes = dict(params.get("attributes", params.get("set", {})))
        user_id = attributes.pop("id", None)
        tenant.add_user(id=user_id, assigned=bool(params.get("assigned", False)), **attributes)
        return
    if action == "add_group":
        members = [tenant.find_user(m).id for m in params.get("members", [])]
        tenant.add_group(
            params["displayName"], members, id=params.get("id"), assigned=bool(params.get("assigned", False))
        )
        return
    assert event.target is not None
    if event.target_kind == "group":
        group = tenant.find_group(event.target)
        group_actions = {
            "assign": lambda: tenant.assign_group(group.id),
            "unassign": lambda: tenant.unassign_group(group.id),
            "add_member": lambda: tenant.add_group_member(group.id, tenant.find_user(params["member"]).id),
            "remove_member": lambda: tenant.remove_group_member(
                group.id, tenant.find_user(params["member"]).id
            ),
        }
        if action not in group_actions:
            raise TimelineError(event.index, f"action {action!r} applies to a user, not a group")
        group_actions[action]()
        return
    user_id = tenant.find_user(event.target).id
    user_actions = {
        "assign": tenant.assign_user,
        "unassign": tenant.unassign_user,
        "soft_delete": tenant.soft_delete,
        "restore": tenant.restore,
        "hard_delete": tenant.hard_delete,
        "block": tenant.block_sign_in,
        "unblock": tenant.unblock_sign_in,
    }
    if action == "update":
        tenant.update_user(user_id, **params["set"])
    elif action in user_actions:
        user_actions[action](user_id)
    else:
        raise TimelineError(event.index, f"action {action!r} applies to a group, not a user")
