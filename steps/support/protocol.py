"""The protocol (@scim) scenarios' side: every answer the probe got, and the request bodies Entra sends.

The probe itself (scim_harness.drivers.protocol_probe) sends one request at a time; this module keeps what the
scenario needs beyond one request: all its answers (for "every answer in this scenario" and for a failed
check's message) and Entra's documented PATCH forms.
"""

from __future__ import annotations

from typing import Any

from scim_harness.common.scim_wire import (
    ERROR_SCHEMA,
    PATCH_SCHEMA,
    SCIM_MEDIA_TYPE,
    USER_SCHEMA,
    list_resources,
)
from scim_harness.drivers.protocol_probe import Answer
from scim_harness.steps.support.notes import ReportNotes

MALFORMED_FILTER = "filter=userName+eq"
"""A filter with no value: RFC 7644 §3.4.2.2 grammar broken, answered with 400 invalidFilter (§3.12)."""
MALFORMED_DOCUMENT = '{"schemas": ["' + USER_SCHEMA + '"], "userName": '
"""A create whose JSON stops half-way."""
MALFORMED_PATCH: dict[str, Any] = {
    "schemas": [PATCH_SCHEMA],
    "Operations": {"op": "Replace", "path": "displayName", "value": "Nobody"},
}
"""A PatchOp whose Operations is an object, not a list: RFC 7644 §3.5.2 invalidSyntax."""
UNKNOWN_ATTRIBUTE: dict[str, Any] = {"favouriteColour": "blue"}
"""An attribute no SCIM schema defines (and no extension URN): a body that does not fit the schema, 400."""


class AnswerLog:
    """Every protocol answer of the scenario, in order; each one is also a note in the report."""

    def __init__(self, notes: ReportNotes) -> None:
        self._notes = notes
        self.answers: list[Answer] = []

    def __repr__(self) -> str:
        return f"AnswerLog({len(self.answers)} answers)"

    def record(self, answer: Answer) -> None:
        self.answers.append(answer)
        self._notes.note(answer.what, answer.summary())

    def not_scim_json(self) -> list[str]:
        """The answers not sent as application/scim+json (RFC 7644 §3.1)."""
        return [a.summary() for a in self.answers if not a.content_type.startswith(SCIM_MEDIA_TYPE)]

    def last_said(self) -> str:
        """For a failed check after a protocol request: what the service answered that request."""
        return f" (the service answered the {self.answers[-1].summary()})" if self.answers else ""


def group_listed(answer: Answer, *, groups_offered: bool) -> bool:
    """Whether a displayName look-up found a group. A 404 means "absent" only on a service without Groups
    (Kintone's answer to /Groups); on one that serves Groups a look-up must answer a ListResponse, and any
    other answer cannot tell, so it fails rather than passing as "absent"."""
    if answer.status == 200 and list_resources(answer.body) is not None:
        return bool(answer.resources)
    if answer.status == 404 and not groups_offered:
        return False
    raise AssertionError(f"cannot tell whether the group exists: {answer.summary()}")


def error_body_problems(answer: Answer, status: int) -> list[str]:
    """RFC 7644 §3.12, in words: this status, the Error schema, `status` as the same string."""
    problems = []
    if answer.status != status:
        problems.append(f"HTTP {answer.status}, not {status}")
    body = answer.body if isinstance(answer.body, dict) else None
    if body is None:
        return [*problems, "no SCIM Error document in the answer"]
    if ERROR_SCHEMA not in (body.get("schemas") or []):
        problems.append(f"the body does not carry the schema {ERROR_SCHEMA}")
    if body.get("status") != str(answer.status):
        problems.append(f"the body's status is {body.get('status')!r}, not the string {str(answer.status)!r}")
    return problems


def work_email(resource: dict[str, Any]) -> str | None:
    """The address of the `emails` element of type "work" (what `emails[type eq "work"].value` selects)."""
    emails = resource.get("emails") if isinstance(resource.get("emails"), list) else []
    work = [e for e in emails if isinstance(e, dict) and e.get("type") == "work"]
    return work[0].get("value") if work else None


def exact_matches(answer: Answer, login_name: str) -> list[dict[str, Any]]:
    """The users of a userName look-up whose userName is this one, whatever its case."""
    return [r for r in answer.resources if str(r.get("userName", "")).lower() == login_name.lower()]


def pathless_replace(path: str, value: Any) -> dict[str, Any]:
    """Entra's capitalised Replace with no path and a dotted key in the value (D-COMPAT, legacy form)."""
    return {"schemas": [PATCH_SCHEMA], "Operations": [{"op": "Replace", "value": {path: value}}]}


def path_replace(path: str, value: Any) -> dict[str, Any]:
    """Entra's capitalised Replace with a path (a value filter such as `emails[type eq "work"].value` too)."""
    return {"schemas": [PATCH_SCHEMA], "Operations": [{"op": "Replace", "path": path, "value": value}]}
