"""The Entra ID side's directory: the simulated tenant on its virtual clock, its users and groups by alias.

What an administrator does in Entra ID to users and groups (add, assign, change, block, delete, restore),
in the words of the scenarios; the provisioning job (provisioning.py) reads the same tenant and clock.
"""

from __future__ import annotations

from typing import Any

from scim_harness.simulator.clock import VirtualClock
from scim_harness.simulator.tenant import Tenant
from scim_harness.steps.support.people import People, Person


class Directory:
    def __init__(self, people: People) -> None:
        self.people = people
        self.clock = VirtualClock()
        self.tenant = Tenant(self.clock)
        self._groups: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"Directory(users={[p.alias for p in self.people]}, groups={list(self._groups)})"

    # ---- users ------------------------------------------------------------------------------------------

    def add_user(
        self,
        alias: str,
        display_name: str,
        *,
        email: bool = True,
        renamed: bool = False,
        names: tuple[str, str] | None = None,
    ) -> Person:
        """A user in Entra ID; given name and surname come from the display name unless `names` gives them."""
        login = self.people.login_name(alias, renamed=renamed)
        given, _, surname = display_name.partition(" ")
        if names:
            given, surname = names
        user = self.tenant.add_user(
            userPrincipalName=login,
            displayName=display_name,
            givenName=given or None,
            surname=surname or None,
            mail=self.people.mail(alias) if email else None,
            mailNickname=login.partition("@")[0],
            accountEnabled=True,
        )
        return self.people.add(Person(alias, user.id, login))

    def attribute(self, alias: str, graph_name: str) -> Any:
        """The user's attribute in Entra ID, by Graph's name."""
        return self.tenant.users[self.people[alias].source_id].attributes.get(graph_name)

    def update(self, alias: str, **attributes: Any) -> None:
        self.tenant.update_user(self.people[alias].source_id, **attributes)

    def assign(self, alias: str) -> None:
        self.tenant.assign_user(self.people[alias].source_id)

    def unassign(self, alias: str) -> None:
        self.tenant.unassign_user(self.people[alias].source_id)

    def block_sign_in(self, alias: str) -> None:
        self.tenant.block_sign_in(self.people[alias].source_id)

    def unblock_sign_in(self, alias: str) -> None:
        self.tenant.unblock_sign_in(self.people[alias].source_id)

    def delete(self, alias: str) -> None:
        """Deleted in Entra ID: in the recycle bin for 30 days (a soft delete)."""
        self.tenant.soft_delete(self.people[alias].source_id)

    def restore(self, alias: str) -> None:
        self.tenant.restore(self.people[alias].source_id)

    def purge(self, alias: str) -> None:
        """Deleted for good: purged from the recycle bin by hand (Entra ID then sends DELETE, D-HOW)."""
        self.tenant.hard_delete(self.people[alias].source_id)

    def recreate(self, alias: str) -> Person:
        """The user deleted for good and created again with the same login name: a new object in Entra ID,
        so a new user for provisioning (the help article's and the Setting Guide's "recreate the user")."""
        old = self.people[alias]
        display_name = self.attribute(alias, "displayName") or alias
        self.tenant.hard_delete(old.source_id)
        new = self.add_user(alias, display_name)
        new.old_login_names = list(old.old_login_names)
        new.kintone_id = old.kintone_id  # the Kintone user it was, for "a new Kintone user"
        self.tenant.assign_user(new.source_id)
        return new

    def change_login_name(self, alias: str) -> Person:
        person = self.people[alias]
        person.old_login_names.append(person.login_name)
        person.login_name = self.people.login_name(alias, renamed=True)
        self.tenant.update_user(person.source_id, userPrincipalName=person.login_name)
        return person

    def recreate_with_new_login_name(self, alias: str) -> Person:
        """Entra ID's half of the documented rename: delete the user for good, create it with the new name."""
        old = self.people[alias]
        display_name = self.attribute(alias, "displayName") or alias
        self.tenant.hard_delete(old.source_id)
        new = self.add_user(alias, display_name, renamed=True)
        new.old_login_names = [*old.old_login_names, old.login_name]
        self.tenant.assign_user(new.source_id)
        return new

    # ---- groups -----------------------------------------------------------------------------------------

    def add_group(self, name: str, member_aliases: list[str]) -> str:
        members = [self.people[a].source_id for a in member_aliases]
        group = self.tenant.add_group(f"{name} {self.people.suffix}", members=members)
        self._groups[name] = group.id
        return group.id

    def assign_group(self, name: str) -> None:
        self.tenant.assign_group(self._group_id(name))

    def unassign_group(self, name: str) -> None:
        self.tenant.unassign_group(self._group_id(name))

    def add_member(self, name: str, alias: str) -> None:
        self.tenant.add_group_member(self._group_id(name), self.people[alias].source_id)

    def remove_member(self, name: str, alias: str) -> None:
        self.tenant.remove_group_member(self._group_id(name), self.people[alias].source_id)

    def rename_group(self, name: str, new_name: str) -> None:
        """A new display name (unique to this run, like every group name): `group_name` gives it."""
        self.tenant.rename_group(self._group_id(name), f"{new_name} {self.people.suffix}")

    def group_id(self, name: str) -> str:
        """The group's object id in Entra ID."""
        return self._group_id(name)

    def group_name(self, name: str) -> str:
        """The group's display name in Entra ID (unique to this run, like login names)."""
        return self.tenant.groups[self._group_id(name)].display_name

    def _group_id(self, name: str) -> str:
        try:
            return self._groups[name]
        except KeyError:
            raise ValueError(f"the scenario has no group {name!r} yet") from None
