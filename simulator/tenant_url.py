"""The Tenant URL: the SCIM base Entra calls, the query it keeps, and the dialect its flag selects.

The `aadOptscim062020` feature flag in the Tenant URL's query switches a job to the RFC-compliant PATCH forms
(entra-provisioning.md §0, D-COMPAT). Entra treats the flag as configuration, so we strip it from the
URLs we call and keep any other query parameter on every request: our assumption, UNCONFIRMED (no source shows
the wire URL of a flagged job).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from scim_harness.common.scim_wire import FLAG, Dialect

__all__ = ["TenantUrl", "extra_query", "parse_tenant_url"]


@dataclass(frozen=True)
class TenantUrl:
    base: str
    """Scheme, host and path, with no trailing slash: request paths are appended to it."""
    query: tuple[tuple[str, str], ...]
    """Query parameters other than the flag, added to every request."""
    dialect: Dialect


def parse_tenant_url(url: str) -> TenantUrl:
    """Split a Tenant URL into the SCIM base, extra query parameters and the dialect its flag selects."""
    if (
        not isinstance(url, str)
        or len(url) > 2048
        or any(ord(c) < 0x21 or ord(c) == 0x7F for c in url.strip())
    ):
        raise ValueError("the Tenant URL must be an http(s) URL of printable characters without spaces")
    try:
        parts = urlsplit(url.strip())
        port = parts.port  # raises ValueError when out of range
    except ValueError as exc:
        raise ValueError(f"the Tenant URL is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or port == 0:
        raise ValueError(f"the Tenant URL must be an http(s) URL with a host, got {url[:200]!r}")
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    dialect = Dialect.COMPLIANT if any(name == FLAG for name, _ in pairs) else Dialect.LEGACY
    kept = tuple((name, value) for name, value in pairs if name != FLAG)
    base = urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
    return TenantUrl(base=base, query=kept, dialect=dialect)


def extra_query(tenant_url: TenantUrl) -> str:
    """The kept query parameters as a string to append after the request's own ones ('' when none)."""
    return urlencode(tenant_url.query) if tenant_url.query else ""
