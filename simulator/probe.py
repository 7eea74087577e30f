"""Test Connection and the probes before any activity: a random-GUID filter finds nothing (§1, I-PROBE)."""

from __future__ import annotations

import uuid

from scim_harness.common.scim_wire import filter_query, list_resources
from scim_harness.simulator.client import SERVICE_INCOMPATIBLE, Outcome, Response
from scim_harness.simulator.mappings import MappingSet
from scim_harness.simulator.payloads import group_filter_query
from scim_harness.simulator.quarantine import COMPLIANCE_MESSAGE, CREDENTIALS_MESSAGE
from scim_harness.simulator.results import ConnectionTestResult
from scim_harness.simulator.settings import EngineSettings
from scim_harness.simulator.throttle import ThrottledClient


class Prober:
    def __init__(self, calls: ThrottledClient, mappings: MappingSet, settings: EngineSettings) -> None:
        self._calls = calls
        self._mappings = mappings
        self._settings = settings

    def test_connection(self) -> ConnectionTestResult:
        """The Test Connection button: the user probe, then the group form when groups are provisioned."""
        result = self.users()
        if result.success and self._mappings.provision_groups and self._settings.probe_groups:
            result = self.groups()
        return result

    def first_failure(self, user_probes: int, *, groups: bool) -> ConnectionTestResult | None:
        """`user_probes` user probes (at least one), then a group probe with `groups`; the first failure."""
        for _ in range(max(1, user_probes)):
            result = self.users()
            if not result.success:
                return result
        if groups:
            result = self.groups()
            if not result.success:
                return result
        return None

    def users(self) -> ConnectionTestResult:
        matching = self._mappings.matching_attributes()
        attribute = matching[0].target if matching else "userName"
        return probe_result(self._calls.request("GET", "/Users", query=filter_query(attribute, _guid())))

    def groups(self) -> ConnectionTestResult:
        return probe_result(self._calls.request("GET", "/Groups", query=group_filter_query(_guid())))


def probe_result(response: Response) -> ConnectionTestResult:
    """Success only on 200 with an empty ListResponse; otherwise Entra's code and wording for the failure."""
    if response.outcome is Outcome.CREDENTIALS:
        return ConnectionTestResult(False, response.error_code, CREDENTIALS_MESSAGE, response.status)
    if response.outcome is Outcome.NOT_FOUND:
        return ConnectionTestResult(False, SERVICE_INCOMPATIBLE, COMPLIANCE_MESSAGE, response.status)
    if not response.ok:
        message = {
            Outcome.TIMEOUT: "The SCIM endpoint did not answer within the timeout.",
            Outcome.PROTOCOL_ERROR: "We could not connect to the SCIM endpoint: " + response.text,
        }.get(response.outcome, f"The SCIM endpoint answered HTTP {response.status}: {response.text[:300]}")
        return ConnectionTestResult(False, response.error_code, message, response.status)
    resources = list_resources(response.body)
    if resources is None:
        message = "The SCIM endpoint did not answer the query with a ListResponse."
    elif resources:
        message = (
            "The SCIM endpoint returned resources for a filter on a random value; "
            "expected an empty ListResponse."
        )
    else:
        return ConnectionTestResult(
            True, None, "The supplied credentials are authorized to enable provisioning.", response.status
        )
    return ConnectionTestResult(False, SERVICE_INCOMPATIBLE, message, response.status)


def _guid() -> str:
    return str(uuid.uuid4())
