"""SCIM on the wire, as every part reads and writes it: schema URNs, media types, Entra's two dialects, filter
quoting and ListResponse parsing (RFC 7643, RFC 7644, entra-provisioning.md §0-§2).

Plain constants and functions over plain data, so the simulator, the emulator and the conformance layer agree
on the same bytes without importing one another.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any
from urllib.parse import quote_plus

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
# Microsoft's own group schema URN, sent beside the core one in the documented group create (§7).
MS_GROUP_SCHEMA = "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"

SCIM_MEDIA_TYPE = "application/scim+json"
# What Entra puts on requests with a body (observed on POST, I-CT1).
ENTRA_CONTENT_TYPE = "application/scim+json; charset=utf-8"

# The Tenant URL query flag that selects the RFC-compliant PATCH forms (D-COMPAT).
FLAG = "aadOptscim062020"


class Dialect(StrEnum):
    LEGACY = "legacy"
    """Capitalised ops, one op per path, `active` as the string "True"/"False" (default; on-demand)."""
    COMPLIANT = FLAG
    """Lowercase ops, merged single-valued replaces, boolean `active`, filtered member removal."""


DIALECT_NAMES: tuple[str, ...] = tuple(d.value for d in Dialect)


def quote_filter_value(value: str) -> str:
    """A value inside a filter's double quotes (RFC 7644 §3.4.2.2 uses JSON string escaping)."""
    return value.replace("\\", "\\\\").replace('"', '\\"')


def filter_query(attribute: str, value: str) -> str:
    """`filter=userName+eq+%22<value>%22`: spaces as `+`, quotes as `%22`, as seen on the wire (§1, I-CT2).

    The value goes in as Entra sends it, without escaping: Entra cannot filter on values with special
    characters at all (D-KNOWN), so it never has to escape one.
    """
    return "filter=" + quote_plus(f'{attribute} eq "{value}"', safe="")


def list_resources(body: Any) -> list[dict[str, Any]] | None:
    """The resources of a ListResponse, or None when the body is not one (Entra cannot deserialise it)."""
    if not isinstance(body, Mapping):
        return None
    resources = body.get("Resources", [])
    if "totalResults" not in body and "Resources" not in body:
        return None
    if not isinstance(resources, list):
        return None
    total = body.get("totalResults")
    if not resources and isinstance(total, int) and total > 0:
        # Some servers answer counts without resources; treat each counted match as an unknown resource.
        return [{} for _ in range(total)]
    return [r for r in resources if isinstance(r, Mapping)]


def is_scim_error(body: Any, status: int, scim_type: str | None = None) -> bool:
    """RFC 7644 §3.12: the Error schema, `status` echoed as a string, and the scimType where one applies."""
    if not isinstance(body, Mapping):
        return False
    schemas = body.get("schemas")
    return (
        isinstance(schemas, list)
        and ERROR_SCHEMA in schemas
        and body.get("status") == str(status)
        and (scim_type is None or body.get("scimType") == scim_type)
    )
