"""The protocol (@scim) scenarios' side: every answer the probe got, and the request bodies Entra sends.

The probe itself (scim_harness.drivers.protocol_probe) sends one request at a time; this module keeps what the
scenario needs beyond one request: all its answers (for "every answer in this scenario" and for a failed
check's message) and Entra's documented PATCH forms.
"""

from __future__ import annotations

from typing import Any

from scim_harness.common.scim_wire import PATCH_SCHEMA, SCIM_MEDIA_TYPE, USER_SCHEMA
from scim_harness.drivers.protocol_probe import Answer
from scim_harness.steps.support.notes import ReportNotes

MALFORMED_FILTER = "filter=userName+eq"
"""A filter with no value: RFC 7644 §3.4.2.2 grammar broken, answered with 400 invalidFilter (§3.12)."""
MALFORMED_DOCUMENT = '{"schemas": ["' + USER_SCHEMA + '"], "userName": '
"""A create whose JSON stops half-way."""


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


def lists_any(answer: Answer) -> bool:
    """A successful list with at least one resource in it."""
    return answer.status == 200 and bool(answer.resources)


def exact_matches(answer: Answer, login_name: str) -> list[dict[str, Any]]:
    """The users of a userName look-up whose userName is this one, whatever its case."""
    return [r for r in answer.resources if str(r.get("userName", "")).lower() == login_name.lower()]


def pathless_replace(path: str, value: Any) -> dict[str, Any]:
    """Entra's capitalised Replace with no path and a dotted key in the value (D-COMPAT, legacy form)."""
    return {"schemas": [PATCH_SCHEMA], "Operations": [{"op": "Replace", "value": {path: value}}]}


def path_replace(path: str, value: Any) -> dict[str, Any]:
    """Entra's capitalised Replace with a path (a value filter such as `emails[type eq "work"].value` too)."""
    return {"schemas": [PATCH_SCHEMA], "Operations": [{"op": "Replace", "path": path, "value": value}]}
