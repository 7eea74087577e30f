"""Entra's two most frequent reads, answered without scim2-server's request handling.

Entra looks every user up with `GET /Users?filter=userName eq "..."` before creating or updating it, and reads
users back by id. Through scim2-server each of these validates the query and the stored user with
scim2-models, which costs milliseconds; here the request is recognised by its plainest form, the same store
query and rule (kintone_rules) run, and the same writer (user_json) writes the answer. Anything else (other
query parameters, conditional headers, an escaped or odd filter, more matches than a page holds, a 404 asked
for by a rule switch) returns None and goes through scim2-server.
"""

from __future__ import annotations

import re
from http import HTTPStatus

from scim2_server.requests import ScimRequest
from scim2_server.responses import ScimResponse

from scim_harness.emulator import kintone_rules
from scim_harness.emulator.scim_service import KintoneScimService
from scim_harness.emulator.scim_storage import KintoneStorage
from scim_harness.emulator.user_json import list_body, user_body

# A plain quoted value: no escapes or control characters, so its text is the login name as written.
_USERNAME_EQ = re.compile(r'username eq "(?P<login>[^"\\\x00-\x1f]*)"', re.IGNORECASE)
_USER_BY_ID = re.compile(r"/Users/(?P<id>[0-9]+)")
_CONDITIONAL_HEADERS = ("if-match", "if-none-match", "if-modified-since", "if-unmodified-since")


class HotPaths:
    def __init__(self, service: KintoneScimService, storage: KintoneStorage) -> None:
        self.service = service
        self.storage = storage

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
