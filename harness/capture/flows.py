"""Redacted copies of mitmproxy flows: what the HAR export, the `.flow` file and the exchanges are made from.

A copy is redacted once, when the flow finishes, and everything stored or written afterwards reads that copy,
so no later reader can see the live flow's secrets.
"""

from __future__ import annotations

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


def redacted_flow(flow: http.HTTPFlow, redactor: Redactor) -> http.HTTPFlow:
    """A redacted copy; the live flow, still being served, is left as is."""
    copy = flow.copy()
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
