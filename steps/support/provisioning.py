"""The Entra ID side's provisioning job and its configuration, as an administrator sees them in the portal.

The configuration (Tenant URL with or without the dialect flag, Secret Token, attribute mappings, group
provisioning) is set here and given to one ProvisioningJob, built on first use. What the job says about a
user (its provisioning log) is read here too, for checks and for the report.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from scim_harness.common.scim_wire import ENTERPRISE_SCHEMA, FLAG, Dialect
from scim_harness.simulator.engine import ConnectionTestResult, EngineSettings, ProvisioningJob
from scim_harness.simulator.logs import LogEntry
from scim_harness.simulator.mappings import AttributeMapping, MappingSet
from scim_harness.simulator.payloads import user_create_body
from scim_harness.simulator.scoping import ScopingClause, ScopingFilter
from scim_harness.steps.support.directory import Directory
from scim_harness.steps.support.notes import ReportNotes
from scim_harness.steps.support.wire import EntraWire

CREDENTIALS_ERROR = "SystemForCrossDomainIdentityManagementCredentialValidationFailure"
"""Entra's error code when the target refuses the Secret Token (401 or 403; D-LOGERR)."""
ROLE_PATH = 'roles[type eq "WindowsAzureActiveDirectoryRole"].value'
"""Where a role mapping puts an app role: the role object's `type` and `value` as Entra's
SingleAppRoleAssignment sends them (D-ATTR; the simulator does not model app-role assignments)."""
_TARGET_WORDS = re.compile(r"Details: \S+ \S+ answered HTTP \d+(?: \([^)]*\))?: (?P<said>.*)$", re.DOTALL)


def tenant_url(scim_url: str, dialect: str) -> str:
    """The Tenant URL as an administrator types it: the SCIM endpoint, plus the compliant dialect's flag."""
    if Dialect(dialect) is Dialect.LEGACY:
        return scim_url
    return scim_url + ("&" if "?" in scim_url else "?") + FLAG


@dataclass(frozen=True)
class OnDemandOutcome:
    """What "Provision on demand" showed for one user: the verdict, without the whole log entry."""

    alias: str
    action: str
    status: str
    error_code: str | None
    failed_steps: tuple[str, ...] = ()


class Provisioning:
    def __init__(
        self,
        directory: Directory,
        scim_url: str,
        dialect: str,
        secret_token: str,
        notes: ReportNotes,
        *,
        timeout_seconds: float | None = None,
        ca_file: str | None = None,
    ) -> None:
        self.directory = directory
        self._scim_url = scim_url
        """The SCIM endpoint as the simulator reaches it (through the capture proxy when it is on)."""
        self.dialect = dialect
        self._secret_token = secret_token
        self._notes = notes
        # Built here, from the one EngineSettings this module names, so that a test can break the engine's
        # settings for a whole in-process run (tests/suite/test_article_scenarios_can_fail.py).
        defaults = EngineSettings()
        self._settings = EngineSettings(
            timeout_seconds=timeout_seconds or defaults.timeout_seconds, ca_file=ca_file
        )
        self.mappings = MappingSet.default()
        self._job: ProvisioningJob | None = None
        self._group_log_mark = 0
        self.wire = EntraWire()
        """Every request the job sends in this scenario and its answer (for checks on the wire)."""

    def __repr__(self) -> str:
        # allure-pytest-bdd records step arguments with repr(): never the Secret Token.
        return f"Provisioning(dialect={self.dialect!r})"

    # ---- the job ----------------------------------------------------------------------------------------

    @property
    def job(self) -> ProvisioningJob:
        """The job with the configuration as it is now, built and started on first use."""
        if self._job is None:
            self._job = ProvisioningJob(
                self.directory.tenant,
                tenant_url(self._scim_url, self.dialect),
                self._secret_token,
                self.mappings,
                self.directory.clock,
                self._settings,
            )
            self._job.on_exchange(self.wire.record)
            self._job.start()
        return self._job

    def close(self) -> None:
        if self._job is not None:
            self._job.close()
            self._job = None

    # ---- configuration (the Provisioning page in the portal) --------------------------------------------

    def connect_with_token(self, secret_token: str) -> ProvisioningJob:
        """Another Secret Token in the portal: the same job uses it from its next request on."""
        self._secret_token = secret_token
        self.job.configure(secret_token=secret_token)
        return self.job

    def select_dialect(self, dialect: str) -> None:
        """A Tenant URL with or without the flag; the same job uses it from its next request on."""
        self.dialect = Dialect(dialect).value
        if self._job is not None:
            self._job.configure(tenant_url=tenant_url(self._scim_url, self.dialect))

    def map_department_and_job_title(self) -> None:
        extra = [
            AttributeMapping(target=f"{ENTERPRISE_SCHEMA}:department", source="[department]"),
            AttributeMapping(target="title", source="[jobTitle]"),
        ]
        self._set_mappings(
            dataclasses.replace(self.mappings, user_mappings=[*self.mappings.user_mappings, *extra])
        )

    def scope_to(self, graph_attribute: str, value: str) -> None:
        """Settings > Scope: "Sync only assigned users and groups", with an attribute-based scoping filter on
        the user mappings (Microsoft's Kintone tutorial, steps 4 and 5): `<attribute> EQUALS <value>`."""
        clause = ScopingClause(graph_attribute, "EQUALS", value)
        self.job.configure(scope="assigned", scoping_filter=ScopingFilter.single(clause))

    def map_role(self, role: str) -> None:
        """A role mapping, as an administrator adds one to send the user's app role in `roles`. The
        simulator does not model app-role assignments (SingleAppRoleAssignment), so the mapping is a
        Constant of the role the scenario names; the POST carries it where Entra puts a role (D-ATTR)."""
        mapping = AttributeMapping(target=ROLE_PATH, source=role, mapping_type="Constant")
        self._set_mappings(
            dataclasses.replace(self.mappings, user_mappings=[*self.mappings.user_mappings, mapping])
        )

    def switch_group_provisioning(self, enabled: bool) -> None:
        self._set_mappings(dataclasses.replace(self.mappings, provision_groups=enabled))
        self._group_log_mark = len(self.job.logs.entries)

    def _set_mappings(self, mappings: MappingSet) -> None:
        """The one place a changed mapping reaches the job: through its configuration API, from the next
        request on (and, as in Entra, a changed mapping makes the next cycle an initial one)."""
        self.mappings = mappings
        self.job.configure(mappings=mappings)

    # ---- what the administrator does --------------------------------------------------------------------

    def run_cycle(self) -> None:
        summary = self.job.run_cycle()
        self._notes.note(
            "provisioning cycle",
            json.dumps(
                {
                    "kind": summary.kind,
                    "by_action_status": summary.by_action_status,
                    "aborted": summary.aborted,
                    "quarantine": summary.quarantine_reason,
                    "unreachable": summary.unreachable,
                },
                indent=2,
            ),
        )

    def advance(self, minutes: int) -> None:
        self.job.advance(timedelta(minutes=minutes))

    def test_connection(self) -> ConnectionTestResult:
        result = self.job.test_connection()
        self._notes.note(
            "test connection",
            f"success={result.success} status={result.status} error_code={result.error_code}\n"
            f"{result.message}",
        )
        return result

    def provision_on_demand(self, alias: str) -> OnDemandOutcome:
        result = self.job.provision_on_demand(self.directory.people[alias].source_id)
        failed = tuple(f"{s.name}: {s.description}" for s in result.steps if s.status == "Failure")
        return OnDemandOutcome(alias, result.action, result.status, result.error_code, failed)

    # ---- what Entra ID knows ----------------------------------------------------------------------------

    def linked_id(self, alias: str) -> str:
        """The target's id of the user: the one Entra cached, else the one a step saw in Kintone."""
        person = self.directory.people[alias]
        target_id = self.job.target_id(person.source_id) or person.kintone_id
        if not target_id:
            raise AssertionError(f"{alias} has no user in the target to update")
        return target_id

    def create_body(self, alias: str) -> dict[str, Any]:
        """The POST body Entra ID sends for this user, from the same mappings the job uses."""
        tenant = self.directory.tenant
        source = tenant.source_view(self.directory.people[alias].source_id)
        values = self.mappings.evaluate_user(source, on_create=True, now=self.directory.clock.now())
        return user_create_body(values)

    def log_for(self, alias: str) -> list[LogEntry]:
        return self.job.logs.for_user(self.directory.people[alias].source_id)

    def failures_for(self, alias: str) -> list[str]:
        return [_line(e) for e in self.log_for(alias) if e.status == "Failure"]

    def note_log_for(self, alias: str) -> None:
        """For outcomes whose Kintone answer is unpublished: what did the target answer Entra ID?"""
        lines = [_line(e) for e in self.log_for(alias)]
        self._notes.note(f"provisioning log for {alias}", "\n".join(lines) or "none")

    def group_entries_since_switched(self) -> list[LogEntry]:
        """Log entries about groups since group provisioning was last switched on or off."""
        return [e for e in self.job.logs.entries[self._group_log_mark :] if _is_group(e)]

    def group_problem_reported(self) -> bool:
        """A failed group, a quarantine or an aborted cycle: how Entra ID shows that groups cannot go."""
        status = self.job.status
        cycle = status.last_cycle
        self._notes.note(
            "provisioning job status",
            f"state={status.state} quarantine={status.quarantine_reason}"
            f" aborted={cycle.aborted if cycle else None}",
        )
        failed_groups = [e for e in self.job.logs.entries if _is_group(e) and e.status == "Failure"]
        return bool(failed_groups) or status.state == "Quarantined" or bool(cycle and cycle.aborted)


def target_words(message: str) -> str | None:
    """What the target itself said, as Entra's message quotes it after its own sentence ("... Details: GET
    /Users answered HTTP 403 (Forbidden): <the target's words>"); None when the target said nothing (a
    timeout, a refused connection, a certificate failure)."""
    found = _TARGET_WORDS.search(message or "")
    return found["said"] if found else None


def credentials_refused(result: ConnectionTestResult) -> bool:
    """Entra ID's verdict on a Test Connection: the credentials were refused (what status Kintone answers an
    unknown, disabled or expired token with is unpublished; the report has it)."""
    return not result.success and result.error_code == CREDENTIALS_ERROR


def _line(entry: LogEntry) -> str:
    return f"{entry.action} {entry.status} {entry.error_code or ''} {entry.statusInfo.reason or ''}".strip()


def _is_group(entry: LogEntry) -> bool:
    return entry.sourceIdentity.get("identityType") == "Group"
