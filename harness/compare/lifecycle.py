"""The lifecycle played on a generated tenant, so that `compare --users N` exercises more than creates.

Each event is one of Entra's documented triggers (entra-provisioning.md §4-§6) applied to one user, chosen by
position in the tenant (u1 is the first user): an update, the four deprovisioning events and their reversal,
a hard delete, and two changes Kintone treats specially (a login name change, K§3; a display name over the
User API's 128 characters, K§3). Users past u7 only get the initial cycle. The list is data for the
simulator's own timeline runner, in the tenant file's `timeline` shape (docs/simulator-source.md).
"""

from __future__ import annotations

from typing import Any

LONG_DISPLAY_NAME = "Display name longer than Kintone's limit " + "x" * 90  # 131 characters

# (role, at, action, extra parameters); `{upn}` is the user's UPN at the start.
_EVENTS: tuple[tuple[int, str, str, dict[str, Any]], ...] = (
    (1, "1h", "update", {"set": {"displayName": "{display} (changed)"}}),
    (2, "1h", "block", {}),
    (3, "1h", "soft_delete", {}),
    (4, "1h", "unassign", {}),
    (5, "1h", "update", {"set": {"userPrincipalName": "renamed.{upn}", "mail": "renamed.{upn}"}}),
    (6, "1h", "update", {"set": {"displayName": LONG_DISPLAY_NAME}}),
    (7, "1h", "update", {"set": {"userPrincipalName": "{upn_capitalised}"}}),
    (2, "2h", "unblock", {}),
    (3, "2h", "restore", {}),
    (4, "2h", "assign", {}),
    (1, "3h", "hard_delete", {}),
)


def lifecycle_timeline(users: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Timeline events for the first seven of `users` (Graph JSON user objects, in tenant order)."""
    events: list[dict[str, Any]] = []
    for position, at, action, params in _EVENTS:
        if position > len(users):
            continue
        user = users[position - 1]
        upn = str(user["userPrincipalName"])
        fields = {
            "upn": upn,
            "upn_capitalised": upn[:1].upper() + upn[1:],
            "display": str(user.get("displayName", "")),
        }
        event: dict[str, Any] = {"at": at, "action": action, "user": upn}
        for key, value in params.items():
            event[key] = _fill(value, fields)
        events.append(event)
    return events


def _fill(value: Any, fields: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, fields) for k, v in value.items()}
    if isinstance(value, str):
        return value.format(**fields)
    return value
