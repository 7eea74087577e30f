"""The scenario's people by alias ("alice"), with login names unique to this run.

Every login name carries a short random suffix so that scenarios never collide: on a shared staging tenant,
between pytest-xdist workers, or between the two dialect passes. The roster is plain data shared by both
sides: the Entra ID side names its users with it, the Kintone side looks them up and removes them with it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

LOGIN_DOMAIN = "scim-harness.test"
MAIL_DOMAIN = "example.org"


@dataclass
class Person:
    """A user the scenario names by alias; the real login name is unique to this scenario run."""

    alias: str
    source_id: str
    """The user's object id in the simulated Entra ID tenant."""
    login_name: str
    old_login_names: list[str] = field(default_factory=list)
    kintone_id: str | None = None
    """The target's id of the user, once a step has seen it there ("the same Kintone user as before")."""


class People:
    def __init__(self) -> None:
        self.suffix = uuid.uuid4().hex[:8]
        self._people: dict[str, Person] = {}

    def __repr__(self) -> str:
        return f"People({list(self._people)})"

    def __getitem__(self, alias: str) -> Person:
        try:
            return self._people[alias]
        except KeyError:
            raise ValueError(f"the scenario has no user {alias!r} yet") from None

    def __iter__(self) -> Iterator[Person]:
        return iter(list(self._people.values()))

    def add(self, person: Person) -> Person:
        self._people[person.alias] = person
        return person

    def login_name(self, alias: str, *, renamed: bool = False) -> str:
        return f"{alias}{'.renamed' if renamed else ''}.{self.suffix}@{LOGIN_DOMAIN}"

    def mail(self, alias: str) -> str:
        return f"{alias}.{self.suffix}@{MAIL_DOMAIN}"

    def login_names(self) -> list[str]:
        """Every login name the scenario used, old ones included: what clean-up must remove."""
        return sorted({name for p in self for name in (p.login_name, *p.old_login_names)})


def unused_login_name() -> str:
    """A login name nobody has, in the suite's own domain."""
    return f"nobody.{uuid.uuid4().hex}@{LOGIN_DOMAIN}"


def unused_id() -> str:
    """An id no target ever gave (and a token no target ever issued)."""
    return str(uuid.uuid4())
