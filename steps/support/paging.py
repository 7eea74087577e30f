"""Paging through every user with startIndex and count, as Entra's Account Discovery does (D-DISCOVER).

Account Discovery "pages through all users" (RFC 7644 §3.4.2.4); the page size it asks for is unpublished, so
the walk asks for small pages (two users) while the service holds few, larger ones (a hundred) when it holds
many, and stops at `MAX_USERS`: past that the scenario is not applicable (a vendor's shared tenant with
more users than a test should page through). What a page gets wrong is collected in words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scim_harness.common.scim_wire import list_resources
from scim_harness.drivers.protocol_probe import ProtocolProbe

SMALL_PAGE = 2
LARGE_PAGE = 100
SMALL_SERVICE = 50
"""Up to this many users, every page is small: more pages, so more chances to see a page go wrong."""
MAX_USERS = 20_000


@dataclass
class Walk:
    """What paging through every user saw."""

    ids: list[str] = field(default_factory=list)
    login_names: list[str] = field(default_factory=list)
    pages: int = 0
    total: int | None = None
    problems: list[str] = field(default_factory=list)
    too_many: bool = False

    def __repr__(self) -> str:
        # Short: allure-pytest-bdd records step arguments with repr(), and a walk can list thousands of users.
        return f"Walk({len(self.ids)} users on {self.pages} pages, totalResults {self.total})"


def walk_users(probe: ProtocolProbe) -> Walk:
    """Page from startIndex 1 until the pages have covered totalResults (or a page comes back empty)."""
    walk = Walk()
    start, count = 1, SMALL_PAGE
    while walk.pages < MAX_USERS // SMALL_PAGE:
        answer = probe.list_users(start, count)
        walk.pages += 1
        resources = list_resources(answer.body) if answer.status == 200 else None
        if resources is None:
            walk.problems.append(f"the {answer.summary()} is not a ListResponse")
            return walk
        body = answer.body
        total = body.get("totalResults")
        if not isinstance(total, int) or isinstance(total, bool):
            walk.problems.append(f"the page from {start} has no totalResults")
            return walk
        if total > MAX_USERS:
            walk.too_many, walk.total = True, total
            return walk
        walk.total = total
        _check_page(walk, body, resources, start, count)
        if not resources:
            break
        start += len(resources)
        if start > total:
            break
        count = SMALL_PAGE if total <= SMALL_SERVICE else LARGE_PAGE
    return walk


def _check_page(walk: Walk, body: dict, resources: list[dict], start: int, count: int) -> None:
    """RFC 7644 §3.4.2: at most `count` resources; a partial page says itemsPerPage and startIndex."""
    where = f"the page from {start} ({count} asked)"
    if len(resources) > count:
        walk.problems.append(f"{where} holds {len(resources)} users: count was not honoured")
    partial = isinstance(walk.total, int) and walk.total > len(resources)
    if partial and body.get("itemsPerPage") != len(resources):
        walk.problems.append(
            f"{where} says itemsPerPage {body.get('itemsPerPage')!r} for {len(resources)} users"
        )
    if partial and body.get("startIndex") != start:
        walk.problems.append(f"{where} says startIndex {body.get('startIndex')!r}")
    for resource in resources:
        user_id = str(resource.get("id"))
        if user_id in walk.ids:
            walk.problems.append(f"user id {user_id} is listed again on {where}: startIndex was not honoured")
        walk.ids.append(user_id)
        walk.login_names.append(str(resource.get("userName", "")).lower())


def missing(walk: Walk, login_names: list[str]) -> list[str]:
    """The login names no page listed."""
    return [name for name in login_names if name.lower() not in walk.login_names]
