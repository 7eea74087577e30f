"""The calls made for one object in one run, and how a failed answer becomes Entra's Failure entry (§6).

Every failure ends the object's sync: `Export` escrows the object, fills its log entry with Entra's error code
and reason, and raises `ExportFailed`, which the user and group syncs turn back into that entry.
"""

from __future__ import annotations

from typing import Any, Literal

from scim_harness.common.scim_wire import list_resources
from scim_harness.simulator.answers import SERVICE_INCOMPATIBLE, Outcome, Response
from scim_harness.simulator.context import JobContext, Run
from scim_harness.simulator.logs import LogEntry, ProvisioningStep, StatusInfo
from scim_harness.simulator.quarantine import (
    COMPLIANCE_MESSAGE,
    CREDENTIALS_MESSAGE,
    Quarantine,
    QuarantineReason,
)
from scim_harness.simulator.safe_text import printable

UNREADABLE = "We are not able to deserialize the resource received from the SCIM endpoint."

_RECOMMENDATIONS = {
    "InvalidAnchor": "Restart the provisioning job with a full re-match (Graph restart, resetScope Full).",
    "EntryConflict": "Correct the conflicting attribute in the source or the target, or link the objects by "
    "making the matching attribute values equal.",
    "DuplicateTargetEntries": "Make the matching attribute unique in the target.",
    "SystemForCrossDomainIdentityManagementCredentialValidationFailure": "Check the Secret Token.",
}


class ExportFailed(Exception):
    """Ends the sync of one object; `entry` is its Failure entry, the object already escrowed."""

    def __init__(self, entry: LogEntry) -> None:
        super().__init__(entry.statusInfo.errorCode)
        self.entry = entry


class Export:
    """Calls to the target on behalf of one user or group, each failed answer raising `ExportFailed`."""

    def __init__(
        self, ctx: JobContext, run: Run, entry: LogEntry, kind: Literal["user", "group"], object_id: str
    ) -> None:
        self.ctx = ctx
        self.run = run
        self.entry = entry
        self.kind = kind
        self.object_id = object_id

    def call(
        self, method: str, path: str, *, query: str = "", body: dict[str, Any] | None = None
    ) -> Response:
        """One call, whatever the answer; invalid credentials quarantine the job and abort the cycle."""
        response = self.ctx.calls.request(method, path, query=query, body=body)
        if response.outcome is Outcome.CREDENTIALS:
            self.run.quarantine_and_abort(
                Quarantine(
                    QuarantineReason.EXCEPTION, response.error_code, CREDENTIALS_MESSAGE, self.ctx.clock.now()
                )
            )
        return response

    def send(
        self,
        method: str,
        path: str,
        *,
        query: str = "",
        body: dict[str, Any] | None = None,
        anchor: bool = False,
    ) -> Response:
        """A call that must succeed; `anchor` when it names a linked object, so a 404 is InvalidAnchor."""
        response = self.call(method, path, query=query, body=body)
        if not response.ok:
            raise self.failed(response, anchor=anchor)
        return response

    def search(self, path: str, query: str) -> tuple[list[dict[str, Any]], Response]:
        """A filter query; a 404 here is a SCIM compliance failure that quarantines the job (§6)."""
        response = self.call("GET", path, query=query)
        if not response.ok:
            if response.outcome is Outcome.NOT_FOUND:
                self.run.quarantine_and_abort(
                    Quarantine(
                        QuarantineReason.EXCEPTION,
                        "ScimComplianceNotFound",
                        COMPLIANCE_MESSAGE,
                        self.ctx.clock.now(),
                    )
                )
            raise self.failed(response)
        resources = list_resources(response.body)
        if resources is None:
            raise self.incompatible(response, UNREADABLE)
        return resources, response

    def create(self, path: str, body: dict[str, Any]) -> str:
        """POST; the new resource's id, which the answer must carry."""
        response = self.send("POST", path, body=body)
        target_id = response.body.get("id") if isinstance(response.body, dict) else None
        if not isinstance(target_id, str) or not target_id:
            raise self.incompatible(response, "The SCIM endpoint answered the create without an id.")
        return target_id

    def delete(self, path: str) -> None:
        response = self.call("DELETE", path)
        # A 404 on DELETE means the goal is reached: our choice, documented.
        if not response.ok and response.outcome is not Outcome.NOT_FOUND:
            raise self.failed(response)

    def failed(self, response: Response, *, anchor: bool = False, reference: bool = False) -> ExportFailed:
        """The failure for an answer that is not a success, with Entra's code for it."""
        code = response.error_code or SERVICE_INCOMPATIBLE
        reason = None
        if response.outcome is Outcome.NOT_FOUND and anchor:
            reason = (
                f"The {self.kind} that was previously created or matched in the target no longer exists "
                "(InvalidAnchor). Restart the job with a full re-match to re-create it."
            )
        elif response.outcome is Outcome.NOT_FOUND:
            code = SERVICE_INCOMPATIBLE
            reason = COMPLIANCE_MESSAGE
        elif response.outcome is Outcome.CREDENTIALS:
            reason = CREDENTIALS_MESSAGE
        return self.refused(code, response, reason, reference=reference)

    def incompatible(self, response: Response, reason: str) -> ExportFailed:
        """A success whose content Entra cannot use."""
        return self.refused(SERVICE_INCOMPATIBLE, response, reason)

    def refused(
        self, code: str, response: Response, reason: str | None = None, *, reference: bool = False
    ) -> ExportFailed:
        """Fill the entry as Entra logs a failure (`StatusCode: … Message: … Web Response: …`) and escrow."""
        entry = self.entry
        entry.status = "Failure"
        step_type = (
            "matching" if response.method == "GET" and response.path in ("/Users", "/Groups") else "export"
        )
        if response.answered:
            message = reason or "The SCIM endpoint refused the request."
            text = f"StatusCode: {response.status_phrase} Message: {message}"
            if response.text:
                text += f" Web Response: {printable(response.text, 2000)}."
        else:  # no whole answer: what happened instead is the message
            text = f"StatusCode: {response.status_phrase} Message: {reason or printable(response.text, 500)}."
        if not self.run.on_demand:
            escrow = self.ctx.escrow_failure(self.object_id, self.kind, code, reference=reference)
            text += (
                f" This operation was retried {escrow.retries} times."
                " It will be retried again after this date: "
                f"{escrow.next_attempt_at.strftime('%Y-%m-%dT%H:%M:%S')}Z"
            )
        text = self.ctx.logs.redactor.text(text)
        entry.statusInfo = StatusInfo(
            errorCode=code,
            reason=text,
            additionalDetails="reference" if reference else entry.statusInfo.additionalDetails,
            recommendedAction=_RECOMMENDATIONS.get(code),
        )
        entry.provisioningSteps.append(
            ProvisioningStep(f"EntryExport{entry.action}", step_type, "Failure", text, {"errorCode": code})
        )
        return ExportFailed(entry)
