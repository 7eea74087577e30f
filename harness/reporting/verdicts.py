"""A verdict a vendor can act on: for a failed expectation, what Entra will do in production and the source.

A then-step carries its verdict next to it, as a decorator under pytest-bdd's own:

    @then("the create was answered 201 Created with the user's id")
    @verdict(
        entra="Entra cannot link the user: ...",
        source="RFC 7644 §3.3; D-SCIM",
    )
    def created(...): ...

When the step fails, the reporting plugin (`plugin.pytest_bdd_step_error`) hands the failure to `explain`:
the verdict is added to the failure's message (so Allure's message, JUnit's failure text, the terminal and
pytest-output.txt carry it), recorded as the test's `verdict` property (summary.md shows it under the failed
scenario) and attached to the failing step in Allure. Where the RFC allows the answer and only Entra needs
another one, `rfc` says so, so the vendor knows whose requirement it is. One rule, in one place: the step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import allure
import pytest

from scim_harness.reporting.properties import VERDICT

PROPERTY = VERDICT
"""The JUnit property (and user property) holding a failed scenario's verdict."""
_ATTRIBUTE = "__scim_harness_verdict__"
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Verdict:
    entra: str
    """What Entra's provisioning does in production when the expectation does not hold."""
    source: str
    """Where the expectation comes from: Microsoft pages (entra-provisioning.md keys: D-SCIM, Q-60S...) and/or
    RFC sections."""
    rfc: str = ""
    """Set where RFC 7643/7644 allows the answer and only Entra needs another one: says both."""

    def text(self) -> str:
        words = f"In production, Entra: {self.entra.rstrip('.')}. Source: {self.source}."
        if self.rfc:
            words += f" Entra's requirement, not the RFC's: {self.rfc.rstrip('.')}."
        return words


def verdict(entra: str, source: str, rfc: str = "") -> Callable[[F], F]:
    """Decorate a then-step with its verdict (under `@then(...)`, so pytest-bdd registers the marked one)."""
    marked = Verdict(entra, source, rfc)

    def mark(step_function: F) -> F:
        setattr(step_function, _ATTRIBUTE, marked)
        return step_function

    return mark


def verdict_of(step_function: Any) -> Verdict | None:
    found = getattr(step_function, _ATTRIBUTE, None)
    return found if isinstance(found, Verdict) else None


class Unmet(AssertionError):
    """A failed expectation that carries its own verdict, where the step's would not say what went wrong (a
    step that needs a group Entra never managed to create, say)."""

    def __init__(self, message: str, entra: str, source: str, rfc: str = "") -> None:
        super().__init__(message)
        self.verdict = Verdict(entra, source, rfc)


def _own_verdict(exception: BaseException) -> Verdict | None:
    """A failure that knows what Entra does with it: `Unmet`, or one with `entra` and `source` strings
    (drivers.scim_calls.CallTimedOut)."""
    own = getattr(exception, "verdict", None)
    if isinstance(own, Verdict):
        return own
    entra, source = getattr(exception, "entra", None), getattr(exception, "source", None)
    return Verdict(entra, source) if isinstance(entra, str) and isinstance(source, str) else None


def explain(item: pytest.Item, step_function: Any, exception: BaseException) -> Verdict | None:
    """Put the step's verdict (or the failure's own, for a call that timed out) into every report."""
    found = _own_verdict(exception) or verdict_of(step_function)
    if found is None:
        return None
    text = found.text()
    if not isinstance(exception, pytest.fail.Exception):
        message = str(exception.args[0]) if exception.args else ""
        if text not in message:
            exception.args = (f"{message}\n{text}" if message else text, *exception.args[1:])
    item.user_properties.append((PROPERTY, text))
    allure.attach(text, name="What Entra will do", attachment_type=allure.attachment_type.TEXT)
    return found
