"""Request bodies brought to what the User model takes: what Kintone ignores is dropped, Entra's slips fixed.

Kintone propagates login name, display name, surname, given name, e-mail and status only. Everything else
an IdP sends under a standard RFC 7643 User name or the enterprise extension (titles, departments, phone
numbers, manager...) is accepted and not stored, which is what "not propagated" means. A name that is in no
standard schema is left in place, so the library refuses it (400 invalidSyntax / invalidPath) as it should.
"""

from __future__ import annotations

import re
from typing import Any

from scim2_models import InvalidValueException

from scim_harness.emulator.rules import RuleSwitches
from scim_harness.emulator.scim_model import ENTERPRISE_SCHEMA, USER_SCHEMA

# Entra's own docs show this misspelt URN in POST bodies (entra-provisioning.md §3): treat it as the real one.
ENTERPRISE_SCHEMA_TYPO = "urn:ietf:params:scim:schemas:extension:enterprise:2.0User"
_ENTERPRISE_URNS = {ENTERPRISE_SCHEMA.lower(), ENTERPRISE_SCHEMA_TYPO.lower()}

# RFC 7643 §4.1 User attributes Kintone does not propagate.
IGNORED_USER_ATTRIBUTES = {
    name.lower()
    for name in (
        "nickName",
        "profileUrl",
        "title",
        "userType",
        "preferredLanguage",
        "locale",
        "timezone",
        "password",
        "phoneNumbers",
        "ims",
        "photos",
        "addresses",
        "groups",
        "entitlements",
        "roles",
        "x509Certificates",
    )
}
IGNORED_NAME_PARTS = {
    name.lower() for name in ("formatted", "middleName", "honorificPrefix", "honorificSuffix")
}
IGNORED_EMAIL_PARTS = {"display"}

_PATH_HEAD = re.compile(r"^(?P<attr>[A-Za-z][\w$-]*)(?:\[[^\]]*\])?(?:\.(?P<sub>[A-Za-z][\w$-]*))?$")


def _is_enterprise(text: str) -> bool:
    lowered = text.lower()
    return any(lowered == urn or lowered.startswith(urn + ":") for urn in _ENTERPRISE_URNS)


def _refuse_if(rules: RuleSwitches, what: str) -> None:
    if rules.reject_ignored_attributes:
        raise InvalidValueException(detail=f"{what} is not supported")


def _check_active(value: Any, rules: RuleSwitches) -> None:
    if rules.reject_string_booleans and isinstance(value, str):
        raise InvalidValueException(detail="active must be a JSON boolean")


def _strip_name(name: Any, rules: RuleSwitches) -> Any:
    if not isinstance(name, dict):
        return name
    kept = {}
    for key, value in name.items():
        if key.lower() in IGNORED_NAME_PARTS:
            _refuse_if(rules, f"name.{key}")
        else:
            kept[key] = value
    return kept


def _strip_emails(emails: Any) -> Any:
    if not isinstance(emails, list):
        return emails
    return [
        {k: v for k, v in item.items() if k.lower() not in IGNORED_EMAIL_PARTS}
        if isinstance(item, dict)
        else item
        for item in emails
    ]


def normalise_resource(body: dict[str, Any], rules: RuleSwitches) -> dict[str, Any]:
    """A POST/PUT User body with the attributes Kintone ignores removed."""
    kept: dict[str, Any] = {}
    for key, value in body.items():
        lowered = key.lower()
        if lowered == "schemas" and isinstance(value, list):
            schemas = [s for s in value if not (isinstance(s, str) and _is_enterprise(s))]
            if len(schemas) != len(value):
                _refuse_if(rules, "the enterprise User extension")
            kept[key] = schemas or [USER_SCHEMA]
        elif _is_enterprise(key) or lowered in IGNORED_USER_ATTRIBUTES:
            _refuse_if(rules, key)
        elif lowered == "name":
            kept[key] = _strip_name(value, rules)
        elif lowered == "emails":
            kept[key] = _strip_emails(value)
        else:
            if lowered == "active":
                _check_active(value, rules)
            kept[key] = value
    return kept


def _path_is_ignored(path: str) -> bool:
    if _is_enterprise(path):
        return True
    match = _PATH_HEAD.match(path.strip())
    if match is None:
        return False
    attr, sub = match["attr"].lower(), (match["sub"] or "").lower()
    if attr in IGNORED_USER_ATTRIBUTES:
        return True
    return (attr == "name" and sub in IGNORED_NAME_PARTS) or (attr == "emails" and sub in IGNORED_EMAIL_PARTS)


def _strip_pathless_value(value: Any, rules: RuleSwitches) -> Any:
    """Entra's flag-mode PATCH: several attributes in one op, {"displayName": .., "name.givenName": ..}."""
    if not isinstance(value, dict):
        return value
    kept = {}
    for key, item in value.items():
        if _path_is_ignored(key):
            _refuse_if(rules, key)
            continue
        if key.lower() == "active":
            _check_active(item, rules)
        if key.lower() == "name":
            item = _strip_name(item, rules)
        elif key.lower() == "emails":
            item = _strip_emails(item)
        kept[key] = item
    return kept


def normalise_patch(body: dict[str, Any], rules: RuleSwitches) -> dict[str, Any]:
    """A PatchOp body without the operations on attributes Kintone ignores (they are not applied)."""
    operations_key = next((k for k in body if k.lower() == "operations"), None)
    operations = body.get(operations_key) if operations_key else None
    if not isinstance(operations, list):
        return body
    kept_ops = []
    for operation in operations:
        if not isinstance(operation, dict):
            kept_ops.append(operation)
            continue
        path = operation.get("path")
        if isinstance(path, str) and _path_is_ignored(path):
            _refuse_if(rules, path)
            continue
        target = path.strip().lower() if isinstance(path, str) else None
        if target == "active":
            _check_active(operation.get("value"), rules)
        elif target == "name" and "value" in operation:
            operation = {**operation, "value": _strip_name(operation["value"], rules)}
        elif target == "emails" and "value" in operation:
            operation = {**operation, "value": _strip_emails(operation["value"])}
        if path is None and "value" in operation:
            value = _strip_pathless_value(operation["value"], rules)
            if value == {}:
                continue
            operation = {**operation, "value": value}
        kept_ops.append(operation)
    return {**body, operations_key: kept_ops}


def only_ignored_operations(original: dict[str, Any], normalised: dict[str, Any]) -> bool:
    """Whether normalise_patch dropped every operation of a PATCH that had some."""

    def count(body: dict[str, Any]) -> int:
        key = next((k for k in body if k.lower() == "operations"), None)
        operations = body.get(key) if key else None
        return len(operations) if isinstance(operations, list) else -1

    return count(original) > 0 and count(normalised) == 0
