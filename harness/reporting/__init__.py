"""QA reports: Allure labels and attachments (pytest plugin), HTML, Markdown summary, results redaction."""

from scim_harness.reporting.html import REPORT_NAME, build_html, html_unavailable_reason
from scim_harness.reporting.results import redact_results_dir
from scim_harness.reporting.summary import write_summary

__all__ = ["REPORT_NAME", "build_html", "html_unavailable_reason", "redact_results_dir", "write_summary"]
