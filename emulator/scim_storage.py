"""scim2-server's storage interface over the Kintone profile's SQLite users: an adapter.

scim2-server has already parsed and validated the request, applied PATCH and checked the filter syntax; this
module turns the User into stored values and back, asks kintone_rules what Kintone would keep, refuse or hide,
and reads with typed store queries.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from scim2_models import (
    NotFoundException,
    PreconditionFailedException,
    Resource,
    ResourceType,
    ResponseParameters,
    ScimFilter,
    SearchRequest,
    UniquenessException,
)
from scim2_server.storage import AsyncScimStorage, SearchPage

from scim_harness.emulator import kintone_rules
from scim_harness.emulator.errors import ScimRefusalError
from scim_harness.emulator.filter_cost import EvaluationBudget, evaluate, indexed_term, start_of
from scim_harness.emulator.inputs import lone_surrogate, sql_int
from scim_harness.emulator.kintone_user import user_of, values_of
from scim_harness.emulator.meta import version_number
from scim_harness.emulator.scim_model import User
from scim_harness.emulator.state import EmulatorState
from scim_harness.emulator.store import DuplicateLoginName, UserQuery, UserRecord, UserValues, VersionMismatch

DUPLICATE_DETAIL = "A user with this login name (userName) already exists"
_INDEXED = ("username", "externalid", "id")


def _narrowed(query: UserQuery, attribute: str, value: str, rules: Any) -> UserQuery:
    """The query narrowed by one indexed equality. An id that is not a number SQLite stores, or a value
    holding a lone surrogate (no stored text does), matches nothing."""
    if lone_surrogate(value):
        return replace(query, ids=[])
    if attribute == "username":
        return kintone_rules.login_lookup(value, rules)
    if attribute == "externalid":
        return replace(query, external_id=value)
    number = sql_int(value)
    return replace(query, ids=[] if number is None else [number])


class KintoneStorage(AsyncScimStorage):
    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    def visible_user(self, resource_id: str | None) -> UserRecord | None:
        """The user `GET /Users/{resource_id}` shows, if any (an id is ASCII digits: "²" is no id)."""
        user_id = sql_int(resource_id) if resource_id is not None else None
        if user_id is None:
            return None
        record = self.state.db.users.get(user_id)
        return record if record is not None and kintone_rules.is_visible(record, self.state.rules) else None

    def _record(self, resource_id: str | None) -> UserRecord:
        record = self.visible_user(resource_id)
        if record is None:
            raise NotFoundException(detail=f"User {resource_id!r} not found")
        return record

    # -- reads ---------------------------------------------------------------

    async def get(
        self,
        resource_type: ResourceType,
        resource_id: str,
        *,
        response_parameters: ResponseParameters[Any] | None = None,
    ) -> Resource[Any]:
        return user_of(self._record(resource_id))

    async def search(
        self,
        resource_types: list[ResourceType],
        search_request: SearchRequest[Any],
        *,
        position: Any = None,
    ) -> SearchPage:
        state = self.state
        users = state.db.users
        query = kintone_rules.visible_users(state.rules)
        start = start_of(search_request)
        count = search_request.count
        if search_request.filter is None:
            records = [] if count == 0 else users.find(query, offset=start, limit=count)
            return SearchPage(users.count(query), [user_of(r) for r in records])

        bound = ScimFilter[User](str(search_request.filter))
        indexed = indexed_term(bound.ast, _INDEXED)
        if indexed is not None:
            query = _narrowed(query, *indexed, state.rules)

        def keep(record: UserRecord) -> User | None:
            user = user_of(record)
            return user if bound.match(user) else None

        budget = EvaluationBudget(state.assumptions.filter_time_limit_seconds)
        total, page = await evaluate(users.scan(query), keep, budget, start, count)
        if not total and state.rules.not_found_on_empty_filter:
            raise NotFoundException(detail="No user matches the filter")
        return SearchPage(total, page)

    # -- writes --------------------------------------------------------------

    def _allow_duplicates(self) -> bool:
        state = self.state
        return state.rules.allow_duplicate_login_names or state.defects.on("duplicate_username_created")

    def _check_limits(self, values: UserValues) -> None:
        refusal = kintone_rules.field_limit_refusal(values, self.state.assumptions, self.state.rules)
        if refusal is not None:
            raise ScimRefusalError(refusal)

    async def create(self, resource_type: ResourceType, resource: Resource[Any]) -> Resource[Any]:
        return user_of(self.store_create(values_of(resource)), validated=False)  # type: ignore[arg-type]

    def store_create(self, values: UserValues) -> UserRecord:
        """A new user stored as Kintone keeps it (field limits, deleted login names, unique login names); the
        stored row. The one write path of POST and the direct POST (hot_paths)."""
        state = self.state
        self._check_limits(values)
        tombstoned = state.db.tombstones.contains(values.user_name)
        refusal = kintone_rules.deleted_user_refusal(tombstoned, state.assumptions, state.rules)
        if refusal is not None:
            raise ScimRefusalError(refusal)
        try:
            record = state.db.users.insert(
                values,
                origin="scim",
                now=state.now_iso(),
                allow_duplicates=self._allow_duplicates(),
            )
        except DuplicateLoginName as exc:
            raise UniquenessException(detail=DUPLICATE_DETAIL) from exc
        return record

    async def update(
        self,
        resource_type: ResourceType,
        resource: Resource[Any],
        *,
        expected_version: str | None = None,
    ) -> Resource[Any]:
        current = self._record(resource.id)
        values = values_of(resource)  # type: ignore[arg-type]
        return user_of(self.store_update(current, values, version_number(expected_version)), validated=False)

    def store_update(
        self, current: UserRecord, values: UserValues, expected_version: int | None
    ) -> UserRecord:
        """The user's new values stored as Kintone keeps them (login name change, field limits, unique login
        names); the stored row. The one write path of PUT, PATCH and the direct PATCH (hot_paths)."""
        state = self.state
        login = kintone_rules.login_after_change(
            current.user_name, values.user_name, state.assumptions, state.rules
        )
        if not isinstance(login, str):
            raise ScimRefusalError(login)
        values = replace(values, user_name=login)
        self._check_limits(values)
        try:
            record = state.db.users.update(
                current.id,
                values,
                now=state.now_iso(),
                scim=True,
                allow_duplicates=self._allow_duplicates(),
                expected_version=expected_version,
            )
        except DuplicateLoginName as exc:
            raise UniquenessException(detail=DUPLICATE_DETAIL) from exc
        except VersionMismatch as exc:
            raise PreconditionFailedException(detail="The user changed meanwhile") from exc
        if record is None:
            raise NotFoundException(detail=f"User {str(current.id)!r} not found")
        return record

    async def delete(
        self,
        resource_type: ResourceType,
        resource_id: str,
        *,
        expected_version: str | None = None,
    ) -> None:
        """What a SCIM DELETE does is an assumption (scim_delete): delete, deactivate or refuse. A SCIM
        delete is not an administrator's deletion, so it leaves no tombstone."""
        state = self.state
        record = self._record(resource_id)
        behaviour = state.assumptions.scim_delete
        if behaviour == "refuse":
            raise ScimRefusalError(state.assumptions.scim_delete_refused)
        try:
            if behaviour == "deactivate":
                state.db.users.update(
                    record.id,
                    replace(record.values(), active=False),
                    now=state.now_iso(),
                    scim=True,
                    allow_duplicates=True,
                    expected_version=version_number(expected_version),
                )
            else:
                state.db.users.delete(record.id, expected_version=version_number(expected_version))
        except VersionMismatch as exc:
            raise PreconditionFailedException(detail="The user changed meanwhile") from exc
