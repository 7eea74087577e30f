"""Entra's connections as a Locust user: each takes the next (cycle, user) and sends Entra's calls.

Imports Locust (and so gevent's monkey-patching) first; only the load engine imports this module.
"""

from __future__ import annotations

import locust  # noqa: F401  -- first: Locust's gevent monkey-patching must precede every other import

# isort: split
import json
from dataclasses import dataclass, field
from typing import Any

import gevent
import gevent.event
from locust import FastHttpUser, constant, task

from scim_harness.common.scim_wire import ENTRA_CONTENT_TYPE
from scim_harness.compare.reach import split
from scim_harness.load.flow import Answer, Call, EntraFlow, Source
from scim_harness.load.plan import LoadPlan, Slice
from scim_harness.load.work import WAIT, Pacer, Progress, Work
from scim_harness.simulator.answers import parse_retry_after

RETRY_AFTER_ATTEMPTS = 3  # as the simulator's `retry_after_attempts` default [U]
MAX_RETRY_AFTER = 3600.0  # as the simulator's `max_retry_after_seconds` default [U]


@dataclass
class Runtime:
    """This process's part of the run (Locust user classes are classes, so it lives at module level)."""

    ready: gevent.event.Event = field(default_factory=gevent.event.Event)
    work: Work | None = None
    flow: EntraFlow | None = None
    pacer: Pacer = field(default_factory=lambda: Pacer(None))
    base: str = ""
    extra_query: str = ""
    authorization: str = field(default="", repr=False)

    def prepare(self, plan: LoadPlan, part: Slice, token: str) -> Source:
        source = Source(plan, part)
        base, self.extra_query = split(plan.target)
        self.base = base
        self.authorization = f"Bearer {token}"
        self.pacer = Pacer(plan.rate / part.count if plan.rate else None)
        self.work = Work(source, plan.cycles, probes=part.index == 0)
        self.flow = EntraFlow(source)
        EntraProvisioning.network_timeout = EntraProvisioning.connection_timeout = plan.timeout
        self.ready.set()
        return source

    @property
    def progress(self) -> Progress:
        return self.work.progress if self.work is not None else Progress()


RUNTIME = Runtime()


class EntraProvisioning(FastHttpUser):
    """One of Entra's parallel connections, taking the next (cycle, user) of this process's work."""

    wait_time = constant(0)  # pacing is the Pacer's, not Locust's
    network_timeout = 60.0
    connection_timeout = 60.0
    insecure = False  # Entra verifies the target's certificate

    @task
    def provision(self) -> None:
        runtime = RUNTIME
        if not runtime.ready.wait(timeout=1.0) or runtime.work is None or runtime.flow is None:
            return
        item = runtime.work.next()
        if item == WAIT:
            gevent.sleep(0.01)
            return
        if isinstance(item, str):  # DONE: idle until the run is stopped
            gevent.sleep(0.5)
            return
        outcome = None
        try:
            if item.probe:
                self.send(EntraFlow.probe())
            if item.user_id:
                outcome = runtime.flow.run(item.user_id, item.cycle, self.send)
        finally:
            runtime.work.done(item, outcome)

    def send(self, call: Call) -> Answer:
        """Entra's bytes over Locust's client; a 429 suspends this process's requests for Retry-After."""
        runtime = RUNTIME
        progress = runtime.progress
        headers = {"Authorization": runtime.authorization}
        data = None
        if call.body is not None:
            data = json.dumps(call.body, ensure_ascii=False).encode()
            headers["Content-Type"] = ENTRA_CONTENT_TYPE
        path = call.path
        if runtime.extra_query:
            path += ("&" if "?" in path else "?") + runtime.extra_query
        retried = False
        for attempt in range(RETRY_AFTER_ATTEMPTS + 1):
            runtime.pacer.wait()
            with self.client.request(
                call.method,
                runtime.base + path,
                name=call.kind,
                data=data,
                headers=headers,
                catch_response=True,
                allow_redirects=False,
            ) as response:
                status = response.status_code
                if not status:
                    response.failure(f"no answer: {type(getattr(response, 'error', None)).__name__}")
                    return Answer(None)
                body = _json(response.text)
                if status == 429:
                    progress.throttled += 1
                    response.failure("HTTP 429 Too Many Requests")
                    wait = parse_retry_after(response.headers.get("Retry-After"))
                    if wait is None:
                        progress.throttled_without_retry_after += 1
                        return Answer(status, body)
                    progress.max_retry_after = max(progress.max_retry_after, wait)
                    if attempt == RETRY_AFTER_ATTEMPTS or wait > MAX_RETRY_AFTER:
                        return Answer(status, body)
                    runtime.pacer.suspend(wait)
                    retried = True
                    continue
                if retried:
                    progress.retried_after_wait += 1
                    progress.retried_after_wait_accepted += 200 <= status < 300
                if 200 <= status < 300:
                    response.success()
                else:
                    scim_type = body.get("scimType") if isinstance(body, dict) else None
                    response.failure(
                        f"HTTP {status}" + (f" {scim_type}" if isinstance(scim_type, str) else "")
                    )
                return Answer(status, body)
        return Answer(None)


def _json(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


# ---- runs ------------------------------------------------------------------------------------------------
