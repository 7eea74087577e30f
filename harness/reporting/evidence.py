"""A scenario's evidence, found through the suite's fixtures: its HTTP exchanges and its provisioning logs.

- the capture: the one scim_harness.capture.CaptureProxy running in the process, whichever fixture started
  it (one HAR page per scenario, its exchanges attached);
- by fixture name, used only if the scenario set it up (never started here):
- `provisioning_job` (function, anything with `.logs.to_json()` and optionally `.logs.as_table()`).
"""

from __future__ import annotations

from typing import Any

import allure
import pytest

from scim_harness.capture.exchange import Exchange
from scim_harness.capture.proxy import CaptureProxy
from scim_harness.common.redact import Redactor
from scim_harness.reporting.attachments import (
    exchange_overview,
    format_exchanges,
    plain_text,
    provisioning_logs_json,
)

JOB_FIXTURE = "provisioning_job"


def fixture_if_used(request: pytest.FixtureRequest, name: str) -> Any | None:
    """The fixture's value if this scenario set it up (statically or from a step); never starts it anew."""
    if name not in request.fixturenames:
        return None
    try:
        return request.getfixturevalue(name)
    except (Exception, pytest.skip.Exception):
        return None


def capture_proxy() -> CaptureProxy | None:
    """The capture proxy running in this process (one per process; the suite may start it in any fixture,
    as late as a scenario's first step)."""
    return CaptureProxy.running()


def attach_exchanges(exchanges: list[Exchange], redactor: Redactor, title: str = "HTTP exchanges") -> None:
    """One attachment: an overview line per exchange, then each in full (to the running step, if any)."""
    if exchanges:
        text = exchange_overview(exchanges) + "\n\n" + "=" * 100 + "\n\n" + format_exchanges(exchanges)
        allure.attach(
            redactor.text(text),
            name=f"{title} ({len(exchanges)})",
            attachment_type=allure.attachment_type.TEXT,
        )


def attach_provisioning_logs(request: pytest.FixtureRequest, redactor: Redactor) -> None:
    job = fixture_if_used(request, JOB_FIXTURE)
    logs = getattr(job, "logs", None) if job is not None else None
    if logs is None:
        return
    allure.attach(
        provisioning_logs_json(logs, redactor),
        name="Provisioning logs",
        attachment_type=allure.attachment_type.JSON,
    )
    as_table = getattr(logs, "as_table", None)
    if callable(as_table):
        allure.attach(
            redactor.text(plain_text(as_table())),
            name="Provisioning logs (table)",
            attachment_type=allure.attachment_type.TEXT,
        )
