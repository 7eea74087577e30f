"""SCIM errors whose status and text come from the assumptions, not from a fixed RFC mapping."""

from __future__ import annotations

from scim2_models import SCIMException

from scim_harness.emulator.assumptions import ScimRefusal


class ScimRefusalError(SCIMException):
    """A refusal the emulator chose (status, scimType, detail, headers), as an RFC 7644 §3.12 error."""

    def __init__(self, refusal: ScimRefusal) -> None:
        super().__init__(detail=refusal.detail)
        self.refusal = refusal
        self.status = refusal.status
        self.scim_type = refusal.scim_type or ""
