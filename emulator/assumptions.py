"""Every choice the emulator makes where Kintone's real answer is unpublished, in one place.

Each field is our assumption, not a fact: docs/emulator.md gives the source (or the lack of one) behind each
default. Change them through EmulatorConfig(assumptions=Assumptions(...)) to mimic another reading.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

ScimDeleteBehaviour = Literal["delete", "deactivate", "refuse"]


@dataclass(frozen=True)
class ScimRefusal:
    """A refusal: an HTTP status, an RFC 7644 scimType (or none), a detail text and any extra headers.

    The body is always an RFC 7644 §3.12 Error carrying `detail` as it is, so a client that shows the
    server's error text shows exactly this text.
    """

    status: int
    scim_type: str | None
    detail: str
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ConnectionLimit:
    """Kintone's REST limit: at most `limit` requests in progress per domain, then HTTP 429 until fewer are
    (kintone-scim.md §4). Whether SCIM requests count is unpublished: `applies` says whether they do here."""

    applies: bool = True
    limit: int = 100
    retry_after_seconds: int | None = None
    """A Retry-After header on the 429 (Kintone publishes none)."""


@dataclass(frozen=True)
class LoginThrottle:
    """Failed administrator logins (X-Cybozu-Authorization) from one address: past `max_failures` within
    `window_seconds`, that address gets 429 on the administrator's surfaces, whatever it sends, until its
    oldest counted failure is `window_seconds` old. A successful login forgets the address's failures.
    cybozu.com locks accounts after failed logins, but its thresholds are unpublished."""

    max_failures: int = 10
    window_seconds: float = 60.0
    max_addresses: int = 10_000
    """Addresses remembered at once (the oldest is forgotten first), so the memory is bounded."""


@dataclass(frozen=True)
class Assumptions:
    # Login name change by PATCH/PUT (Kintone: "cannot be updated by sync"; the error itself is unpublished).
    login_name_change: ScimRefusal = ScimRefusal(
        400, "mutability", "The login name (userName) of a Kintone user cannot be changed by provisioning."
    )
    # A change that only alters letter case is not a change of the login name (Kintone matches it case-blind).
    login_name_case_change_is_change: bool = False
    # Create of a user an administrator deleted in Kintone (Kintone: "not recreated"; answer unpublished).
    deleted_user_create: ScimRefusal = ScimRefusal(
        409,
        "uniqueness",
        "This user was deleted in Kintone and is not recreated by provisioning. "
        "Turn Propagate Provisioning off and on again to allow it.",
    )
    # Any SCIM write while Propagate Provisioning is off (Kintone: "not applied"; answer unpublished).
    propagation_off: ScimRefusal = ScimRefusal(
        403, None, "Propagate Provisioning is turned off in Kintone, so this change is not applied."
    )
    # Whether reads (GET) are refused too while propagation is off.
    propagation_off_refuses_reads: bool = False
    # A request from an address outside the IP allow list. Kintone refuses it; how is unpublished. The help
    # article's troubleshooting says Entra's Test Connection then fails with "An invalid certificate was
    # entered", so the refusal carries exactly that text (kintone-scim.md §4 and §7.9).
    ip_blocked: ScimRefusal = ScimRefusal(403, None, "An invalid certificate was entered")
    # Missing, unknown, expired or disabled API token (answer unpublished; 401 per RFC 7644 §3.12).
    unauthorized: ScimRefusal = ScimRefusal(
        401, None, "The API token is missing, invalid, expired or disabled."
    )
    # Any request on /Groups (Kintone does not sync groups; whether /Groups exists is unpublished).
    groups: ScimRefusal = ScimRefusal(
        404, None, "Kintone does not synchronise groups: there is no Groups resource type."
    )
    # A value over Kintone's User API limits (login name 1-128 and not blank, display name 128, names 64).
    field_limit: ScimRefusal = ScimRefusal(400, "invalidValue", "{field} {problem}.")
    # What SCIM DELETE /Users/{id} does (Cybozu lists only add/update/deactivate; Entra may send DELETE).
    scim_delete: ScimDeleteBehaviour = "delete"
    scim_delete_refused: ScimRefusal = ScimRefusal(
        405, None, "Kintone does not delete users through provisioning; deactivate them instead."
    )
    # Kintone's User API limits, applied to the SCIM fields they map to.
    login_name_max: int = 128
    display_name_max: int = 128
    surname_max: int = 64
    given_name_max: int = 64
    # The User API's password limit (the User API asks for one; provisioned users sign in by SAML).
    password_max: int = 64
    # Kintone's REST limit on requests in progress at once, and whether it applies to SCIM (unpublished).
    connection_limit: ConnectionLimit = ConnectionLimit()
    # Largest request body accepted (unpublished); larger bodies get 413.
    max_body_bytes: int = 1_048_576
    # Page size cap and default for GET /Users (unpublished; 100 is the User API's own maximum).
    max_results: int = 100
    # A filter's cost (unpublished): at most this many comparisons (else 400 invalidFilter, before parsing),
    # and at most this long to evaluate (else 400 tooMany), so one filter never stalls other requests.
    filter_max_comparisons: int = 50
    filter_time_limit_seconds: float = 1.0
    # Failed administrator logins before the address is answered 429 (unpublished thresholds).
    admin_login_throttle: LoginThrottle = LoginThrottle()
    # API tokens: validity periods offered (days; None = no expiry), notes length, how many may exist.
    token_validity_days_choices: tuple[int | None, ...] = (None, 30, 90, 180, 365, 730, 1095)
    token_notes_max: int = 200
    max_tokens: int | None = None
    # The IP allow list holds up to 1,000 IPv4 addresses or ranges; IPv6 is not supported (Kintone help).
    ip_allowlist_max: int = 1000
    # Kintone User API error codes the emulator answers with (the real codes for these cases are unpublished).
    user_api_codes: dict[str, str] = field(
        default_factory=lambda: {
            "unauthorized": "CB_WA01",
            "bad_request": "CB_VA01",
            "invalid_json": "CB_IJ01",
            "not_found": "GAIA_UN01",
            "duplicate": "GAIA_DU01",
            "too_many_requests": "CB_TM01",
        }
    )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Assumptions:
        """Build from JSON (refusals as {status, scim_type, detail}); unknown keys are an error."""
        known = {f.name: f for f in fields(cls)}
        unknown = set(data) - set(known)
        if unknown:
            raise ValueError(f"unknown assumption(s): {', '.join(sorted(unknown))}")
        values: dict[str, Any] = {}
        for name, value in data.items():
            default = getattr(cls(), name)
            if isinstance(default, ScimRefusal):
                headers = tuple(tuple(pair) for pair in value.get("headers", ()))
                value = ScimRefusal(**{**value, "headers": headers})
            elif isinstance(default, ConnectionLimit):
                value = ConnectionLimit(**value)
            elif isinstance(default, LoginThrottle):
                value = LoginThrottle(**value)
            elif isinstance(default, tuple):
                value = tuple(value)
            values[name] = value
        return cls(**values)
