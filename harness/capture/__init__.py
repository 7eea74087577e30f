"""Traffic capture: mitmproxy as a reverse proxy, redacted (scim_harness.common.redact), and HAR files."""

from scim_harness.capture.exchange import Exchange, Page
from scim_harness.capture.har import har_document, har_path_for_worker, merge_har, write_har
from scim_harness.capture.proxy import CaptureProxy

__all__ = [
    "CaptureProxy",
    "Exchange",
    "Page",
    "har_document",
    "har_path_for_worker",
    "merge_har",
    "write_har",
]
