"""SCIM errors whose status and text come from the assumptions, not from a fixed RFC mapping."""

from __future__ import annotations

from scim2_models import SCIMException

from scim_harness.emulator.assumptions import ScimRefusal


class ScimRefusalError(SCIMException):
    """A refusal the emulator chose (status, scimType, detail), answered as an RFC 7644 §3.12 error."""

    def __init__(self, refusal: ScimRefusal, **detail_values: str) -> None:
        super().__init__(detail=refusal.detail.format(**detail_values) if detail_values else refusal.detail)
        self.status = refusal.status
        self.scim_type = refusal.scim_type or ""
