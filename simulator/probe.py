"""Test Connection and the probes before any activity: a random-GUID filter must find nothing (§1, I-PROBE).

Test Connection's result carries Entra's wording for the failure and, after it, what the target itself said
(the SCIM Error `detail`, else the body's text), made safe and with every form of a secret masked, so that
an administrator sees the target's own reason, as Entra shows it ("An invalid certificate was entered").
"""

from __future__ import annotations

import uuid

from scim_harness.common.scim_wire import filter_query, list_resources
from scim_harness.simulator.answers import SERVICE_INCOMPATIBLE, Outcome, Response
from scim_harness.simulator.context import JobContext
from scim_harness.simulator.payloads import group_filter_query
from scim_harness.simulator.quarantine import COMPLIANCE_MESSAGE, CREDENTIALS_MESSAGE
from scim_harness.simulator.results import ConnectionTestResult

SUCCESS_MESSAGE = "The supplied credentials are authorized to enable provisioning."


class Prober:
    """The probes of one job; reads the job's current mappings and settings at each call."""

    def __init__(self, ctx: JobContext) -> None:
        self._ctx = ctx

    def test_connection(self) -> ConnectionTestResult:
        """Test Connection: the user probe, then the group probe as `test_connection_group_probe` says."""
        result = self.users()
        mode = self._ctx.settings.test_connection_group_probe
        if not result.success or not self._ctx.mappings.provision_groups or mode == "off":
            return result
        groups = self.groups()
        if groups.success or mode == "strict" or groups.error_code == CREDENTIALS_CODE:
            return groups
        return result  # tolerant: only refused credentials fail Test Connection on the group probe

    def first_failure(self, user_probes: int) -> ConnectionTestResult | None:
        """`user_probes` user probes (at least one); the first failure, or None."""
        for _ in range(max(1, user_probes)):
            result = self.users()
            if not result.success:
                return result
        return None

    def users(self) -> ConnectionTestResult:
        matching = self._ctx.mappings.matching_attributes()
        attribute = matching[0].target if matching else "userName"
        response = self._ctx.calls.request("GET", "/Users", query=filter_query(attribute, _guid()))
        return self.result(response)

    def groups(self) -> ConnectionTestResult:
        return self.result(self.group_probe())

    def group_probe(self) -> Response:
        """The group form of the probe (UNCONFIRMED, §1), as its raw answer."""
        return self._ctx.calls.request("GET", "/Groups", query=group_filter_query(_guid()))

    def result(self, response: Response) -> ConnectionTestResult:
        """The probe's verdict, its message masked of every form of a secret."""
        result = probe_result(response)
        if result.success:
            return result  # our own sentence: nothing to mask
        return ConnectionTestResult(
            result.success, result.error_code, self._ctx.logs.redactor.text(result.message), result.status
        )


CREDENTIALS_CODE = "SystemForCrossDomainIdentityManagementCredentialValidationFailure"


def probe_result(response: Response) -> ConnectionTestResult:
    """Success only on 200 with an empty ListResponse; otherwise Entra's code and wording for the failure."""
    if response.ok:
        resources = list_resources(response.body)
        if resources == []:
            return ConnectionTestResult(True, None, SUCCESS_MESSAGE, response.status)
        message = (
            "The SCIM endpoint did not answer the query with a ListResponse."
            if resources is None
            else "The SCIM endpoint returned resources for a filter on a random value; "
            "expected an empty ListResponse."
        )
        return ConnectionTestResult(
            False, SERVICE_INCOMPATIBLE, _with_target_text(message, response), response.status
        )
    if response.outcome is Outcome.CREDENTIALS:
        message = CREDENTIALS_MESSAGE
    elif response.outcome is Outcome.NOT_FOUND:
        message = COMPLIANCE_MESSAGE
    elif response.outcome is Outcome.TIMEOUT:
        message = f"The SCIM endpoint did not answer in time: {response.text}."
    elif response.outcome is Outcome.PROTOCOL_ERROR:
        message = f"We could not connect to the SCIM endpoint: {response.text}."
    else:
        message = "The SCIM endpoint refused the query."
    code = SERVICE_INCOMPATIBLE if response.outcome is Outcome.NOT_FOUND else response.error_code
    return ConnectionTestResult(False, code, _with_target_text(message, response), response.status)


def _with_target_text(message: str, response: Response) -> str:
    """Entra's wording, then the target's own: "... Details: GET /Users answered HTTP 403: <detail>"."""
    if not response.answered:
        return message
    said = response.target_text()
    details = f"{response.call} answered HTTP {response.status} ({response.status_phrase})"
    return f"{message} Details: {details}" + (f": {said}" if said else ".")


def _guid() -> str:
    return str(uuid.uuid4())
