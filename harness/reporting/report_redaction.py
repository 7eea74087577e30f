"""Redaction of pytest's test reports, before the terminal, JUnit XML and Allure read them.

Tracebacks show step arguments and local values: a fixture holding a token (a context dict) would leak there.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from scim_harness.common.redact import Redactor


def redact_report(report: pytest.TestReport, redactor: Redactor) -> None:
    """Redacts the report in place: failure representation, skip reason, captured sections."""
    if isinstance(report.longrepr, tuple):  # a skip: (path, line, reason)
        path, line, reason = report.longrepr
        report.longrepr = (path, line, redactor.text(reason))
    elif isinstance(report.longrepr, str):
        report.longrepr = redactor.text(report.longrepr)
    elif report.longrepr is not None:
        # Redacted in place, so pytest keeps its structure (crash line for JUnit's message, xdist transport).
        _redact_repr(report.longrepr, redactor)
    report.sections = [(title, redactor.text(content)) for title, content in report.sections]


def _redact_repr(value: Any, redactor: Redactor) -> Any:
    """Redacts every string inside pytest's failure representation (dataclasses, lists, tuples)."""
    if isinstance(value, str):
        return redactor.text(value)
    if isinstance(value, list):
        value[:] = [_redact_repr(item, redactor) for item in value]
        return value
    if isinstance(value, tuple):
        return tuple(_redact_repr(item, redactor) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field_ in dataclasses.fields(value):
            object.__setattr__(value, field_.name, _redact_repr(getattr(value, field_.name), redactor))
    return value
