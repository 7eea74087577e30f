"""Test-only switches that each break one Kintone rule, so the conformance suite can show it notices.

All default to off. Set them at startup (EmulatorConfig.rules) or at run time with PUT /_emulator/rules.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass
class RuleSwitches:
    allow_login_name_change: bool = False
    """A PATCH/PUT that changes userName is applied instead of refused."""
    recreate_deleted_users: bool = False
    """A user an administrator deleted in Kintone can be created again by SCIM."""
    keep_block_after_propagation_toggle: bool = False
    """Turning Propagate Provisioning off and on again does not lift the deleted-user block."""
    apply_writes_when_propagation_off: bool = False
    """SCIM writes are applied while Propagate Provisioning is off."""
    hide_inactive_users: bool = False
    """Inactive users are left out of GET /Users results (filter and list)."""
    hide_admin_created_users: bool = False
    """Users an administrator created are invisible to SCIM, so they cannot be adopted."""
    allow_duplicate_login_names: bool = False
    """A create (or rename) to a login name another user has is applied instead of 409 uniqueness."""
    case_sensitive_filter: bool = False
    """userName eq "..." compares with letter case."""
    not_found_on_empty_filter: bool = False
    """A filter matching nothing answers 404 instead of an empty ListResponse."""
    accept_invalid_tokens: bool = False
    """Any bearer value, or none, is accepted."""
    accept_expired_tokens: bool = False
    """Expired API tokens are accepted."""
    accept_disabled_tokens: bool = False
    """Disabled API tokens are accepted."""
    ignore_ip_allowlist: bool = False
    """The IP allow list is not enforced."""
    ignore_field_limits: bool = False
    """Kintone's length limits on login name, display name, surname and given name are not enforced."""
    reject_ignored_attributes: bool = False
    """Attributes Kintone does not propagate (title, department, enterprise extension...) get 400 instead
    of being ignored."""
    reject_string_booleans: bool = False
    """active sent as the strings "True"/"False" (Entra's legacy PATCH) gets 400."""
    no_target_on_unmatched_filter_path: bool = False
    """PATCH emails[type eq "work"].value with no work e-mail gets 400 noTarget instead of creating it."""
    plain_json_responses: bool = False
    """Responses are labelled application/json instead of application/scim+json."""

    def to_dict(self) -> dict[str, bool]:
        return asdict(self)

    def update(self, changes: dict[str, Any]) -> None:
        """Apply {name: bool}; an unknown name or non-boolean raises ValueError and changes nothing."""
        names = {f.name for f in fields(self)}
        unknown = set(changes) - names
        if unknown:
            raise ValueError(f"unknown rule switch(es): {', '.join(sorted(unknown))}")
        bad = [name for name, value in changes.items() if not isinstance(value, bool)]
        if bad:
            raise ValueError(f"rule switch values must be true or false: {', '.join(sorted(bad))}")
        for name, value in changes.items():
            setattr(self, name, value)

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]
