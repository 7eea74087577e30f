"""The SCIM User as Kintone keeps it: only what Kintone propagates, so /Schemas says exactly that."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import PrivateAttr
from scim2_models import (
    URN,
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    ComplexAttribute,
    Email,
    ETag,
    External,
    Filter,
    Patch,
    Reference,
    Required,
    Resource,
    ResourceType,
    ScimProvider,
    ServiceProviderConfig,
    Sort,
    Uniqueness,
)

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


class Name(ComplexAttribute):
    family_name: str | None = None
    """Kintone's surname (surName), at most 64 characters."""

    given_name: str | None = None
    """Kintone's given name (givenName), at most 64 characters."""


class WorkEmail(ComplexAttribute):
    """Kintone keeps one e-mail address; SCIM shows it as the primary work address."""

    value: str | None = None
    type: Email.Type | None = None
    primary: bool | None = None


class User(Resource[Any]):
    """Login name, display name, surname, given name, e-mail and status: the fields Kintone's help lists."""

    __schema__ = URN(USER_SCHEMA)

    user_name: Annotated[str | None, Uniqueness.server, Required.true] = None
    """Kintone's login name (code), 1 to 128 characters, never changed by provisioning."""

    name: Name | None = None
    Name: ClassVar[type[ComplexAttribute]] = Name

    display_name: str | None = None
    """Kintone's display name (name), at most 128 characters."""

    active: bool | None = None
    """Kintone's status: Active or Inactive."""

    emails: list[WorkEmail] | None = None
    Emails: ClassVar[type[ComplexAttribute]] = WorkEmail

    _record: Any = PrivateAttr(default=None)
    """The stored row this user was read from (a store.UserRecord), for users the storage hands back: every
    response is written from the row by user_json, the one writer of the User JSON."""


def _bearer_token(description: str) -> AuthenticationScheme:
    """An API token sent as an HTTP Bearer token (RFC 6750), the one scheme each profile offers."""
    return AuthenticationScheme(
        type=AuthenticationScheme.Type.oauthbearertoken,
        name="API token",
        description=description,
        spec_uri=Reference[External]("https://datatracker.ietf.org/doc/html/rfc6750"),
        primary=True,
    )


BEARER_TOKEN_SCHEME = _bearer_token(
    "The API token created on Kintone's Provisioning page, sent as an HTTP Bearer token"
)
GENERIC_TOKEN_SCHEME = _bearer_token(
    "An API token created on the emulator's admin surface, sent as an HTTP Bearer token"
)


def service_provider_config(
    max_results: int, scheme: AuthenticationScheme = BEARER_TOKEN_SCHEME
) -> ServiceProviderConfig:
    """What the emulator supports: PATCH and filtering; no bulk, sort, ETag or password change."""
    return ServiceProviderConfig(
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=max_results),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[scheme],
    )


def build_provider(max_results: int) -> ScimProvider:
    """The SCIM description the emulator serves: the User resource type only (Kintone syncs no groups)."""
    return ScimProvider(
        models=[User],
        resource_types=[ResourceType.from_resource(User)],
        config=service_provider_config(max_results),
    )
