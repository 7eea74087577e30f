"""Traffic capture: mitmproxy as a reverse proxy, redaction, and HAR files."""

from harness.capture.exchange import Exchange
from harness.capture.har import har_document, har_path_for_worker, merge_har, write_har
from harness.capture.proxy import CaptureProxy
from harness.capture.redact import REDACTED, Redactor

__all__ = [
    "REDACTED",
    "CaptureProxy",
    "Exchange",
    "Redactor",
    "har_document",
    "har_path_for_worker",
    "merge_har",
    "write_har",
]
