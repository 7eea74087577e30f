"""What the conformance suite's step definitions stand on, so that each step stays a line or two of glue.

A ScenarioWorld is one scenario's world: the Entra ID side (a simulated tenant and provisioning job on a
virtual clock), the Kintone side (a target driver), the people the scenario talks about by alias, and what has
to be cleaned up afterwards. Every login name carries a short random suffix so scenarios never collide, on a
shared staging tenant or between pytest-xdist workers.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from scim_harness.common.scim_wire import FLAG
from scim_harness.drivers.base import TargetDriver, TargetUser
from scim_harness.drivers.protocol_probe import Answer, ProtocolProbe
from scim_harness.simulator.clock import VirtualClock
from scim_harness.simulator.engine import (
    ConnectionTestResult,
    EngineSettings,
    OnDemandResult,
    ProvisioningJob,
)
from scim_harness.simulator.mappings import AttributeMapping, MappingSet
from scim_harness.simulator.payloads import PATCH_SCHEMA, user_create_body
from scim_harness.simulator.tenant import Tenant

LOGIN_DOMAIN = "scim-harness.test"
CREDENTIALS_ERROR = "SystemForCrossDomainIdentityManagementCredentialValidationFailure"
MAIL_DOMAIN = "example.org"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

# Item names as the help article says them -> (Graph attribute in Entra ID, TargetUser field in Kintone).
ITEMS: dict[str, tuple[str, str]] = {
    "display name": ("displayName", "display_name"),
    "surname": ("surname", "family_name"),
    "given name": ("givenName", "given_name"),
    "email address": ("mail", "email"),
}


def item(name: str) -> tuple[str, str]:
    try:
        return ITEMS[name]
    except KeyError:
        raise ValueError(f"unknown item {name!r}: use one of {', '.join(ITEMS)}") from None


def tenant_url(scim_url: str, dialect: str) -> str:
    """The Tenant URL as an administrator types it: the SCIM endpoint, plus the compliant dialect's flag."""
    if dialect == "legacy":
        return scim_url
    return scim_url + ("&" if "?" in scim_url else "?") + FLAG


@dataclass
class Person:
    """A user the scenario names by alias ("alice"); the real login name is unique to this scenario run."""

    alias: str
    source_id: str
    login_name: str
    old_login_names: list[str] = field(default_factory=list)
    kintone_id: str | None = None


@dataclass
class Recorder:
    """Notes for the report: where Kintone's real answer is unpublished we assert the documented outcome and
    record what the target answered."""

    attach: Callable[[str, str], None]

    def note(self, title: str, text: str) -> None:
        self.attach(title, text)


class ScenarioWorld:
    def __init__(
        self,
        target: TargetDriver,
        scim_url: str,
        dialect: str,
        recorder: Recorder,
        settings: EngineSettings | None = None,
        on_new_secret: Callable[[str], None] | None = None,
    ) -> None:
        self.target = target
        self.scim_url = scim_url
        """The SCIM endpoint as the simulator reaches it (through the capture proxy when it is on)."""
        self.dialect = dialect
        self.recorder = recorder
        self.settings = settings or EngineSettings()
        self.clock = VirtualClock()
        self.tenant = Tenant(self.clock)
        self.mappings = MappingSet.default()
        self.secret_token = target.secret_token
        self.people: dict[str, Person] = {}
        self.groups: dict[str, str] = {}
        self.suffix = uuid.uuid4().hex[:8]
        self.last_test: ConnectionTestResult | None = None
        self.last_on_demand: OnDemandResult | None = None
        self.last_answer: Answer | None = None
        self.created_token: str | None = None
        self._on_new_secret = on_new_secret or (lambda _secret: None)
        self._job: ProvisioningJob | None = None
        self._probe: ProtocolProbe | None = None
        self._log_mark = 0

    def __repr__(self) -> str:
        # allure-pytest-bdd records step arguments with repr(): this one must never show a secret.
        return (
            f"ScenarioWorld(target={self.target.name!r}, dialect={self.dialect!r}, users={list(self.people)})"
        )

    # ---- the Entra ID side -----------------------------------------------------------------------------

    @property
    def job(self) -> ProvisioningJob:
        if self._job is None:
            self._job = ProvisioningJob(
                self.tenant,
                tenant_url(self.scim_url, self.dialect),
                self.secret_token,
                self.mappings,
                self.clock,
                self.settings,
            )
            self._job.start()
        return self._job

    def reconfigure(self, *, dialect: str | None = None, secret_token: str | None = None) -> None:
        """What an administrator does on Entra ID's Provisioning page: a new Tenant URL or Secret Token."""
        if dialect is not None:
            self.dialect = dialect
        if secret_token is not None:
            self.secret_token = secret_token
        if self._job is not None:  # the same job: the next request uses the new URL and token
            self._job.configure(
                tenant_url=tenant_url(self.scim_url, self.dialect), secret_token=self.secret_token
            )

    def set_mappings(self, mappings: MappingSet) -> None:
        self.mappings = mappings
        self.job.configure(mappings=mappings)

    def provision_groups(self, enabled: bool) -> None:
        self.job.configure(provision_groups=enabled)
        self.mappings = self.job.mappings
        self._log_mark = len(self.job.logs.entries)

    def map_department_and_job_title(self) -> None:
        extra = [
            AttributeMapping(target=f"{ENTERPRISE}:department", source="[department]"),
            AttributeMapping(target="title", source="[jobTitle]"),
        ]
        self.set_mappings(
            dataclasses.replace(self.mappings, user_mappings=[*self.mappings.user_mappings, *extra])
        )

    def add_person(
        self,
        alias: str,
        display_name: str,
        *,
        email: bool = True,
        renamed: bool = False,
        names: tuple[str, str] | None = None,
    ) -> Person:
        """A user in Entra ID; given name and surname come from the display name unless `names` gives them."""
        login = self._login(alias, renamed=renamed)
        given, _, surname = display_name.partition(" ")
        if names:
            given, surname = names
        user = self.tenant.add_user(
            userPrincipalName=login,
            displayName=display_name,
            givenName=given or None,
            surname=surname or None,
            mail=f"{alias}.{self.suffix}@{MAIL_DOMAIN}" if email else None,
            mailNickname=login.partition("@")[0],
            accountEnabled=True,
        )
        self.people[alias] = person = Person(alias, user.id, login)
        return person

    def person(self, alias: str) -> Person:
        try:
            return self.people[alias]
        except KeyError:
            raise ValueError(f"the scenario has no user {alias!r} yet") from None

    def source_attribute(self, alias: str, graph_name: str) -> Any:
        return self.tenant.users[self.person(alias).source_id].attributes.get(graph_name)

    def change_login_name(self, alias: str) -> Person:
        person = self.person(alias)
        person.old_login_names.append(person.login_name)
        person.login_name = self._login(alias, renamed=True)
        self.tenant.update_user(person.source_id, userPrincipalName=person.login_name)
        return person

    def recreate_with_new_login_name(self, alias: str) -> Person:
        """Entra ID's half of the documented rename: delete the user for good, create it with the new name."""
        old = self.person(alias)
        display_name = self.tenant.users[old.source_id].attributes.get("displayName", alias)
        self.tenant.hard_delete(old.source_id)
        new = self.add_person(alias, display_name, renamed=True)
        new.old_login_names = [*old.old_login_names, old.login_name]
        self.tenant.assign_user(new.source_id)
        return new

    def add_group(self, name: str, member_aliases: list[str]) -> str:
        group = self.tenant.add_group(
            f"{name} {self.suffix}", members=[self.person(a).source_id for a in member_aliases]
        )
        self.groups[name] = group.id
        return group.id

    def group_name(self, name: str) -> str:
        return self.tenant.groups[self.groups[name]].display_name

    def run(self) -> None:
        summary = self.job.run_cycle()
        self.recorder.note(
            "provisioning cycle",
            json.dumps(
                {
                    "kind": summary.kind,
                    "by_action_status": summary.by_action_status,
                    "aborted": summary.aborted,
                    "quarantine": summary.quarantine_reason,
                },
                indent=2,
            ),
        )

    def advance(self, minutes: int) -> None:
        self.job.advance(timedelta(minutes=minutes))

    def provision(self, alias: str) -> Person:
        """Assign, run a cycle and remember which Kintone user it became (for 'the same Kintone user')."""
        person = self.person(alias)
        self.tenant.assign_user(person.source_id)
        self.run()
        found = self.target.get_user(person.login_name)
        if found is None:
            raise AssertionError(f"{alias} was not provisioned to the target: {self.failures_for(alias)}")
        person.kintone_id = found.id
        return person

    def remember_kintone_user(self, alias: str) -> None:
        person = self.person(alias)
        found = self.target.get_user(person.login_name)
        person.kintone_id = found.id if found else None

    def test_connection(self) -> ConnectionTestResult:
        self.last_test = self.job.test_connection()
        self.recorder.note(
            "test connection",
            f"success={self.last_test.success} status={self.last_test.status} "
            f"error_code={self.last_test.error_code}\n{self.last_test.message}",
        )
        return self.last_test

    def on_demand(self, alias: str) -> OnDemandResult:
        self.last_on_demand = self.job.provision_on_demand(self.person(alias).source_id)
        return self.last_on_demand

    def credentials_refused(self) -> bool:
        """Entra ID's verdict on the last Test Connection: the credentials were refused (what status Kintone
        answers an unknown, disabled or expired token with is unpublished; it is in the report)."""
        return (
            self.last_test is not None
            and not self.last_test.success
            and self.last_test.error_code == CREDENTIALS_ERROR
        )

    def failures_for(self, alias: str) -> list[str]:
        person = self.person(alias)
        return [
            f"{e.action} {e.status} {e.error_code or ''} {e.statusInfo.reason or ''}".strip()
            for e in self.job.logs.for_user(person.source_id)
            if e.status == "Failure"
        ]

    def group_entries_since_mark(self) -> list[Any]:
        return [
            e
            for e in self.job.logs.entries[self._log_mark :]
            if e.sourceIdentity.get("identityType") == "Group"
        ]

    def group_problem_reported(self) -> bool:
        status = self.job.status
        cycle = status.last_cycle
        failed_groups = [
            e
            for e in self.job.logs.entries
            if e.sourceIdentity.get("identityType") == "Group" and e.status == "Failure"
        ]
        self.recorder.note(
            "provisioning job status",
            f"state={status.state} quarantine={status.quarantine_reason}"
            f" aborted={cycle.aborted if cycle else None}",
        )
        return bool(failed_groups) or status.state == "Quarantined" or bool(cycle and cycle.aborted)

    # ---- the Kintone side ------------------------------------------------------------------------------

    def kintone_user(self, alias: str) -> TargetUser | None:
        return self.target.get_user(self.person(alias).login_name)

    def create_token(self, validity_days: int | None, notes: str) -> str:
        token = self.target.create_token(validity_days, notes)
        self._on_new_secret(token)
        self.created_token = token
        return token

    def record_status_seen(self, alias: str) -> None:
        """For outcomes whose Kintone answer is unpublished: what did the target answer Entra ID?"""
        entries = self.job.logs.for_user(self.person(alias).source_id)
        self.recorder.note(
            f"provisioning log for {alias}",
            "\n".join(
                f"{e.action} {e.status} {e.error_code or ''} {e.statusInfo.reason or ''}" for e in entries
            )
            or "none",
        )

    # ---- protocol probes (@scim) ----------------------------------------------------------------------

    @property
    def probe(self) -> ProtocolProbe:
        if self._probe is None:
            self._probe = ProtocolProbe(self.scim_url, self.secret_token)
        return self._probe

    def answer(self, answer: Answer) -> Answer:
        self.last_answer = answer
        self.recorder.note(answer.what, answer.summary())
        return answer

    def last_answer_note(self) -> str:
        """For a failed check after a protocol request: what the service answered that request."""
        return f" (the service answered the {self.last_answer.summary()})" if self.last_answer else ""

    def unused_login_name(self) -> str:
        return f"nobody.{uuid.uuid4().hex}@{LOGIN_DOMAIN}"

    def unused_id(self) -> str:
        return str(uuid.uuid4())

    def entra_create_body(self, alias: str) -> dict[str, Any]:
        """The POST body Entra ID sends for this user, from the same mappings the job uses."""
        source = self.tenant.source_view(self.person(alias).source_id)
        return user_create_body(self.mappings.evaluate_user(source, on_create=True, now=self.clock.now()))

    @staticmethod
    def pathless_replace(path: str, value: Any) -> dict[str, Any]:
        """Entra's capitalised Replace with no path and a dotted key in the value."""
        return {"schemas": [PATCH_SCHEMA], "Operations": [{"op": "Replace", "value": {path: value}}]}

    @staticmethod
    def path_replace(path: str, value: Any) -> dict[str, Any]:
        return {"schemas": [PATCH_SCHEMA], "Operations": [{"op": "Replace", "path": path, "value": value}]}

    def kintone_users_named(self, alias: str) -> list[dict[str, Any]]:
        login = self.person(alias).login_name.lower()
        answer = self.probe.find_by_login(login)
        return [r for r in answer.resources if str(r.get("userName", "")).lower() == login]

    @staticmethod
    def unpropagated_items(user: TargetUser) -> dict[str, Any]:
        """Department and job title wherever a SCIM service could keep them."""
        kept = {
            "title": user.raw.get("title"),
            "department": (user.raw.get(ENTERPRISE) or {}).get("department") or user.raw.get("department"),
        }
        return {name: value for name, value in kept.items() if value}

    def group_exists(self, name: str) -> bool:
        answer = self.answer(self.probe.find_group(self.group_name(name)))
        return answer.status == 200 and bool(answer.resources)

    def linked_id(self, alias: str) -> str:
        person = self.person(alias)
        target_id = self.job.target_id(person.source_id) or person.kintone_id
        if not target_id:
            raise AssertionError(f"{alias} has no user in the target to update")
        return target_id

    # ---- clean-up --------------------------------------------------------------------------------------

    def close(self) -> None:
        """Leave the target as the scenario found it, even after a failure (one error hides no other)."""
        errors: list[str] = []

        def attempt(what: str, action: Callable[[], None]) -> None:
            try:
                action()
            except Exception as exc:
                errors.append(f"{what}: {exc}")

        # Settings first: an IP restriction or a switched-off propagation could block the user clean-up.
        attempt("putting back tenant settings", self.target.undo_admin_changes)
        for person in self.people.values():
            for login in {person.login_name, *person.old_login_names}:
                attempt(f"removing {login}", lambda login=login: self.target.remove_user(login))
        attempt("closing the provisioning job", self._close_job)
        attempt("closing the protocol probe", self._close_probe)
        if errors:
            self.recorder.note("clean-up problems", "\n".join(errors))

    def _close_job(self) -> None:
        if self._job is not None:
            self._job.close()
            self._job = None

    def _close_probe(self) -> None:
        if self._probe is not None:
            self._probe.close()
            self._probe = None

    def _login(self, alias: str, *, renamed: bool = False) -> str:
        return f"{alias}{'.renamed' if renamed else ''}.{self.suffix}@{LOGIN_DOMAIN}"
