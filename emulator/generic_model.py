"""The generic profile's SCIM description: RFC 7643's own User (with the enterprise extension) and Group
schemas and resource types, as scim2-server ships them, and a service provider configuration saying what the
emulator supports (PATCH and filtering; no bulk, sort, ETag or password change)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from scim2_models import Resource, ResourceType, ScimProvider
from scim2_server.utils import load_default_resource_types, load_default_schemas

from scim_harness.emulator.scim_model import GENERIC_TOKEN_SCHEME, service_provider_config


@lru_cache(maxsize=8)
def build_generic_provider(max_results: int) -> ScimProvider:
    """Built once per page size: making the models from the schemas takes a quarter of a second, and the
    description is only ever read."""
    return ScimProvider.from_discovery(
        load_default_schemas().values(),
        load_default_resource_types().values(),
        config=service_provider_config(max_results, GENERIC_TOKEN_SCHEME),
    )


def resource_type(provider: ScimProvider, name: str) -> ResourceType:
    return next(rt for rt in provider.resource_types if rt.id == name)


def model(provider: ScimProvider, name: str) -> type[Resource[Any]]:
    return provider.model_for(resource_type(provider, name))  # type: ignore[return-value]
