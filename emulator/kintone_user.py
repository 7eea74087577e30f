"""Kintone's user fields, their limits, and the conversion between a stored user and the SCIM User."""

from __future__ import annotations

from typing import Any

from scim2_models import Email, Meta

from emulator.assumptions import Assumptions
from emulator.errors import ScimRefusalError
from emulator.scim_model import Name, User, WorkEmail
from emulator.state import parse_iso
from emulator.store import UserRecord


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
