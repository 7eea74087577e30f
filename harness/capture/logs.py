"""Redacts mitmproxy's own log records at the source, before any handler (pytest's, Allure's...) sees them.

mitmproxy logs through the standard `logging` module and never to the terminal by itself (we run it without
its termlog addon). A filter on each `mitmproxy.*` logger rewrites the record in place: the message is
redacted and flattened, tracebacks are dropped (their text may carry request data), and mitmproxy's
per-connection INFO chatter is demoted to DEBUG. A logger's filters only see records created on that very
logger, hence one filter per logger, on every `mitmproxy.*` logger that exists (mitmproxy creates them when
its modules load).
"""

from __future__ import annotations

import logging

from scim_harness.common.redact import Redactor

_PREFIX = "mitmproxy"


class RedactRecord(logging.Filter):
    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        record.msg, record.args = self.redactor.text(message), None
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        if record.levelno < logging.WARNING:
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return True


def _mitmproxy_loggers() -> list[logging.Logger]:
    names = [name for name in logging.Logger.manager.loggerDict if name.split(".", 1)[0] == _PREFIX]
    return [logging.getLogger(name) for name in [_PREFIX, *names]]


class RedactedMitmproxyLogs:
    """Installs one RedactRecord filter per mitmproxy logger; `refresh()` covers loggers created since."""

    def __init__(self, redactor: Redactor) -> None:
        self.filter = RedactRecord(redactor)
        self._installed: list[logging.Logger] = []

    def refresh(self) -> None:
        for logger in _mitmproxy_loggers():
            if self.filter not in logger.filters:
                logger.addFilter(self.filter)
                self._installed.append(logger)

    def close(self) -> None:
        for logger in self._installed:
            logger.removeFilter(self.filter)
        self._installed.clear()
