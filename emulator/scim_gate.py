"""What the service checks before any SCIM work: the caller's address, its API token, the resource type,
Propagate Provisioning and the body's size. Kintone's rules decide (kintone_rules); the generic profile
keeps only the address, the token and the size."""

from __future__ import annotations

from dataclasses import replace

from scim2_models import PayloadTooLargeException
from scim2_server.requests import ScimRequest

from scim_harness.emulator import kintone_rules
from scim_harness.emulator.assumptions import ScimRefusal
from scim_harness.emulator.errors import ScimRefusalError
from scim_harness.emulator.state import EmulatorState
from scim_harness.emulator.tokens import TokenService

# Internal headers the ASGI layer adds (any such header a client sends is dropped first).
PEER_HEADER = "x-emulator-peer"
RAW_QUERY_HEADER = "x-emulator-raw-query"
DISCOVERY = frozenset({"serviceproviderconfig", "schemas", "resourcetypes"})
# The generic profile's refusal of an address off the allow list (the kintone one is an assumption).
GENERIC_IP_BLOCKED = ScimRefusal(403, None, "Access from this IP address is not allowed.")


def endpoint_of(path: str) -> str:
    """The first segment of a SCIM path, lower-cased: "users", "groups", "schemas"..."""
    return path.strip("/").split("/", 1)[0].lower()


def _defect_accepts(authorization: str | None, state: EmulatorState) -> bool:
    """The authentication defects: any bearer value, or no Authorization at all, let through."""
    defects = state.defects
    if authorization is None:
        return defects.on("missing_token_accepted")
    scheme, _, value = authorization.strip().partition(" ")
    return defects.on("any_bearer_token_accepted") and scheme.lower() == "bearer" and bool(value.strip())


class Gate:
    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.tokens = TokenService(state)

    def check(self, request: ScimRequest) -> None:
        """Raises the refusal the request gets, if any."""
        state = self.state
        endpoint = endpoint_of(request.path)
        if not state.ip_allowed(request.header(PEER_HEADER)):
            raise ScimRefusalError(state.assumptions.ip_blocked if state.kintone else GENERIC_IP_BLOCKED)
        authorization = request.header("Authorization")
        if endpoint != "serviceproviderconfig" and not (
            self.tokens.accepts(authorization) or _defect_accepts(authorization, state)
        ):
            refusal = state.assumptions.unauthorized
            raise ScimRefusalError(
                replace(refusal, status=403) if state.defects.on("bad_token_403") else refusal
            )
        if state.kintone:
            self._kintone(request, endpoint)
        if len(request.body) > state.assumptions.max_body_bytes:
            raise PayloadTooLargeException(
                detail=f"The request body exceeds {state.assumptions.max_body_bytes} bytes"
            )

    def _kintone(self, request: ScimRequest, endpoint: str) -> None:
        state = self.state
        if endpoint == "groups":
            raise ScimRefusalError(state.assumptions.groups)
        if endpoint not in DISCOVERY:
            refusal = kintone_rules.propagation_refusal(
                request.method, state.propagation_enabled(), state.assumptions, state.rules
            )
            if refusal is not None:
                raise ScimRefusalError(refusal)
