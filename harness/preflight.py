"""Pre-flight of `scim-harness run`: the target and the credentials, checked in seconds before a run starts.

- SCIM: Entra's own Test Connection (the simulator's `ProvisioningJob.test_connection`: a `userName eq`
  query on a random GUID that must answer 200 with an empty ListResponse, §1 of entra-provisioning.md). No
  answer at all is an unreachable target; 401 or 403 is a refused token; any other failure is what Entra's
  Test Connection would refuse too, so provisioning could not even be set up.
- Administrator (emulator and kintone targets, when a login and password are given): Kintone's User API,
  `GET /v1/users.json?size=1` with `X-Cybozu-Authorization`, which real Kintone and the emulator both serve.
  That a refused password answers 401 or 403 is our assumption (Kintone publishes no list of its errors);
  any other non-2xx answer is reported as a warning and the run goes on.
Each check is one request with a deadline; every message is one line with no secret in it.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

import httpx

from scim_harness.common.errors import HarnessError
from scim_harness.common.redact import Redactor
from scim_harness.config import SuiteConfig
from scim_harness.drivers.http import new_client
from scim_harness.simulator.clock import VirtualClock
from scim_harness.simulator.engine import EngineSettings, ProvisioningJob
from scim_harness.simulator.mappings import MappingSet
from scim_harness.simulator.tenant import Tenant

DEADLINE_S = 10.0
EMULATOR_SCIM_PATH = "/scim/v2"


class PreflightError(HarnessError):
    """The target or a credential is wrong: the run does not start."""


@dataclass
class PreflightReport:
    checked: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def scim_endpoint(config: SuiteConfig) -> str | None:
    """The SCIM base URL the suite will provision to, or None for the embedded emulator."""
    if config.target == "emulator":
        if not config.url:
            return None
        return config.scim_url or config.url.rstrip("/") + EMULATOR_SCIM_PATH
    return config.scim_url if config.target == "kintone" else config.url


def preflight(config: SuiteConfig, *, deadline: float = DEADLINE_S) -> PreflightReport:
    """Raises PreflightError (one line) when the target cannot be used; returns what was checked."""
    redactor = Redactor(config.secrets)
    report = PreflightReport()
    timeout = min(config.timeout, deadline)
    endpoint = scim_endpoint(config)
    if endpoint and config.token:
        _test_connection(endpoint, config.token, timeout, redactor, config.ca_file)
        report.checked.append("Test Connection")
    admin_base = config.url if config.target in ("emulator", "kintone") else None
    if admin_base and config.admin_password:
        login = config.admin_login or "Administrator"
        warning = _check_admin(admin_base, login, config.admin_password, timeout, config.ca_file)
        report.checked.append("administrator login")
        if warning:
            report.warnings.append(redactor.text(warning))
    return report


def _test_connection(
    endpoint: str, token: str, timeout: float, redactor: Redactor, ca_file: str | None = None
) -> None:
    settings = EngineSettings(
        timeout_seconds=timeout,
        test_connection_group_probe="off",
        retry_after_behaviour="next_cycle",
        ca_file=ca_file,
    )
    clock = VirtualClock()
    job = ProvisioningJob(Tenant(clock), endpoint, token, MappingSet.default(), clock, settings)
    try:
        result = job.test_connection()
    finally:
        job.close()
    if result.success:
        return
    where = redactor.text(endpoint)
    message = redactor.text(result.message.strip())
    if result.status is None:
        raise PreflightError(f"cannot reach the target at {where}: {message}")
    if result.status in (401, 403):
        raise PreflightError(
            f"the target at {where} refused the token (HTTP {result.status}): check SCIM_HARNESS_TOKEN "
            f"(Entra's Test Connection: {message})"
        )
    raise PreflightError(
        f"the target at {where} failed Entra's Test Connection (HTTP {result.status}): {message} "
        f"(--no-preflight runs the suite anyway)"
    )


def _check_admin(
    base_url: str, login: str, password: str, timeout: float, ca_file: str | None = None
) -> str | None:
    credential = base64.b64encode(f"{login}:{password}".encode()).decode()
    url = base_url.rstrip("/") + "/v1/users.json"
    try:
        with new_client(timeout, verify=ca_file or True) as client:
            answer = client.get(url, params={"size": 1}, headers={"X-Cybozu-Authorization": credential})
    except httpx.HTTPError as exc:
        raise PreflightError(
            f"cannot reach {base_url} for the administrator's checks: {type(exc).__name__}"
        ) from None
    if answer.status_code in (401, 403):
        raise PreflightError(
            f"{base_url} refused the administrator's login {login!r} (HTTP {answer.status_code}): "
            f"check SCIM_HARNESS_ADMIN_LOGIN and SCIM_HARNESS_ADMIN_PASSWORD"
        )
    if answer.status_code >= 300:
        return f"the administrator's check at {url} answered HTTP {answer.status_code}; the run goes on"
    return None
