"""scim2-server's storage interface over the generic profile's SQLite resources: users and groups as the
validated JSON documents scim2-models made of them, with userName, displayName, externalId and id answered
from indexes and the rest of a filter evaluated by scim2-models (ScimFilter.match).

A plain, correct service (RFC 7643/7644): userName is unique without letter case (RFC 7643 §4.1.1), a
group's members must be stored users or groups, deleting a user takes it out of every group, and every
write honours the version the handler read (so two writers cannot lose each other's update).
"""

from __future__ import annotations

from typing import Any

from scim2_models import (
    InvalidValueException,
    Meta,
    NotFoundException,
    NotImplementedException,
    PreconditionFailedException,
    Resource,
    ResourceType,
    ResponseParameters,
    ScimFilter,
    SearchRequest,
    UniquenessException,
)
from scim2_server.storage import AsyncScimStorage, SearchPage

from scim_harness.emulator.filter_cost import EvaluationBudget, evaluate, indexed_term, start_of
from scim_harness.emulator.inputs import lone_surrogate
from scim_harness.emulator.meta import parse_iso, version_number, version_tag
from scim_harness.emulator.state import EmulatorState
from scim_harness.emulator.store import DuplicateName, ResourceQuery, ResourceRecord, VersionMismatch
from scim_harness.emulator.store.resources import ResourceTable

# Not kept: the document holds what a read returns, and a password is never returned (RFC 7643 §7 writeOnly).
_NOT_STORED = {"id", "meta", "members", "password"}
_INDEXED = {"User": {"username": "name"}, "Group": {"displayname": "name"}}


class GenericStorage(AsyncScimStorage):
    def __init__(self, state: EmulatorState, models: dict[str, type[Resource[Any]]]) -> None:
        self.state = state
        self.models = models

    def _table(self, resource_type: ResourceType) -> ResourceTable:
        db = self.state.db
        return db.scim_users if resource_type.id == "User" else db.groups

    def _resource(self, resource_type: ResourceType, record: ResourceRecord) -> Resource[Any]:
        data: dict[str, Any] = {**record.document, "id": record.id}
        if resource_type.id == "Group":
            data["members"] = list(record.members)
        resource = self.models[str(resource_type.id)].model_validate(data)
        resource.meta = Meta(
            resource_type=resource_type.name,
            created=parse_iso(record.created),
            last_modified=parse_iso(record.modified),
            version=version_tag(record.version),
        )
        return resource

    def _record(self, resource_type: ResourceType, resource_id: str | None) -> ResourceRecord:
        record = self._table(resource_type).get(resource_id) if resource_id else None
        if record is None:
            raise NotFoundException(detail=f"{resource_type.name} {resource_id!r} not found")
        return record

    # -- reads ---------------------------------------------------------------

    async def get(
        self,
        resource_type: ResourceType,
        resource_id: str,
        *,
        response_parameters: ResponseParameters[Any] | None = None,
    ) -> Resource[Any]:
        return self._resource(resource_type, self._record(resource_type, resource_id))

    async def search(
        self,
        resource_types: list[ResourceType],
        search_request: SearchRequest[Any],
        *,
        position: Any = None,
    ) -> SearchPage:
        if len(resource_types) != 1:
            raise NotImplementedException(detail="Searching several resource types at once is not supported")
        (resource_type,) = resource_types
        table = self._table(resource_type)
        start = start_of(search_request)
        count = search_request.count
        if search_request.filter is None:
            records = [] if count == 0 else table.find(ResourceQuery(), offset=start, limit=count)
            return SearchPage(
                table.count(ResourceQuery()), [self._resource(resource_type, r) for r in records]
            )
        model = self.models[str(resource_type.id)]
        bound = ScimFilter[model](str(search_request.filter))  # type: ignore[valid-type]
        query = ResourceQuery()
        columns = {**_INDEXED[str(resource_type.id)], "externalid": "external_id", "id": "resource_id"}
        indexed = indexed_term(bound.ast, columns)
        if indexed is not None and lone_surrogate(indexed[1]):
            return SearchPage(0, [])  # no stored text holds a lone surrogate
        if indexed is not None:
            query = ResourceQuery(**{columns[indexed[0]]: indexed[1]})

        def keep(record: ResourceRecord) -> Resource[Any] | None:
            resource = self._resource(resource_type, record)
            return resource if bound.match(resource) else None

        budget = EvaluationBudget(self.state.assumptions.filter_time_limit_seconds)
        total, page = await evaluate(table.scan(query), keep, budget, start, count)
        return SearchPage(total, page)

    # -- writes --------------------------------------------------------------

    def _columns(self, resource_type: ResourceType, resource: Resource[Any]) -> tuple[str, str | None, dict]:
        document = resource.model_dump(mode="json", exclude=_NOT_STORED)
        name = document.get("userName" if resource_type.id == "User" else "displayName")
        return str(name or ""), document.get("externalId"), document

    def _members(self, resource: Resource[Any]) -> list[dict[str, Any]]:
        """A group's members, each a stored user or group, with its $ref relative to the SCIM root."""
        members = []
        for member in getattr(resource, "members", None) or []:
            value = str(member.value or "")
            if self.state.db.scim_users.get(value) is not None:
                kind, endpoint = "User", "Users"
            elif self.state.db.groups.get(value) is not None:
                kind, endpoint = "Group", "Groups"
            else:
                raise InvalidValueException(detail=f"members: no user or group has the id {value!r}")
            entry = member.model_dump(mode="json", exclude_none=True)
            members.append({**entry, "value": value, "$ref": f"{endpoint}/{value}", "type": kind})
        return members

    def _allow_duplicates(self) -> bool:
        return self.state.defects.on("duplicate_username_created")

    async def create(self, resource_type: ResourceType, resource: Resource[Any]) -> Resource[Any]:
        name, external_id, document = self._columns(resource_type, resource)
        members = self._members(resource) if resource_type.id == "Group" else []
        try:
            record = self._table(resource_type).insert(
                name,
                external_id,
                document,
                now=self.state.now_iso(),
                members=members,
                allow_duplicates=self._allow_duplicates(),
            )
        except DuplicateName as exc:
            raise UniquenessException(detail=f"A user with the userName {name!r} already exists") from exc
        return self._resource(resource_type, record)

    async def update(
        self,
        resource_type: ResourceType,
        resource: Resource[Any],
        *,
        expected_version: str | None = None,
    ) -> Resource[Any]:
        self._record(resource_type, resource.id)
        name, external_id, document = self._columns(resource_type, resource)
        members = self._members(resource) if resource_type.id == "Group" else None
        try:
            record = self._table(resource_type).update(
                str(resource.id),
                name,
                external_id,
                document,
                now=self.state.now_iso(),
                members=members,
                expected_version=version_number(expected_version),
                allow_duplicates=self._allow_duplicates(),
            )
        except DuplicateName as exc:
            raise UniquenessException(detail=f"A user with the userName {name!r} already exists") from exc
        except VersionMismatch as exc:
            raise PreconditionFailedException(detail=f"The {resource_type.name} changed meanwhile") from exc
        if record is None:
            raise NotFoundException(detail=f"{resource_type.name} {resource.id!r} not found")
        return self._resource(resource_type, record)

    async def delete(
        self,
        resource_type: ResourceType,
        resource_id: str,
        *,
        expected_version: str | None = None,
    ) -> None:
        try:
            deleted = self._table(resource_type).delete(
                resource_id, expected_version=version_number(expected_version)
            )
        except VersionMismatch as exc:
            raise PreconditionFailedException(detail=f"The {resource_type.name} changed meanwhile") from exc
        if not deleted:
            raise NotFoundException(detail=f"{resource_type.name} {resource_id!r} not found")
