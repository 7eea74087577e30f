"""A stored Kintone user and the SCIM User model, each way: what Kintone keeps of a User (values_of) and the
User scim2-models validates and patches (user_of). Responses are written by user_json, from the row."""

from __future__ import annotations

from scim2_models import Email, Meta

from scim_harness.common.scim_wire import USER_SCHEMA
from scim_harness.emulator.meta import parse_iso, version_tag
from scim_harness.emulator.scim_model import Name, User, WorkEmail
from scim_harness.emulator.store import UserRecord, UserValues


def kintone_email(emails: list[WorkEmail] | None) -> str | None:
    """Kintone keeps one address: the work one, else the primary one, else the first (kintone-scim.md §2)."""
    if not emails:
        return None
    for wanted in (
        lambda e: e.type == Email.Type.work,
        lambda e: bool(e.primary),
        lambda e: True,
    ):
        for email in emails:
            if email.value and wanted(email):
                return email.value
    return None


def values_of(user: User) -> UserValues:
    """The stored fields of a SCIM User; what Kintone does not keep is not there. `active` absent is Active
    (the User API's `valid` defaults to true)."""
    return UserValues(
        user_name=user.user_name or "",
        external_id=user.external_id,
        display_name=user.display_name,
        family_name=user.name.family_name if user.name else None,
        given_name=user.name.given_name if user.name else None,
        email=kintone_email(user.emails),
        active=True if user.active is None else bool(user.active),
    )


def user_of(record: UserRecord, *, validated: bool = True) -> User:
    """The User scim2-models works on (PATCH, PUT, filters), carrying the row it came from.

    validated=False builds the same User without running scim2-models' validators (model_construct), for a
    row the storage has just written from a User the library validated: the handler only hands it to a
    response, which is written from the row (record_of). Validation costs about 150 µs a user, more than
    the insert."""
    build_name, build_user, build_email, build_meta = (
        (Name, User, WorkEmail, Meta)
        if validated
        else (Name.model_construct, User.model_construct, WorkEmail.model_construct, Meta.model_construct)
    )
    name = None
    if record.family_name is not None or record.given_name is not None:
        name = build_name(family_name=record.family_name, given_name=record.given_name)
    emails = [build_email(value=record.email, type=Email.Type.work, primary=True)] if record.email else None
    # The schemas a validated User gets from its validator.
    schemas = {} if validated else {"schemas": [USER_SCHEMA]}
    user = build_user(
        **schemas,
        id=str(record.id),
        external_id=record.external_id,
        user_name=record.user_name,
        display_name=record.display_name,
        name=name,
        active=record.active,
        emails=emails,
        meta=build_meta(
            resource_type="User",
            created=parse_iso(record.created),
            last_modified=parse_iso(record.modified),
            version=version_tag(record.version),
        ),
    )
    user._record = record
    return user


def record_of(user: User) -> UserRecord:
    """The row a User the storage handed back was read from (every user response is written from it)."""
    record = user._record
    if not isinstance(record, UserRecord):
        raise TypeError("a User response must come from a stored user")
    return record
