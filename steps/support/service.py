"""What the target SCIM service offers and says it offers: Groups, and its discovery documents (RFC 7644 §4).

- `discover_offer`: whether the service serves Groups, decided once per run. `groups = true|false` in the
  configuration decides; `auto` (the default) reads `/ResourceTypes` (a resource type with the Group schema
  or the `/Groups` endpoint). The Kintone emulator lists User only, so the group scenarios are "not
  applicable" on it, with the reason.
- `groups_served`: whether `/Groups` answers as a served endpoint, from the endpoint itself (for the discovery
  scenario, which checks that `/ResourceTypes` describes what is served).
- `*_problems`: what a discovery document gets wrong, in words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scim_harness.common.errors import HarnessError
from scim_harness.common.scim_wire import GROUP_SCHEMA, SCIM_MEDIA_TYPE, USER_SCHEMA, list_resources
from scim_harness.drivers.protocol_probe import Answer, ProtocolProbe

SPC_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"


@dataclass(frozen=True)
class ServiceOffer:
    """Whether the service serves Groups, and how the suite knows (the reason of a "not applicable")."""

    groups: bool
    why: str

    @property
    def not_applicable(self) -> str:
        return f"not applicable: the service does not offer Groups ({self.why})"


def _is_group_type(resource: dict[str, Any]) -> bool:
    endpoint = str(resource.get("endpoint", "")).strip("/").lower()
    return resource.get("schema") == GROUP_SCHEMA or endpoint == "groups" or resource.get("name") == "Group"


def discover_offer(probe: ProtocolProbe, setting: str) -> ServiceOffer:
    """Groups from the configuration (`groups = true|false`), else (`auto`) from `/ResourceTypes`."""
    if setting in ("true", "false"):
        return ServiceOffer(setting == "true", f"groups = {setting} in the suite's configuration")
    try:
        answer = probe.discover("/ResourceTypes")
    except HarnessError as exc:
        return ServiceOffer(False, f"/ResourceTypes could not be read: {exc}; set groups = true to test them")
    resources = list_resources(answer.body) if answer.status == 200 else None
    if resources is None:
        return ServiceOffer(
            False, f"/ResourceTypes answered HTTP {answer.status}, not a list; set groups = true to test them"
        )
    if any(_is_group_type(r) for r in resources):
        return ServiceOffer(True, "its /ResourceTypes lists Group")
    return ServiceOffer(False, "its /ResourceTypes lists no Group")


def groups_served(probe: ProtocolProbe) -> bool:
    """Whether `/Groups` is served: a ListResponse is, a 404 is not; anything else cannot tell."""
    answer = probe.list_groups()
    if answer.status == 200 and list_resources(answer.body) is not None:
        return True
    if answer.status == 404:
        return False
    raise AssertionError(f"cannot tell whether /Groups is served: {answer.summary()}")


def _scim_document_problems(answer: Answer) -> list[str]:
    problems = []
    if answer.status != 200:
        return [f"{answer.what} answered HTTP {answer.status}, not 200"]
    if not answer.content_type.startswith(SCIM_MEDIA_TYPE):
        problems.append(f"{answer.what} is {answer.content_type or 'unlabelled'}, not {SCIM_MEDIA_TYPE}")
    if not isinstance(answer.body, dict):
        problems.append(f"{answer.what} is not a JSON object")
    return problems


def service_provider_config_problems(answer: Answer) -> list[str]:
    """RFC 7643 §5: the document, saying PATCH and filtering are supported (Entra updates with PATCH and
    finds users with filters: D-SCIM)."""
    problems = _scim_document_problems(answer)
    body = answer.body if isinstance(answer.body, dict) else {}
    if problems:
        return problems
    if SPC_SCHEMA not in (body.get("schemas") or []):
        problems.append(f"the document does not carry the schema {SPC_SCHEMA}")
    for feature in ("patch", "filter"):
        supported = (
            (body.get(feature) or {}).get("supported") if isinstance(body.get(feature), dict) else None
        )
        if supported is not True:
            problems.append(f"{feature}.supported is {supported!r}, not true (Entra needs {feature})")
    return problems


def resource_types_problems(answer: Answer, groups: bool) -> list[str]:
    """RFC 7644 §4, RFC 7643 §6: User at /Users with the core User schema; Group exactly when /Groups is
    served."""
    problems = _scim_document_problems(answer)
    if problems:
        return problems
    resources = list_resources(answer.body)
    if resources is None:
        return ["/ResourceTypes is not a ListResponse"]
    users = [r for r in resources if str(r.get("endpoint", "")).strip("/").lower() == "users"]
    if not users or users[0].get("schema") != USER_SCHEMA:
        problems.append(f"no User resource type at /Users with the schema {USER_SCHEMA}")
    listed = any(_is_group_type(r) for r in resources)
    if groups and not listed:
        problems.append("/Groups is served, but /ResourceTypes lists no Group")
    if listed and not groups:
        problems.append("/ResourceTypes lists Group, but /Groups is not served")
    return problems


def schemas_problems(answer: Answer, groups: bool) -> list[str]:
    """RFC 7644 §4, RFC 7643 §7: the User schema; the Group schema exactly when /Groups is served."""
    problems = _scim_document_problems(answer)
    if problems:
        return problems
    resources = list_resources(answer.body)
    if resources is None:
        return ["/Schemas is not a ListResponse"]
    ids = {r.get("id") for r in resources}
    if USER_SCHEMA not in ids:
        problems.append(f"/Schemas does not describe {USER_SCHEMA}")
    if groups and GROUP_SCHEMA not in ids:
        problems.append(f"/Groups is served, but /Schemas does not describe {GROUP_SCHEMA}")
    if not groups and GROUP_SCHEMA in ids:
        problems.append(f"/Schemas describes {GROUP_SCHEMA}, but /Groups is not served")
    return problems
