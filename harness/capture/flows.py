"""Redacted copies of mitmproxy flows: what the HAR export, the `.flow` file and the exchanges are made from.

A copy is redacted once, when the flow finishes, and everything stored or written afterwards reads that copy,
so no later reader can see the live flow's secrets.
"""

from __future__ import annotations

import copy as shallow
import uuid

from mitmproxy import http

from scim_harness.common.redact import REDACTED, SENSITIVE_HEADERS, Redactor

# Bodies beyond this are cut: SCIM payloads are small, and a runaway body must not fill memory or a report.
MAX_BODY_CHARS = 256 * 1024


def _redact_message(message: http.Message, redactor: Redactor) -> None:
    for name in {key.lower() for key in message.headers}:
        values = message.headers.get_all(name)
        clean = [REDACTED if name in SENSITIVE_HEADERS else redactor.text(value) for value in values]
        if clean != values:
            message.headers.set_all(name, clean)
    if message.raw_content:
        text = message.get_text(strict=False) or ""
        kept = text
        if len(text) > MAX_BODY_CHARS:
            kept = f"{text[:MAX_BODY_CHARS]}\n[... {len(text) - MAX_BODY_CHARS} more characters not captured]"
        redacted = redactor.body(kept)
        if redacted != text:
            message.text = redacted  # re-encoded with the message's charset and content-encoding


def _message_copy(message: http.Message) -> http.Message:
    # The message's data is copied field by field; every field is immutable (bytes, str, numbers) but the
    # headers and trailers, which get their own copies since redaction rewrites them.
    new = shallow.copy(message)
    new.data = shallow.copy(message.data)
    new.data.headers = http.Headers(message.data.headers.fields)
    if message.data.trailers is not None:
        new.data.trailers = http.Headers(message.data.trailers.fields)
    return new


def copy_flow(flow: http.HTTPFlow) -> http.HTTPFlow:
    """What `HTTPFlow.copy()` makes (a new id, not live; the same state otherwise), at a fraction of its cost.

    mitmproxy's copy serialises the whole flow to its state and back, connections and messages twice over:
    about 1 ms per flow, a fifth of the capture's cost in the suite (docs/performance.md, "The suite"). The
    connections are copied shallowly (their fields are replaced by mitmproxy, never changed in place), the
    messages as above. tests/capture/test_flows.py holds the copy to mitmproxy's state for state.
    """
    new = shallow.copy(flow)
    new.id = str(uuid.uuid4())
    new.live = False
    new.intercepted = False
    new._resume_event = None
    new._backup = None
    new.metadata = dict(flow.metadata)
    new.client_conn = shallow.copy(flow.client_conn)
    new.server_conn = shallow.copy(flow.server_conn)
    new.request = _message_copy(flow.request)
    new.response = _message_copy(flow.response) if flow.response is not None else None
    new.error = shallow.copy(flow.error) if flow.error is not None else None
    if flow.websocket is not None:
        new.websocket = flow.websocket.copy()
    return new


def redacted_flow(flow: http.HTTPFlow, redactor: Redactor) -> http.HTTPFlow:
    """A redacted copy; the live flow, still being served, is left as is."""
    copy = copy_flow(flow)
    copy.metadata = {key: value for key, value in copy.metadata.items() if key.startswith("scim_harness.")}
    copy.comment = ""
    copy.request.path = redactor.text(copy.request.path)
    _redact_message(copy.request, redactor)
    if copy.response is not None:
        copy.response.reason = redactor.text(copy.response.reason)
        _redact_message(copy.response, redactor)
    if copy.error is not None:
        copy.error.msg = redactor.text(copy.error.msg)
    return copy
