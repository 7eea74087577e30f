"""Redacted copies of mitmproxy flows, for a `.flow` file that `mitmproxy -r` or `mitmweb -r` can open."""

from __future__ import annotations

from mitmproxy import http

from scim_harness.common.redact import REDACTED, SENSITIVE_HEADERS, Redactor


def _redact_message(message: http.Message, redactor: Redactor) -> None:
    for name in {key.lower() for key in message.headers}:
        values = message.headers.get_all(name)
        clean = [REDACTED if name in SENSITIVE_HEADERS else redactor.text(value) for value in values]
        if clean != values:
            message.headers.set_all(name, clean)
    if message.raw_content:
        text = message.get_text(strict=False) or ""
        redacted = redactor.body(text)
        if redacted != text:
            message.text = redacted  # re-encoded with the message's charset and content-encoding


def redacted_flow(flow: http.HTTPFlow, redactor: Redactor) -> http.HTTPFlow:
    """A redacted copy; the live flow, still being served, is left as is."""
    copy = flow.copy()
    copy.request.path = redactor.text(copy.request.path)
    _redact_message(copy.request, redactor)
    if copy.response is not None:
        _redact_message(copy.response, redactor)
    if copy.error is not None:
        copy.error.msg = redactor.text(copy.error.msg)
    return copy
