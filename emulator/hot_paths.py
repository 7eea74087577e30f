"""Entra's two most frequent reads, answered straight from SQLite.

Entra looks every user up with `GET /Users?filter=userName eq "..."` before creating or updating it, and reads
users back by id. Through scim2-server each of these validates the query, the stored user and the list
response with scim2-models, which costs milliseconds; here the row becomes the JSON body directly. Only the
plainest form of each request takes this path; anything else (other query parameters, conditional headers, an
escaped or odd filter, more matches than a page holds, a 404 asked for by a rule switch) returns None and goes
through scim2-server, which is what this path must answer exactly like (tests/emulator/test_hot_paths.py).
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from scim2_server.requests import ScimRequest
from scim2_server.responses import ScimResponse
from scim2_server.service import ScimService

from scim_harness.emulator.kintone_user import scim_user_body
from scim_harness.emulator.scim_storage import KintoneStorage
from scim_harness.emulator.store import UserRecord

LIST_RESPONSE_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
# A plain quoted value: no escapes or control characters, so its text is the login name as written.
_USERNAME_EQ = re.compile(r'username eq "(?P<login>[^"\\\x00-\x1f]*)"', re.IGNORECASE)
_USER_BY_ID = re.compile(r"/Users/(?P<id>[0-9]+)")
_CONDITIONAL_HEADERS = ("if-match", "if-none-match", "if-modified-since", "if-unmodified-since")


class HotPaths:
    def __init__(self, service: ScimService, storage: KintoneStorage) -> None:
        self.service = service
        self.storage = storage
        self.user_type = service.resource_type_at("Users")

    def answer(self, request: ScimRequest) -> ScimResponse | None:
        """The response to a plain filter-by-login or read-by-id request; None for any other request."""
        if request.method.upper() != "GET" or request.body:
            return None
        if request.path == "/Users" and request.query.keys() == {"filter"}:
            return self._filter_by_login(request)
        by_id = _USER_BY_ID.fullmatch(request.path)
        if by_id is not None and not request.query and not self._conditional(request):
            return self._read(request, by_id["id"])
        return None

    def _location(self, request: ScimRequest, record: UserRecord) -> str:
        return self.service.resource_location(request.base_url, self.user_type, str(record.id))

    def _filter_by_login(self, request: ScimRequest) -> ScimResponse | None:
        match = _USERNAME_EQ.fullmatch(request.query["filter"])
        if match is None:
            return None
        records = self.storage.users_with_login(match["login"])
        state = self.storage.state
        # More than one page (only with allow_duplicate_login_names), or a 404 for none: the general path.
        if len(records) > state.assumptions.max_results or (
            not records and state.rules.not_found_on_empty_filter
        ):
            return None
        body: dict[str, Any] = {
            "schemas": [LIST_RESPONSE_SCHEMA],
            "totalResults": len(records),
            "startIndex": 1,
            "itemsPerPage": len(records),
            "Resources": [scim_user_body(record, self._location(request, record)) for record in records],
        }
        return ScimResponse(HTTPStatus.OK, body)

    def _read(self, request: ScimRequest, resource_id: str) -> ScimResponse | None:
        record = self.storage.visible_user(resource_id)
        if record is None:
            return None  # the general path words the 404
        location = self._location(request, record)
        return ScimResponse(HTTPStatus.OK, scim_user_body(record, location), {"Content-Location": location})

    @staticmethod
    def _conditional(request: ScimRequest) -> bool:
        return any(request.header(name) is not None for name in _CONDITIONAL_HEADERS)
