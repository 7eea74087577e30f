"""Kintone's user fields, their limits, and the conversion between a stored user and the SCIM User."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import TypeAdapter
from scim2_models import Email, Meta

from scim_harness.emulator.assumptions import Assumptions
from scim_harness.emulator.errors import ScimRefusalError
from scim_harness.emulator.scim_model import USER_SCHEMA, Name, User, WorkEmail
from scim_harness.emulator.state import parse_iso
from scim_harness.emulator.store import UserRecord


def check_limits(values: dict[str, Any], assumptions: Assumptions) -> None:
    """Kintone's User API limits: login name 1-128 and not blank, display name <= 128, names <= 64."""
    login = values.get("user_name")
    if login is not None and not login.strip():
        raise ScimRefusalError(assumptions.field_limit, field="userName", problem="must not be blank")
    limits = (
        ("user_name", "userName", assumptions.login_name_max),
        ("display_name", "displayName", assumptions.display_name_max),
        ("family_name", "name.familyName", assumptions.surname_max),
        ("given_name", "name.givenName", assumptions.given_name_max),
    )
    for key, label, maximum in limits:
        value = values.get(key)
        if value is not None and len(value) > maximum:
            raise ScimRefusalError(
                assumptions.field_limit, field=label, problem=f"must be at most {maximum} characters"
            )


def kintone_email(emails: list[WorkEmail] | None) -> str | None:
    """Kintone keeps one address: the work one, else the primary one, else the first."""
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


def values_of(user: User) -> dict[str, Any]:
    """The stored fields of a SCIM User; what Kintone does not keep is not there."""
    return {
        "user_name": user.user_name,
        "external_id": user.external_id,
        "display_name": user.display_name,
        "family_name": user.name.family_name if user.name else None,
        "given_name": user.name.given_name if user.name else None,
        "email": kintone_email(user.emails),
        "active": True if user.active is None else bool(user.active),
    }


def user_of(record: UserRecord, model: type[User] = User) -> User:
    name = None
    if record.family_name is not None or record.given_name is not None:
        name = Name(family_name=record.family_name, given_name=record.given_name)
    emails = [WorkEmail(value=record.email, type=Email.Type.work, primary=True)] if record.email else None
    return model(
        id=str(record.id),
        external_id=record.external_id,
        user_name=record.user_name,
        display_name=record.display_name,
        name=name,
        active=record.active,
        emails=emails,
        meta=Meta(
            resource_type="User",
            created=parse_iso(record.created),
            last_modified=parse_iso(record.modified),
            version=f'W/"{record.version}"',
        ),
    )


# pydantic's own datetime rendering, so a hand-built body shows times exactly as a dumped User does.
_DATETIME = TypeAdapter(datetime)


def scim_user_body(record: UserRecord, location: str) -> dict[str, Any]:
    """The JSON a response carries for a stored user: what scim2-models dumps for `user_of(record)` once
    published (no version: ETags are not supported), built straight from the row. Lookups are Entra's most
    frequent calls, and what is stored was validated when it was written."""
    return _user_body(
        user_id=str(record.id),
        external_id=record.external_id,
        created=parse_iso(record.created),
        modified=parse_iso(record.modified),
        location=location,
        user_name=record.user_name,
        family_name=record.family_name,
        given_name=record.given_name,
        display_name=record.display_name,
        active=record.active,
        email=record.email or None,
    )


def published_user_body(user: Any, location: str) -> dict[str, Any] | None:
    """`scim_user_body` for a User as `user_of` builds it (what the storage returns after a write); None
    for anything else, which scim2-models must then dump."""
    if type(user) is not User:
        return None
    meta = user.meta
    name = user.name
    emails = user.emails
    if (
        user.schemas != [USER_SCHEMA]
        or user.id is None
        or user.user_name is None
        or not isinstance(user.active, bool)
        or meta is None
        or meta.resource_type != "User"
        or meta.created is None
        or meta.last_modified is None
        or (name is not None and name.family_name is None and name.given_name is None)
        or (emails is not None and not _is_kintone_email(emails))
    ):
        return None
    return _user_body(
        user_id=user.id,
        external_id=user.external_id,
        created=meta.created,
        modified=meta.last_modified,
        location=location,
        user_name=user.user_name,
        family_name=name.family_name if name else None,
        given_name=name.given_name if name else None,
        display_name=user.display_name,
        active=user.active,
        email=emails[0].value if emails else None,
    )


def _is_kintone_email(emails: list[Any]) -> bool:
    """The one address as `user_of` shows it."""
    if len(emails) != 1:
        return False
    email = emails[0]
    return (
        type(email) is WorkEmail
        and email.type == Email.Type.work
        and email.primary is True
        and isinstance(email.value, str)
        and bool(email.value)
    )


def _user_body(
    *,
    user_id: str,
    external_id: str | None,
    created: datetime,
    modified: datetime,
    location: str,
    user_name: str,
    family_name: str | None,
    given_name: str | None,
    display_name: str | None,
    active: bool,
    email: str | None,
) -> dict[str, Any]:
    # Keys in the model's field order, absent values left out, as scim2-models dumps them.
    body: dict[str, Any] = {"schemas": [USER_SCHEMA], "id": user_id}
    if external_id is not None:
        body["externalId"] = external_id
    body["meta"] = {
        "resourceType": "User",
        "created": _DATETIME.dump_python(created, mode="json"),
        "lastModified": _DATETIME.dump_python(modified, mode="json"),
        "location": location,
    }
    body["userName"] = user_name
    name = {
        key: value
        for key, value in (("familyName", family_name), ("givenName", given_name))
        if value is not None
    }
    if name:
        body["name"] = name
    if display_name is not None:
        body["displayName"] = display_name
    body["active"] = active
    if email is not None:
        body["emails"] = [{"value": email, "type": "work", "primary": True}]
    return body


def kintone_api_user(record: UserRecord) -> dict[str, Any]:
    """The user as Kintone's User API shows it (GET /v1/users.json)."""
    return {
        "id": str(record.id),
        "code": record.user_name,
        "ctime": record.created,
        "mtime": record.modified,
        "valid": record.active,
        "name": record.display_name or "",
        "surName": record.family_name or "",
        "givenName": record.given_name or "",
        "email": record.email or "",
    }
