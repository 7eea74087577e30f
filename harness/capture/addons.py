"""mitmproxy addons, one job each, in the style of mitmproxy's examples/addons."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from mitmproxy import http, io

from scim_harness.capture.exchange import ExchangeStore, exchange_from_flow
from scim_harness.capture.flows import redacted_flow
from scim_harness.capture.har import PAGE_KEY, write_har
from scim_harness.common.redact import Redactor

logger = logging.getLogger(__name__)


class Record:
    """Stores every finished flow, redacted once: as an Exchange (attachments) and as a flow (the HAR).

    A request belongs to the page (scenario) open when its headers arrived. The response hooks run before
    mitmproxy forwards the response (or its 502) to the client, so once the client has its answer, the
    exchange is already in the store: a test can look at it right after the call returns.
    """

    def __init__(self, store: ExchangeStore, redactor: Redactor) -> None:
        self.store = store
        self.redactor = redactor

    def requestheaders(self, flow: http.HTTPFlow) -> None:
        page = self.store.current_page
        if page is not None:
            flow.metadata[PAGE_KEY] = page

    def response(self, flow: http.HTTPFlow) -> None:
        copy = redacted_flow(flow, self.redactor)
        self.store.append(exchange_from_flow(copy, page=copy.metadata.get(PAGE_KEY)), copy)

    def error(self, flow: http.HTTPFlow) -> None:
        self.response(flow)


class WriteHar:
    """Writes the whole capture as HAR 1.2, by mitmproxy's exporter, when mitmproxy shuts down."""

    def __init__(self, store: ExchangeStore, path: Path) -> None:
        self.store = store
        self.path = path

    def done(self) -> None:
        write_har(self.store.flows(), self.path, self.store.pages())
        logger.info("wrote %d exchanges to %s", len(self.store), self.path)


class WriteFlows:
    """Appends a redacted copy of every finished flow to a mitmproxy `.flow` file (`mitmweb -r` opens it)."""

    def __init__(self, path: Path, redactor: Redactor) -> None:
        self.path = path
        self.redactor = redactor
        self._file = None
        self._writer: io.FlowWriter | None = None

    def running(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("wb")
        self._writer = io.FlowWriter(self._file)

    def response(self, flow: http.HTTPFlow) -> None:
        if self._writer is not None:
            self._writer.add(redacted_flow(flow, self.redactor))

    def error(self, flow: http.HTTPFlow) -> None:
        self.response(flow)

    def done(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = self._writer = None


class SignalRunning:
    """Tells the starting thread that the listeners are up (mitmproxy's `running` hook fires after that)."""

    def __init__(self, on_running: Callable[[], None]) -> None:
        self.on_running = on_running

    def running(self) -> None:
        self.on_running()
