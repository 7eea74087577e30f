"""HTTP plumbing shared by the drivers: a timeout on every call, errors without secrets."""

from __future__ import annotations

import base64
import ssl
from pathlib import Path
from typing import Any

import certifi
import httpx

from scim_harness.common.errors import HarnessError

DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
LIBRARY_HEADERS = ("User-Agent", "Accept", "Accept-Encoding", "Connection")
"""httpx's own headers. Removed from every driver and probe request: the suite's SCIM requests stand beside
Entra's (whose .NET client sends none of these, docs/simulator.md), and a target must not see a client
library's identity from the harness either. A caller that needs one (the reader's Accept) sets it itself."""


def cybozu_authorization(login: str, password: str) -> dict[str, str]:
    """Kintone's administrator header for the User API (and the emulator's admin surface)."""
    raw = f"{login}:{password}".encode()
    return {"X-Cybozu-Authorization": base64.b64encode(raw).decode("ascii")}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


_trusted_ca_file: str | None = None


def trust_ca_file(ca_file: str | None) -> None:
    """The suite's `ca_file` (SuiteConfig): trusted besides the public roots by every client `new_client`
    makes in this process from now on, unless the caller says otherwise (the conftest sets it once per run,
    so the protocol probe trusts a test CA as the drivers do)."""
    global _trusted_ca_file
    _trusted_ca_file = ca_file or None


def trusted_ca_file() -> str | None:
    """The run's `ca_file` set by trust_ca_file, if any."""
    return _trusted_ca_file


def new_client(timeout: float | None = None, *, verify: Any = None) -> httpx.Client:
    """A client with a deadline on every call and none of httpx's own headers. `verify`: the path of a PEM
    CA file to trust besides the public roots (a test CA), True for the public roots only, or None for the
    run's `ca_file` (trust_ca_file)."""
    if verify is None:
        verify = _trusted_ca_file or True
    client = httpx.Client(
        timeout=httpx.Timeout(timeout, connect=5.0) if timeout else DEFAULT_TIMEOUT, verify=tls_trust(verify)
    )
    for name in LIBRARY_HEADERS:
        del client.headers[name]
    return client


def tls_trust(ca_file: Any) -> Any:
    """httpx's `verify` for a CA file: the public roots (certifi) plus that file, TLS 1.2 at least, as the
    simulator trusts it (docs/simulator.md "HTTPS"). True or False pass through."""
    if not isinstance(ca_file, str | Path):
        return ca_file
    context = ssl.create_default_context(cafile=certifi.where())
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_verify_locations(cafile=str(ca_file))
    return context


def json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def describe_failure(action: str, response: httpx.Response) -> str:
    """One line naming the action, the status and the server's own explanation (never the request headers)."""
    body = json_or_none(response)
    detail = ""
    if isinstance(body, dict):
        detail = str(body.get("detail") or body.get("message") or body.get("scimType") or "")
    return f"{action} failed: HTTP {response.status_code}" + (f": {detail}" if detail else "")


def expect(response: httpx.Response, action: str, *statuses: int) -> httpx.Response:
    if response.status_code not in statuses:
        raise HarnessError(describe_failure(action, response))
    return response


def send(client: httpx.Client, method: str, url: str, action: str, **kwargs: Any) -> httpx.Response:
    """One request; a network failure becomes a readable HarnessError without the request's secrets."""
    try:
        return client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        raise HarnessError(f"{action} failed: {type(exc).__name__} talking to {url.split('?')[0]}") from None
