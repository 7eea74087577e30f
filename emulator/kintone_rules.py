"""Kintone's rules, in one place: plain functions over plain data (user values and records, the Provisioning
page's settings, the test-only rule switches and the assumptions). No HTTP, no SQL, no scim2-models here: the
adapters (scim_storage, scim_app, admin_api, user_api, tokens, state) parse a request, ask these functions,
and render the answer.

Sources (kintone-scim.md, cited K§n): login names cannot be changed by sync (K§3); a provisioned user an
administrator deleted is not recreated until Propagate Provisioning is turned off and on again (K§3); the User
API's field limits (K§3); changes are not applied while propagation is off (K§3); the IP address restriction
(K§4); API tokens have a validity period and can be disabled (K§1). How Kintone answers each refusal is
unpublished: the answers come from Assumptions (docs/emulator.md, "Our assumptions").
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from scim_harness.emulator.assumptions import Assumptions, ScimRefusal
from scim_harness.emulator.rules import RuleSwitches
from scim_harness.emulator.store import UserQuery, UserRecord, UserValues

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# -- which users provisioning sees ----------------------------------------------------------------------


def visible_users(rules: RuleSwitches) -> UserQuery:
    """The users SCIM sees. Every user, inactive or admin-created (K§3: existing users can be adopted), unless
    a switch breaks that rule."""
    return UserQuery(
        only_active=rules.hide_inactive_users, hide_unlinked_admin_users=rules.hide_admin_created_users
    )


def is_visible(record: UserRecord, rules: RuleSwitches) -> bool:
    """Whether `GET /Users/{id}` shows the user: the admin-created rule of visible_users (inactive users are
    left out of searches only, by hide_inactive_users)."""
    return not (rules.hide_admin_created_users and record.origin == "admin" and not record.scim_linked)


def login_lookup(login: str, rules: RuleSwitches) -> UserQuery:
    """`userName eq "login"`: login names are matched without letter case (RFC 7643 caseExact false), among
    the users visible_users gives."""
    return UserQuery(
        login=login,
        login_exact_case=rules.case_sensitive_filter,
        only_active=rules.hide_inactive_users,
        hide_unlinked_admin_users=rules.hide_admin_created_users,
    )


# -- login name -------------------------------------------------------------------------------------------


def login_after_change(
    current: str, requested: str, assumptions: Assumptions, rules: RuleSwitches
) -> str | ScimRefusal:
    """The login name to keep when a PATCH or PUT asks for `requested`: the current one when only the letter
    case differs (Kintone matches login names without case), else a refusal (K§3: not changed by sync)."""
    if requested == current:
        return current
    if requested.lower() == current.lower() and not assumptions.login_name_case_change_is_change:
        return current
    if rules.allow_login_name_change:
        return requested
    return assumptions.login_name_change


# -- deleted users (tombstones) -----------------------------------------------------------------------------


def deleted_user_refusal(
    tombstoned: bool, assumptions: Assumptions, rules: RuleSwitches
) -> ScimRefusal | None:
    """A create of a login name an administrator deleted after provisioning touched it is refused (K§3)."""
    if tombstoned and not rules.recreate_deleted_users:
        return assumptions.deleted_user_create
    return None


def admin_deletion_leaves_tombstone(record: UserRecord) -> bool:
    """Only users provisioning created or changed are blocked from re-creation; others leave no trace."""
    return record.scim_linked


def propagation_toggle_lifts_block(was_enabled: bool, enabled: bool, rules: RuleSwitches) -> bool:
    """Turning Propagate Provisioning on after it was off lets deleted users be provisioned again (K§3)."""
    return enabled and not was_enabled and not rules.keep_block_after_propagation_toggle


# -- field limits -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldLimit:
    key: str
    """The stored field (UserValues)."""
    scim_name: str
    user_api_name: str
    maximum: int


def field_limits(assumptions: Assumptions) -> tuple[FieldLimit, ...]:
    """The User API's add-users limits (K§3), assumed to hold for SCIM: the one list both surfaces check."""
    return (
        FieldLimit("user_name", "userName", "code", assumptions.login_name_max),
        FieldLimit("display_name", "displayName", "name", assumptions.display_name_max),
        FieldLimit("family_name", "name.familyName", "surName", assumptions.surname_max),
        FieldLimit("given_name", "name.givenName", "givenName", assumptions.given_name_max),
    )


def _field_problem(values: UserValues, assumptions: Assumptions, api: bool) -> tuple[str, str] | None:
    """(field name, problem) for the first value over its limit, with the surface's own field names."""
    if not values.user_name.strip():
        return ("code" if api else "userName"), "must not be blank"
    for limit in field_limits(assumptions):
        value = getattr(values, limit.key)
        if value is not None and len(value) > limit.maximum:
            return (
                limit.user_api_name if api else limit.scim_name
            ), f"must be at most {limit.maximum} characters"
    return None


def field_limit_refusal(
    values: UserValues, assumptions: Assumptions, rules: RuleSwitches
) -> ScimRefusal | None:
    """A value over Kintone's limits, as a SCIM refusal whose text names the field and its limit."""
    if rules.ignore_field_limits:
        return None
    problem = _field_problem(values, assumptions, api=False)
    if problem is None:
        return None
    field, text = problem
    refusal = assumptions.field_limit
    return replace(refusal, detail=refusal.detail.format(field=field, problem=text))


def user_api_problem(values: UserValues, password: str, assumptions: Assumptions) -> str | None:
    """What the User API's add-users call refuses (K§3), as its message: the same limits as SCIM, plus the
    password's."""
    problem = _field_problem(values, assumptions, api=True)
    if problem is None and len(password) > assumptions.password_max:
        problem = ("password", f"must be at most {assumptions.password_max} characters")
    return f"{problem[0]} {problem[1]}." if problem else None


# -- Propagate Provisioning --------------------------------------------------------------------------------


def propagation_refusal(
    method: str, propagation_enabled: bool, assumptions: Assumptions, rules: RuleSwitches
) -> ScimRefusal | None:
    """While propagation is off, changes are not applied (K§3): writes are refused (reads too, if assumed)."""
    if propagation_enabled or rules.apply_writes_when_propagation_off:
        return None
    if method.upper() in WRITE_METHODS or assumptions.propagation_off_refuses_reads:
        return assumptions.propagation_off
    return None


# -- IP address restriction --------------------------------------------------------------------------------


def parse_allowlist(addresses: object, limit: int) -> list[ipaddress.IPv4Network]:
    """IPv4 addresses or CIDR ranges, at most `limit`, as Kintone's IP restriction takes them (K§4); else
    ValueError naming the first bad entry."""
    if not isinstance(addresses, list) or not all(isinstance(item, str) for item in addresses):
        raise ValueError("addresses must be a list of strings")
    if len(addresses) > limit:
        raise ValueError(f"at most {limit} addresses or ranges are allowed")
    networks = []
    for item in addresses:
        try:
            network = ipaddress.ip_network(item.strip(), strict=False)
        except ValueError as exc:
            raise ValueError(f"{item!r} is not an IPv4 address or range") from exc
        if not isinstance(network, ipaddress.IPv4Network):
            raise ValueError(f"{item!r} is IPv6, which Kintone's IP restriction does not support")
        networks.append(network)
    return networks


def ip_allowed(peer: str | None, allowlist: list[ipaddress.IPv4Network], rules: RuleSwitches) -> bool:
    """An empty allow list restricts nothing; otherwise the socket's peer must be in one of its ranges."""
    if not allowlist or rules.ignore_ip_allowlist:
        return True
    try:
        address = ipaddress.ip_address(peer or "")
    except ValueError:
        return False
    return any(address in network for network in allowlist)


# -- API tokens ---------------------------------------------------------------------------------------------


class TokenStatus(StrEnum):
    valid = "valid"
    missing = "missing"
    unknown = "unknown"
    expired = "expired"
    disabled = "disabled"


def token_status(enabled: bool, expires_at: datetime | None, now: datetime) -> TokenStatus:
    """A stored token's status now: disabled on the Provisioning page, past its validity period, or valid."""
    if not enabled:
        return TokenStatus.disabled
    if expires_at is not None and expires_at <= now:
        return TokenStatus.expired
    return TokenStatus.valid


def token_accepted(status: TokenStatus, rules: RuleSwitches) -> bool:
    """Only a valid token is accepted, unless a switch breaks that rule."""
    return (
        rules.accept_invalid_tokens
        or status is TokenStatus.valid
        or (status is TokenStatus.expired and rules.accept_expired_tokens)
        or (status is TokenStatus.disabled and rules.accept_disabled_tokens)
    )


def token_request_problem(
    validity_days: object, notes: object, existing: int, assumptions: Assumptions
) -> str | None:
    """What Kintone's Create API Token dialog would not take: a validity period off its list, notes too long,
    or one token too many (K§1; the list and the limits are assumptions)."""
    if validity_days is not None and (isinstance(validity_days, bool) or not isinstance(validity_days, int)):
        return "validity_days must be an integer number of days or null"
    if validity_days not in assumptions.token_validity_days_choices:
        choices = ", ".join("null" if c is None else str(c) for c in assumptions.token_validity_days_choices)
        return f"validity_days must be one of: {choices}"
    if not isinstance(notes, str) or len(notes) > assumptions.token_notes_max:
        return f"notes must be a string of at most {assumptions.token_notes_max} characters"
    if assumptions.max_tokens is not None and existing >= assumptions.max_tokens:
        return f"at most {assumptions.max_tokens} API tokens can exist at once"
    return None
