"""The items of the help article ("Items propagated from IdP"), as Entra ID and Kintone name them."""

from __future__ import annotations

from typing import NamedTuple


class Item(NamedTuple):
    graph_attribute: str
    """The user's attribute in Entra ID (Microsoft Graph's name, as the tenant keeps it)."""
    target_field: str
    """The field of scim_harness.drivers.TargetUser that holds it in Kintone."""


ITEMS: dict[str, Item] = {
    "display name": Item("displayName", "display_name"),
    "surname": Item("surname", "family_name"),
    "given name": Item("givenName", "given_name"),
    "email address": Item("mail", "email"),
}


def item(name: str) -> Item:
    """The item a step names ("display name"); an unknown name is a clear error in the scenario's text."""
    try:
        return ITEMS[name]
    except KeyError:
        raise ValueError(f"unknown item {name!r}: use one of {', '.join(ITEMS)}") from None
