"""Before a vendor tool starts: can the target be reached, does it take the token, which dialect does it get?

Entra's Test Connection (entra-provisioning.md §1) is a filter on a random userName that must answer 200 and
an empty ListResponse; a 401/403 is "invalid credentials". Both commands ask it first, outside any recording,
so that a typo in a URL or a token is one line and exit code 2 before minutes of replay.
"""

from __future__ import annotations

import uuid
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx

from scim_harness.common.errors import HarnessError
from scim_harness.common.scim_wire import FLAG, Dialect, filter_query, list_resources


def split(url: str) -> tuple[str, str]:
    """SCIM base without query, and the Tenant URL's own query minus the dialect flag (kept on every call)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise HarnessError(f"not an http(s) URL: {parts._replace(query='').geturl()!r}")
    extra = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != FLAG])
    return parts._replace(query="", fragment="").geturl().rstrip("/"), extra


def dialect_of(url: str) -> Dialect:
    """As Entra chooses: `aadOptscim062020` in the Tenant URL's query selects the compliant one (D-COMPAT)."""
    names = {name for name, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)}
    return Dialect.COMPLIANT if FLAG in names else Dialect.LEGACY


def query_secrets(url: str) -> list[str]:
    """Values in a Tenant URL's query (a hosted function's `code=` key...), to redact like a token."""
    return [value for _, value in parse_qsl(urlsplit(url).query) if len(value) >= 6]


def check(name: str, url: str, token: str, *, timeout: float, empty_list: bool) -> None:
    """HarnessError when `url` cannot be reached, refuses `token`, or (with `empty_list`) fails the test."""
    base, extra = split(url)
    query = filter_query("userName", str(uuid.uuid4())) + ("&" + extra if extra else "")
    try:
        answer = httpx.get(
            f"{base}/Users?{query}", headers={"Authorization": f"Bearer {token}"}, timeout=timeout
        )
    except httpx.HTTPError as exc:
        raise HarnessError(f"{name} ({base}) is unreachable: {type(exc).__name__}") from None
    if answer.status_code in (401, 403):
        raise HarnessError(f"{name} ({base}) refused the Secret Token (HTTP {answer.status_code})")
    if not empty_list:
        return
    try:
        body = answer.json()
    except ValueError:
        body = None
    if answer.status_code != 200 or list_resources(body) != []:
        raise HarnessError(
            f"{name} ({base}) fails Entra's Test Connection: HTTP {answer.status_code} to a userName filter "
            "that matches nobody (expected 200 and an empty ListResponse)"
        )
