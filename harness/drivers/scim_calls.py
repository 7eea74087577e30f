"""The drivers' side of the project's one SCIM client (`scim_harness.simulator.client.ScimClient`).

`scim_reader` (checks and clean-up) and `protocol_probe` (the @scim scenarios' single requests) both talk
SCIM through a `ScimClient` made here, so every SCIM call of the suite has Entra's bytes, a total deadline and
a size limit, and ends as a `Response`. What the drivers add: a call that got no answer in time is
`CallTimedOut`, a failure that names the call and says what Entra does with such a call in production; a call
that got no answer at all (refused, reset, TLS) is one `HarnessError` line without secrets.
"""

from __future__ import annotations

from scim_harness.common.errors import HarnessError
from scim_harness.drivers.http import trusted_ca_file
from scim_harness.simulator.answers import Outcome, Response
from scim_harness.simulator.client import ScimClient
from scim_harness.simulator.settings import EngineSettings

DEFAULT_TIMEOUT_S = 15.0
"""The suite's per-call timeout when none is configured (SuiteConfig.timeout): see docs/detection.md."""
ENTRA_TIMEOUT_S = 60.0
"""Entra gives a call 60 s (Q-60S), then logs Timeout and retries the object about 40 minutes later."""


class CallTimedOut(HarnessError):
    """A SCIM call got no whole answer within the per-call timeout; the message names the call, and `entra`
    and `source` say what Entra does with such a call (the reports' verdict, reporting.verdicts)."""

    entra = (
        f"waits {ENTRA_TIMEOUT_S:g} s for an answer, then logs the object as Timeout and retries it about 40 "
        "minutes later; slow answers make every cycle long"
    )
    source = "Q-60S (the endpoint must answer within 60 s), D-LOGERR (Timeout)"

    def __init__(self, what: str, call: str, seconds: float) -> None:
        self.what = what
        self.call = call
        self.seconds = seconds
        super().__init__(f"{what} ({call}) got no answer within {seconds:g} s (the per-call timeout)")


def new_scim_client(
    scim_url: str, token: str, timeout: float | None = None, *, ca_file: str | None = None
) -> ScimClient:
    """A client of the SCIM endpoint `scim_url` (no dialect flag) with `token` and a per-call deadline; over
    HTTPS it trusts `ca_file`, else the run's trusted CA (http.trust_ca_file), besides the public roots."""
    settings = EngineSettings(
        timeout_seconds=timeout or DEFAULT_TIMEOUT_S, ca_file=ca_file or trusted_ca_file()
    )
    try:
        return ScimClient(scim_url.rstrip("/"), token, settings=settings)
    except ValueError as exc:
        raise HarnessError(f"cannot use the SCIM endpoint {scim_url.split('?')[0]!r}: {exc}") from None


def check_answered(response: Response, what: str, seconds: float) -> Response:
    """The response, if the target answered at all; else CallTimedOut or a one-line HarnessError."""
    if response.outcome is Outcome.TIMEOUT:
        raise CallTimedOut(what, response.call, seconds)
    if not response.answered:
        raise HarnessError(f"{what} failed: {response.text}")
    return response


def describe_failure(what: str, response: Response) -> str:
    """One line naming the action, the status and the server's own explanation (never a request header)."""
    said = response.target_text(200)
    return f"{what} failed: HTTP {response.status}" + (f": {said}" if said else "")
