"""Entra's requests for one user in one cycle, built by the simulator's own mappings and payload functions.

The order per user is the engine's (docs/simulator.md "One user"): in the initial cycle a filter query on each
matching attribute in precedence order, then `POST /Users` when nothing matched, or the PATCH of the
difference with the matched resource; in an incremental cycle, `GET /Users/{id}` by the cached id, then the
PATCH of the difference, nothing when nothing differs. Bodies are `user_create_body` and `user_patch_body` in
the plan's dialect, filters `filter_query`, values `MappingSet.evaluate_user` over the tenant's source view.
The transport is a callable, so this module runs without Locust (and is tested without it).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from scim_harness.common.scim_wire import Dialect, filter_query, list_resources
from scim_harness.load.plan import START, LoadPlan, Slice
from scim_harness.simulator.clock import VirtualClock
from scim_harness.simulator.generate import generate_tenant
from scim_harness.simulator.mappings import MappingSet
from scim_harness.simulator.payloads import diff_user, user_create_body, user_patch_body

# Request kinds: the names Locust's statistics are kept under, one per step of Entra's flow.
PROBE = "/Users?filter (probe)"
MATCH = "/Users?filter (match)"
CREATE = "/Users (create)"
READ = "/Users/{id} (read)"
UPDATE = "/Users/{id} (update)"
KINDS = (PROBE, MATCH, CREATE, READ, UPDATE)


@dataclass(frozen=True)
class Call:
    kind: str
    method: str
    path: str
    """Below the SCIM base, query included and already encoded as Entra encodes it."""
    body: dict[str, Any] | None = None


@dataclass(frozen=True)
class Answer:
    status: int | None
    """None when there was no answer (timeout, refused connection)."""
    body: Any = None


Send = Callable[[Call], Answer]


@dataclass(frozen=True)
class Outcome:
    """What happened to one user in one cycle, in Entra's log words (action, status)."""

    action: str  # Create | Update | Other
    status: str  # Success | Failure | Skipped
    detail: str = ""


class Source:
    """The tenant of a plan and the mappings; one process holds its slice's users and their target links."""

    def __init__(self, plan: LoadPlan, part: Slice, mappings: MappingSet | None = None) -> None:
        self.plan = plan
        self.slice = part
        self.clock = VirtualClock(START)
        self.tenant = generate_tenant(plan.users, self.clock, seed=plan.seed, locale=plan.locale)  # type: ignore[arg-type]
        self.mappings = mappings or MappingSet.default()
        self.ids: list[str] = list(self.tenant.users)
        self._position = {user_id: position for position, user_id in enumerate(self.ids)}
        self.mine: list[str] = [self.ids[p] for p in part.positions(plan.users)]
        self.links: dict[str, str] = {}
        self.dialect = Dialect(plan.dialect)
        self._cycle_changes: dict[int, list[str]] = {}

    def user_names(self) -> list[str]:
        """Every source user's userName (UPN), the whole tenant: what the target must hold once each."""
        return [str(self.tenant.users[i].user_principal_name) for i in self.ids]

    def changes(self, cycle: int) -> list[str]:
        """This slice's users changed before incremental cycle `cycle`; the change is applied once."""
        if cycle not in self._cycle_changes:
            changed = [self.ids[p] for p in self.plan.changed_positions(cycle) if self.slice.owns(p)]
            for user_id in changed:
                self._change(user_id, cycle)
            self._cycle_changes[cycle] = changed
        return self._cycle_changes[cycle]

    def _change(self, user_id: str, cycle: int) -> None:
        """One of the changes an admin makes in Entra: a new display name, a new surname, sign-in blocked."""
        user = self.tenant.users[user_id]
        given = str(user.attributes.get("givenName", ""))
        kind = (self._position[user_id] + cycle) % 3
        if kind == 0:
            surname = user.attributes.get("surname", "")
            self.tenant.update_user(user_id, displayName=f"{given} {surname} ({cycle})")
        elif kind == 1:
            surname = f"{str(user.attributes.get('surname', '')).split('-')[0]}-{cycle}"
            self.tenant.update_user(user_id, surname=surname, displayName=f"{given} {surname}")
        else:
            enabled = user.attributes.get("accountEnabled", True) is not False
            self.tenant.update_user(user_id, accountEnabled=not enabled)

    def desired(self, user_id: str, *, on_create: bool) -> dict[str, Any]:
        return self.mappings.evaluate_user(
            self.tenant.source_view(user_id), on_create=on_create, now=self.clock.now()
        )


class EntraFlow:
    """The calls of one user in one cycle, over any `send`."""

    def __init__(self, source: Source) -> None:
        self.source = source

    @staticmethod
    def probe() -> Call:
        """The random-GUID probe "at the start of any activity" (I-PROBE; `probes_per_cycle`, 1 [U])."""
        return Call(PROBE, "GET", "/Users?" + filter_query("userName", str(uuid.uuid4())))

    def run(self, user_id: str, cycle: int, send: Send) -> Outcome:
        target_id = self.source.links.get(user_id)
        if target_id is None:
            return self._match_and_provision(user_id, send)
        answer = send(Call(READ, "GET", f"/Users/{quote(target_id, safe='')}"))
        if answer.status != 200 or not isinstance(answer.body, dict):
            return Outcome("Update", "Failure", f"read answered {answer.status}")
        return self._patch(user_id, target_id, answer.body, send)

    def _match_and_provision(self, user_id: str, send: Send) -> Outcome:
        source = self.source
        pairs = source.mappings.matching_values(source.tenant.source_view(user_id))
        if not pairs:
            return Outcome("Other", "Skipped", "no value for any matching attribute")
        for attribute, value in pairs:
            answer = send(Call(MATCH, "GET", "/Users?" + filter_query(attribute, str(value))))
            resources = list_resources(answer.body) if answer.status == 200 else None
            if resources is None:
                return Outcome("Other", "Failure", f"match answered {answer.status}")
            if len(resources) > 1:
                return Outcome("Other", "Failure", "DuplicateTargetEntries")
            if len(resources) == 1:
                target_id = resources[0].get("id")
                if not isinstance(target_id, str) or not target_id:
                    return Outcome("Other", "Failure", "the matched resource has no id")
                source.links[user_id] = target_id
                return self._patch(user_id, target_id, resources[0], send)
        body = user_create_body(source.desired(user_id, on_create=True))
        answer = send(Call(CREATE, "POST", "/Users", body))
        created = answer.body.get("id") if isinstance(answer.body, dict) else None
        if answer.status is None or not 200 <= answer.status < 300 or not isinstance(created, str):
            return Outcome("Create", "Failure", f"create answered {answer.status}")
        source.links[user_id] = created
        return Outcome("Create", "Success")

    def _patch(self, user_id: str, target_id: str, current: dict[str, Any], send: Send) -> Outcome:
        source = self.source
        changes = diff_user(source.desired(user_id, on_create=False), current, add_when_missing=True)
        if not changes:
            return Outcome("Update", "Skipped", "RedundantExport")
        body = user_patch_body(changes, source.dialect)
        answer = send(Call(UPDATE, "PATCH", f"/Users/{quote(target_id, safe='')}", body))
        if answer.status is None or not 200 <= answer.status < 300:
            return Outcome("Update", "Failure", f"update answered {answer.status}")
        return Outcome("Update", "Success")
