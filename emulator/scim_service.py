"""scim2-server's ScimService with the two things it does differently from what Entra needs."""

from __future__ import annotations

import re
from typing import Any

from scim2_models import PatchOp, PatchOperation, Resource, ScimProvider
from scim2_server.conditions import Conditions
from scim2_server.requests import ScimRequest
from scim2_server.service import ScimService

from emulator.scim_model import WorkEmail
from emulator.state import EmulatorState

# emails[type eq "work"].value: Entra expects the element to be created when none matches (RFC 7644 says 400
# noTarget; entra-provisioning.md §4, I-ADDFILT, I-SG). Kintone's only multi-valued attribute is emails.
_EMAIL_FILTER_PATH = re.compile(r'^\s*emails\s*\[\s*type\s+eq\s+"(?P<type>[^"]*)"\s*\]\s*\.\s*\w+\s*$', re.I)


class KintoneScimService(ScimService):
    def __init__(self, provider: ScimProvider, state: EmulatorState) -> None:
        super().__init__(provider)
        self.state = state

    def max_body_size(self, request: ScimRequest) -> int | None:
        """Every body is bounded (the library bounds only bulk bodies); larger ones get 413."""
        limit = super().max_body_size(request)
        return self.state.assumptions.max_body_bytes if limit is None else limit

    def apply_patch(
        self, current: Resource[Any], patch_op: PatchOp[Any], conditions: Conditions
    ) -> Resource[Any] | None:
        if not self.state.rules.no_target_on_unmatched_filter_path:
            for operation in patch_op.operations or []:
                self._create_filtered_email(current, operation)
        return super().apply_patch(current, patch_op, conditions)

    @staticmethod
    def _create_filtered_email(current: Any, operation: PatchOperation[Any]) -> None:
        if operation.op not in (PatchOperation.Op.add, PatchOperation.Op.replace_) or operation.path is None:
            return
        match = _EMAIL_FILTER_PATH.match(str(operation.path))
        if match is None:
            return
        wanted = match["type"]
        emails = list(current.emails or [])
        if any(str(email.type or "").lower() == wanted.lower() for email in emails):
            return
        emails.append(WorkEmail(type=wanted))
        current.emails = emails
