"""What a catalogue entry says about a defect: its name, category, the profiles it applies to, what it does,
what it does to Entra in production, and the source (a key of entra-provisioning.md or an RFC section).

Where the RFC allows the answer but Entra cannot use it, `rfc_note` says so, so a vendor knows the
requirement is Entra's, not the RFC's.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

KINTONE = "kintone"
GENERIC = "generic"
BOTH = (KINTONE, GENERIC)
GENERIC_ONLY = (GENERIC,)


class Category(StrEnum):
    filters = "filters"
    paging = "paging"
    patch = "PATCH forms"
    groups = "groups and membership"
    status = "status codes"
    media = "media type"
    errors = "error bodies"
    auth = "authentication"
    latency = "latency"
    discovery = "discovery"


@dataclass(frozen=True)
class Defect:
    name: str
    category: Category
    profiles: tuple[str, ...]
    description: str
    """What the service does wrong, in one line."""
    entra_effect: str
    """What it does to Entra's provisioning in production."""
    source: str
    """Where the expectation comes from: entra-provisioning.md keys (D-SCIM, D-COMPAT...) or RFC sections."""
    rfc_note: str = ""
    """Set where the RFC allows the answer and only Entra needs another one."""
