"""scim2-server's storage interface over SQLite, with Kintone's rules on writes.

scim2-server has already parsed and validated the request, applied PATCH and checked the filter syntax; this
module decides what Kintone would keep, refuse or hide.
"""

from __future__ import annotations

from typing import Any

from scim2_models import (
    NotFoundException,
    Resource,
    ResourceType,
    ResponseParameters,
    ScimFilter,
    SearchRequest,
    UniquenessException,
)
from scim2_models.path import CompareOperator, Comparison, LogicalExpr, LogicalOperator
from scim2_server.storage import AsyncScimStorage, SearchPage

from scim_harness.emulator.errors import ScimRefusalError
from scim_harness.emulator.kintone_user import check_limits, user_of, values_of
from scim_harness.emulator.scim_model import User
from scim_harness.emulator.state import EmulatorState
from scim_harness.emulator.store import Database, DuplicateLoginName, UserRecord

# Filter comparisons answered from an index instead of a scan: attribute -> SQL condition.
_INDEXED = {
    "username": "lower(user_name) = lower(?)",
    "externalid": "external_id = ?",
    "id": "id = ?",
}


def _indexed_condition(node: Any) -> tuple[str, str, Any] | None:
    """The first `attr eq "value"` on an indexed column, at the top or in a top-level `and`."""
    terms = node.terms if isinstance(node, LogicalExpr) and node.op == LogicalOperator.and_ else (node,)
    for term in terms:
        if (
            isinstance(term, Comparison)
            and term.op == CompareOperator.eq
            and isinstance(term.value, str)
            and term.attr_path.sub_attr is None
            and term.attr_path.attr.lower() in _INDEXED
        ):
            return term.attr_path.attr.lower(), _INDEXED[term.attr_path.attr.lower()], term.value
    return None


class KintoneStorage(AsyncScimStorage):
    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    @property
    def db(self) -> Database:
        # Read through the state on every call: EmulatorState owns the one connection.
        return self.state.db

    def _visible(self, record: UserRecord | None) -> UserRecord | None:
        if record is None:
            return None
        if self.state.rules.hide_admin_created_users and record.origin == "admin" and not record.scim_linked:
            return None
        return record

    def visible_user(self, resource_id: str | None) -> UserRecord | None:
        """The user `GET /Users/{resource_id}` shows, if any."""
        if resource_id is None or not resource_id.isdigit():
            return None
        return self._visible(self.db.get_user(int(resource_id)))

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

    def _base_conditions(self) -> list[str]:
        rules = self.state.rules
        conditions = []
        if rules.hide_inactive_users:
            conditions.append("active = 1")
        if rules.hide_admin_created_users:
            conditions.append("NOT (origin = 'admin' AND scim_linked = 0)")
        return conditions

    def _add_indexed(
        self, conditions: list[str], params: list[Any], attribute: str, condition: str, value: str
    ) -> None:
        if attribute == "id" and not value.isdigit():
            conditions.append("0")
            return
        conditions.append(condition)
        params.append(value)
        if attribute == "username" and self.state.rules.case_sensitive_filter:
            conditions.append("user_name = ?")
            params.append(value)

    def users_with_login(self, login: str) -> list[UserRecord]:
        """What `filter=userName eq "login"` finds, before paging: the SQL the search runs for that filter.
        Any row it returns also passes the filter's case-blind match, as SQLite's lower() folds ASCII only."""
        conditions = self._base_conditions()
        params: list[Any] = []
        self._add_indexed(conditions, params, "username", _INDEXED["username"], login)
        return self.db.select_users(" AND ".join(conditions), tuple(params))

    async def search(
        self,
        resource_types: list[ResourceType],
        search_request: SearchRequest[Any],
        *,
        position: Any = None,
    ) -> SearchPage:
        conditions = self._base_conditions()
        params: list[Any] = []
        start = search_request.start_index_0 or 0
        count = search_request.count
        scim_filter = search_request.filter
        if scim_filter is None:
            where = " AND ".join(conditions)
            total = self.db.count_users(where, tuple(params))
            records = [] if count == 0 else self.db.page_users(where, tuple(params), start, count)
            return SearchPage(total, [user_of(r) for r in records])

        bound = ScimFilter[User](str(scim_filter))
        indexed = _indexed_condition(bound.ast)
        if indexed is not None:
            self._add_indexed(conditions, params, *indexed)
        candidates = self.db.select_users(" AND ".join(conditions), tuple(params))
        found = [user for user in map(user_of, candidates) if bound.match(user)]
        if not found and self.state.rules.not_found_on_empty_filter:
            raise NotFoundException(detail="No user matches the filter")
        stop = None if count is None else start + count
        return SearchPage(len(found), found[start:stop])

    # -- writes --------------------------------------------------------------

    async def create(self, resource_type: ResourceType, resource: Resource[Any]) -> Resource[Any]:
        state = self.state
        values = values_of(resource)  # type: ignore[arg-type]
        if not state.rules.ignore_field_limits:
            check_limits(values, state.assumptions)
        if not state.rules.recreate_deleted_users and state.db.is_tombstoned(values["user_name"]):
            raise ScimRefusalError(state.assumptions.deleted_user_create)
        try:
            record = state.db.insert_user(
                values,
                origin="scim",
                now=state.now_iso(),
                allow_duplicates=state.rules.allow_duplicate_login_names,
            )
        except DuplicateLoginName as exc:
            raise UniquenessException(detail="A user with this login name (userName) already exists") from exc
        return user_of(record)

    async def update(
        self,
        resource_type: ResourceType,
        resource: Resource[Any],
        *,
        expected_version: str | None = None,
    ) -> Resource[Any]:
        state = self.state
        current = self._record(resource.id)
        values = values_of(resource)  # type: ignore[arg-type]
        new_login = values["user_name"]
        if new_login != current.user_name:
            same_but_case = new_login.lower() == current.user_name.lower()
            if same_but_case and not state.assumptions.login_name_case_change_is_change:
                values["user_name"] = current.user_name
            elif not state.rules.allow_login_name_change:
                raise ScimRefusalError(state.assumptions.login_name_change)
        if not state.rules.ignore_field_limits:
            check_limits(values, state.assumptions)
        try:
            record = state.db.update_user(
                current.id,
                values,
                now=state.now_iso(),
                scim=True,
                allow_duplicates=state.rules.allow_duplicate_login_names,
            )
        except DuplicateLoginName as exc:
            raise UniquenessException(detail="A user with this login name (userName) already exists") from exc
        if record is None:
            raise NotFoundException(detail=f"User {resource.id!r} not found")
        return user_of(record)

    async def delete(
        self,
        resource_type: ResourceType,
        resource_id: str,
        *,
        expected_version: str | None = None,
    ) -> None:
        state = self.state
        record = self._record(resource_id)
        behaviour = state.assumptions.scim_delete
        if behaviour == "refuse":
            raise ScimRefusalError(state.assumptions.scim_delete_refused)
        if behaviour == "deactivate":
            state.db.update_user(record.id, {"active": False}, now=state.now_iso(), scim=True)
            return
        state.db.delete_user(record.id)
