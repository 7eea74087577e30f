"""Kintone's User API (`/v1/users.json`), as published (kintone-scim.md §5): an adapter over the store and
kintone_rules, so one driver serves a real Kintone and the emulator alike.

It takes the published forms only, so a client that works here works on Kintone:
- GET: `ids[]` or `codes[]` (not both), each either as `codes[]=a&codes[]=b` or `codes[0]=a&codes[1]=b`,
  at most 100; `size` 1-100 (default 100); `offset` >= 0. Users come sorted by id.
- A bare `codes=` or `ids=` is refused with 400 in Kintone's error shape. Whether the real API refuses it
  is unpublished: refusing it is our assumption, so a client sending it fails here before it fails there.
- POST `{users: [...]}` (1-100; code, password and name required; valid defaults to true), all or nothing.
- DELETE `{codes: [...]}` (1-100); every login name must exist. Deleting a user provisioning touched leaves a
  tombstone (kintone_rules.admin_deletion_leaves_tombstone).
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from scim_harness.emulator import kintone_rules
from scim_harness.emulator.admin_http import AdminError, as_object, bad_request, guarded, json_object
from scim_harness.emulator.inputs import sql_int
from scim_harness.emulator.state import EmulatorState
from scim_harness.emulator.store import DuplicateLoginName, UserQuery, UserRecord, UserValues

USER_API_MAX = 100
_ARRAY_KEY = re.compile(r"(?P<name>codes|ids)\[(?P<index>[0-9]*)\]")


def kintone_api_user(record: UserRecord) -> dict[str, Any]:
    """The user as Kintone's User API shows it (the User type, kintone-scim.md §5; fields Kintone keeps)."""
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


def _arrays(request: Request) -> dict[str, list[str]]:
    """The `codes` and `ids` arrays of the query, in the published forms only."""
    arrays: dict[str, list[str]] = {"codes": [], "ids": []}
    for key, value in request.query_params.multi_items():
        match = _ARRAY_KEY.fullmatch(key)
        if match is not None:
            arrays[match["name"]].append(value)
        elif key in arrays:
            raise bad_request(f"{key} must be sent as an array: {key}[0]=... or {key}[]=...")
    return arrays


def _int_param(request: Request, name: str, default: int, low: int, high: int | None) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    value = sql_int(raw)
    if value is None:
        raise bad_request(f"{name} must be an integer of at most 19 digits.")
    if value < low or (high is not None and value > high):
        raise bad_request(f"{name} must be between {low} and {high if high is not None else 'any'}.")
    return value


class UserApi:
    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    def routes(self) -> list[Route]:
        state = self.state
        return [
            Route("/v1/users.json", guarded(state, self.get), methods=["GET"]),
            Route("/v1/users.json", guarded(state, self.post), methods=["POST"]),
            Route("/v1/users.json", guarded(state, self.delete), methods=["DELETE"]),
        ]

    async def get(self, request: Request) -> Response:
        arrays = _arrays(request)
        ids, codes = arrays["ids"], arrays["codes"]
        if ids and codes:
            raise bad_request("Specify either ids or codes, not both.")
        if len(ids) > USER_API_MAX or len(codes) > USER_API_MAX:
            raise bad_request(f"Specify at most {USER_API_MAX} ids or codes.")
        numbers = [sql_int(i) for i in ids]
        if any(number is None for number in numbers):
            raise bad_request("ids must be numbers of at most 19 digits.")
        size = _int_param(request, "size", USER_API_MAX, 1, USER_API_MAX)
        offset = _int_param(request, "offset", 0, 0, None)
        query = UserQuery(ids=numbers if ids else None, logins=codes or None)  # type: ignore[arg-type]
        records = self.state.db.users.find(query, offset=offset, limit=size)
        return JSONResponse({"users": [kintone_api_user(r) for r in records]})

    async def post(self, request: Request) -> Response:
        users = (await json_object(request, self.state.assumptions.max_body_bytes)).get("users")
        if not isinstance(users, list) or not 1 <= len(users) <= USER_API_MAX:
            raise bad_request(f"users must be a list of 1 to {USER_API_MAX} users.")
        values = [self._values(user) for user in users]
        try:
            self.state.db.users.insert_all(values, origin="admin", now=self.state.now_iso())
        except DuplicateLoginName as exc:
            raise AdminError(400, "duplicate", f"The login name {exc} is already in use.") from exc
        return JSONResponse({})

    def _values(self, user: Any) -> UserValues:
        user = as_object(user)
        for required in ("code", "password", "name"):
            if not isinstance(user.get(required), str):
                raise bad_request(f"{required} is required and must be a string.")
        for optional in ("surName", "givenName", "email"):
            if user.get(optional) is not None and not isinstance(user[optional], str):
                raise bad_request(f"{optional} must be a string.")
        valid = user.get("valid", True)
        if not isinstance(valid, bool):
            raise bad_request("valid must be true or false.")
        values = UserValues(
            user_name=user["code"],
            display_name=user["name"],
            family_name=user.get("surName") or None,
            given_name=user.get("givenName") or None,
            email=user.get("email") or None,
            active=valid,
        )
        problem = kintone_rules.user_api_problem(values, user["password"], self.state.assumptions)
        if problem is not None:
            raise bad_request(problem)
        return values

    async def delete(self, request: Request) -> Response:
        codes = (await json_object(request, self.state.assumptions.max_body_bytes)).get("codes")
        if not isinstance(codes, list) or not 1 <= len(codes) <= USER_API_MAX:
            raise bad_request(f"codes must be a list of 1 to {USER_API_MAX} login names.")
        users = self.state.db.users
        records = []
        for code in codes:
            record = users.first(UserQuery(login=code)) if isinstance(code, str) else None
            if record is None:
                raise AdminError(400, "not_found", f"The user {code!r} does not exist.")
            records.append(record)
        tombstoned = [r.user_name for r in records if kintone_rules.admin_deletion_leaves_tombstone(r)]
        users.delete_as_admin(records, tombstoned, now=self.state.now_iso())
        return JSONResponse({})
