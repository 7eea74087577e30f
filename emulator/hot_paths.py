"""Entra's most frequent calls, answered without scim2-server's request handling.

Entra looks every user up with `GET /Users?filter=userName eq "..."` before creating or updating it, creates
it with `POST /Users`, reads users back by id, and changes one with `PATCH /Users/{id}` holding `Replace`
operations on plain attributes.
Through scim2-server each of these validates the request and the stored user with scim2-models, which costs
milliseconds; here the request is recognised by its plainest form, the same store query and rules
(kintone_rules, KintoneStorage.store_update) run, and the same writer (user_json) writes the answer. Anything
else (other query parameters, conditional headers, an escaped or odd filter, more matches than a page holds, a
404 asked for by a rule switch, a PATCH on any other path or value, a POST body with anything but plain
values of the attributes Kintone keeps once entra_compat has dropped the rest, any defect switched on) returns
None and goes through scim2-server; tests/emulator/test_hot_paths.py holds both answers and rows equal.
"""

from __future__ import annotations

import re
from dataclasses import replace
from http import HTTPStatus
from typing import Any

from scim2_server.requests import ScimRequest
from scim2_server.responses import ScimResponse
from scim2_server.service import is_json_media_type

from scim_harness.common.scim_wire import PATCH_SCHEMA, USER_SCHEMA
from scim_harness.emulator import entra_compat, kintone_rules
from scim_harness.emulator.inputs import InputError, load_json
from scim_harness.emulator.scim_service import KintoneScimService
from scim_harness.emulator.scim_storage import KintoneStorage
from scim_harness.emulator.store import UserValues
from scim_harness.emulator.user_json import list_body, user_body

# A plain quoted value: no escapes or control characters, so its text is the login name as written.
_USERNAME_EQ = re.compile(r'username eq "(?P<login>[^"\\\x00-\x1f]*)"', re.IGNORECASE)
_USER_BY_ID = re.compile(r"/Users/(?P<id>[0-9]+)")
_CONDITIONAL_HEADERS = ("if-match", "if-none-match", "if-modified-since", "if-unmodified-since")
# PATCH paths answered directly (lower-cased): single-valued, readWrite strings of the stored row, which a
# `replace` sets as it is (scim2-models does the same).
_PATCHABLE = {
    "displayname": "display_name",
    "externalid": "external_id",
    "name.givenname": "given_name",
    "name.familyname": "family_name",
}
_MAX_DIRECT_OPERATIONS = 16
# A POST body taken directly: these attributes only (as written, in RFC 7643's case), plain values.
_USER_KEYS = {"schemas", "userName", "externalId", "displayName", "active", "name", "emails", "meta"}
_NAME_KEYS = {"givenName", "familyName"}
_EMAIL_KEYS = {"value", "type", "primary"}
_META = {"resourceType": "User"}
_OPERATION_KEYS = {"op", "path", "value"}


class HotPaths:
    def __init__(self, service: KintoneScimService, storage: KintoneStorage) -> None:
        self.service = service
        self.storage = storage

    def answer(self, request: ScimRequest) -> ScimResponse | None:
        """The response to a plain filter-by-login, read-by-id, POST or PATCH request; None for any other."""
        method = request.method.upper()
        if method == "POST":
            if request.path != "/Users" or request.query or not self._plain_body(request):
                return None
            return self._create(request)
        if method == "PATCH":
            by_id = _USER_BY_ID.fullmatch(request.path)
            if by_id is None or request.query or self._conditional(request):
                return None
            return self._patch(request, by_id["id"])
        if method != "GET" or request.body:
            return None
        if request.path == "/Users" and request.query.keys() == {"filter"}:
            return self._filter_by_login(request)
        by_id = _USER_BY_ID.fullmatch(request.path)
        if by_id is not None and not request.query and not self._conditional(request):
            return self._read(request, by_id["id"])
        return None

    def _plain_body(self, request: ScimRequest) -> bool:
        """No defect switched on (one may act anywhere in the library's path) and a JSON media type."""
        content_type = request.header("Content-Type")
        return not self.storage.state.defects.enabled and not (
            content_type and not is_json_media_type(content_type)
        )

    def _create(self, request: ScimRequest) -> ScimResponse | None:
        """A plain User body: stored through the same rules as the library's create, 201 with Location
        (KintoneScimService.creation_response)."""
        try:
            data = load_json(request.body)
        except (InputError, ValueError):
            return None
        if not isinstance(data, dict):
            return None
        values = _plain_user(entra_compat.normalise_resource(data, self.storage.state.rules))
        if values is None:
            return None
        record = self.storage.store_create(values)
        return self.service.creation_response(request.base_url, record)

    def _patch(self, request: ScimRequest, resource_id: str) -> ScimResponse | None:
        """`replace` operations on _PATCHABLE paths with string values: the row changed, 204 (RFC 7644 §3.5.2,
        as KintoneScimService.patch_response). A defect switched on may act anywhere in the library's path,
        so then the library's path it is."""
        if not self._plain_body(request):
            return None
        changes = _plain_replacements(request.body)
        if changes is None:
            return None
        record = self.storage.visible_user(resource_id)
        if record is None:
            return None  # the general path words the 404
        values = record.values()
        changed = replace(values, **changes)
        if changed != values:  # as scim2-models: a PATCH that changes nothing writes nothing
            self.storage.store_update(record, changed, record.version)
        return ScimResponse(HTTPStatus.NO_CONTENT, None, {})

    def _filter_by_login(self, request: ScimRequest) -> ScimResponse | None:
        match = _USERNAME_EQ.fullmatch(request.query["filter"])
        if match is None:
            return None
        state = self.storage.state
        records = state.db.users.find(kintone_rules.login_lookup(match["login"], state.rules))
        # More than one page (only with allow_duplicate_login_names), or a 404 for none: the general path.
        if len(records) > state.assumptions.max_results or (
            not records and state.rules.not_found_on_empty_filter
        ):
            return None
        bodies = [user_body(record, self.service.location(request.base_url, record.id)) for record in records]
        return ScimResponse(HTTPStatus.OK, list_body(len(records), 1, bodies))

    def _read(self, request: ScimRequest, resource_id: str) -> ScimResponse | None:
        record = self.storage.visible_user(resource_id)
        if record is None:
            return None  # the general path words the 404
        location = self.service.location(request.base_url, record.id)
        return ScimResponse(HTTPStatus.OK, user_body(record, location), {"Content-Location": location})

    @staticmethod
    def _conditional(request: ScimRequest) -> bool:
        return any(request.header(name) is not None for name in _CONDITIONAL_HEADERS)


def _plain_replacements(body: bytes) -> dict[str, Any] | None:
    """{UserValues field: new value} of a PatchOp made only of `replace` operations on _PATCHABLE paths with
    string values, in Entra's form (`{"Operations": [...], "schemas": [PatchOp]}`, `op` in any case); None for
    any other body (a hostile one included: the general path refuses it)."""
    try:
        data = load_json(body)
    except (InputError, ValueError):
        return None
    if not isinstance(data, dict) or data.keys() != {"schemas", "Operations"}:
        return None
    operations = data["Operations"]
    if data["schemas"] != [PATCH_SCHEMA] or not isinstance(operations, list):
        return None
    if not 0 < len(operations) <= _MAX_DIRECT_OPERATIONS:
        return None
    changes: dict[str, Any] = {}
    for operation in operations:
        if not isinstance(operation, dict) or operation.keys() != _OPERATION_KEYS:
            return None
        op, path, value = operation["op"], operation["path"], operation["value"]
        if not (isinstance(op, str) and isinstance(path, str) and isinstance(value, str)):
            return None
        field = _PATCHABLE.get(path.lower())
        if op.lower() != "replace" or field is None:
            return None
        changes[field] = value
    return changes


def _plain_user(data: dict[str, Any]) -> UserValues | None:
    """The values a plain User body stores, the body as entra_compat left it (what Kintone ignores dropped):
    `schemas` the core User's, `userName` a non-empty string, `externalId`/`displayName` strings, `active` a
    JSON boolean, `name` with string parts, `emails` one work address, `meta` only `{"resourceType": "User"}`
    (read-only, so the library ignores it). None for any other body: the library validates and words it."""
    if not data.keys() <= _USER_KEYS or data.get("schemas") != [USER_SCHEMA]:
        return None
    login, external_id, display_name = data.get("userName"), data.get("externalId"), data.get("displayName")
    if not (isinstance(login, str) and login) or data.get("meta", _META) != _META:
        return None
    if not all(isinstance(value, str) for value in (external_id, display_name) if value is not None):
        return None
    active = data.get("active", True)
    name = data.get("name", {})
    if not isinstance(active, bool) or not isinstance(name, dict) or not name.keys() <= _NAME_KEYS:
        return None
    if not all(isinstance(part, str) for part in name.values()):
        return None
    email = None
    if "emails" in data:
        emails = data["emails"]
        if not (isinstance(emails, list) and len(emails) == 1 and isinstance(emails[0], dict)):
            return None
        only = emails[0]
        if not only.keys() <= _EMAIL_KEYS or only.get("type") != "work":
            return None
        if not isinstance(only.get("value"), str) or not isinstance(only.get("primary", False), bool):
            return None
        email = only["value"]
    return UserValues(
        user_name=login,
        external_id=external_id,
        display_name=display_name,
        family_name=name.get("familyName"),
        given_name=name.get("givenName"),
        email=email,
        active=active,
    )
