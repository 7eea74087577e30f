"""CaptureProxy: mitmproxy embedded as a reverse proxy between the simulator and the target."""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

import certifi
from mitmproxy import options
from mitmproxy.addons import core, disable_h2c, dns_resolver, next_layer, proxyserver, tlsconfig
from mitmproxy.master import Master

from scim_harness.capture.addons import Record, SignalRunning, WriteFlows, WriteHar
from scim_harness.capture.exchange import Exchange, ExchangeStore
from scim_harness.capture.logs import RedactedMitmproxyLogs
from scim_harness.common.errors import HarnessError
from scim_harness.common.redact import Redactor

logger = logging.getLogger(__name__)

START_TIMEOUT_S = 15.0
STOP_TIMEOUT_S = 15.0

# mitmproxy keeps its master and options in process-wide globals (mitmproxy.ctx), so two masters at once would
# read each other's options. One proxy per process is all the suite needs (xdist workers are processes).
_ACTIVE = threading.Lock()
_running: CaptureProxy | None = None


def _upstream(upstream_url: str) -> tuple[str, str, int, str]:
    """-> (scheme, host, port, path+query) of the target, with a clear error for a URL we cannot proxy."""
    split = urlsplit(upstream_url)
    if split.scheme not in ("http", "https") or not split.hostname:
        raise HarnessError(f"cannot capture traffic to {upstream_url!r}: expected an http:// or https:// URL")
    try:
        port = split.port or (443 if split.scheme == "https" else 80)
    except ValueError as exc:
        raise HarnessError(f"cannot capture traffic to {upstream_url!r}: {exc}") from None
    path = split.path + (f"?{split.query}" if split.query else "")
    return split.scheme, split.hostname, port, path


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _proxy_addons() -> list[object]:
    # Only what a reverse proxy needs. mitmproxy's default set (~30 addons: replay, blocklists, scripts...)
    # costs a hook call per addon per event, which was most of the proxy's per-request time.
    return [
        core.Core(),
        proxyserver.Proxyserver(),
        next_layer.NextLayer(),
        tlsconfig.TlsConfig(),
        dns_resolver.DnsResolver(),
        disable_h2c.DisableH2C(),
    ]


class CaptureProxy:
    """Reverse proxy recording redacted exchanges; a context manager, one running per process.

    `url` is what the client should call instead of the upstream (same path and query, plain HTTP on
    127.0.0.1). `start_page(id, title)` / `end_page()` group the requests of one scenario into a HAR page.
    Exchanges are redacted before they are stored, with the secrets given here and any added later with
    `add_secret`. On exit the HAR file (`har_path`) and the mitmproxy flow file (`flow_path`) are
    complete. An HTTPS upstream is verified: its certificate must chain to the public roots or to
    `upstream_ca_file` (a PEM test CA, the suite's `ca_file`) and name the host, else the client gets
    mitmproxy's 502 and the capture records it; `verify_upstream_tls=False` accepts a staging server's
    self-signed certificate. The client's leg stays plain HTTP on loopback. With `enabled=False` nothing
    runs: `url` is the upstream itself and nothing is recorded.
    """

    def __init__(
        self,
        upstream_url: str,
        secrets: Iterable[str] = (),
        har_path: Path | None = None,
        enabled: bool = True,
        *,
        verify_upstream_tls: bool = True,
        upstream_ca_file: str | Path | None = None,
        flow_path: Path | None = None,
    ) -> None:
        self.upstream_url = upstream_url
        self.enabled = enabled
        self.har_path = Path(har_path) if har_path is not None else None
        self.flow_path = Path(flow_path) if flow_path is not None else None
        self.verify_upstream_tls = verify_upstream_tls
        self.upstream_ca_file = str(upstream_ca_file) if upstream_ca_file else None
        self.redactor = Redactor(secrets)
        self._scheme, self._host, self._port, self._path = _upstream(upstream_url)
        self._store = ExchangeStore()
        self._thread: threading.Thread | None = None
        self._master: Master | None = None
        self._listen_port: int | None = None
        self._startup_error: BaseException | None = None
        self._ready = threading.Event()
        self._confdir: str | None = None
        self._logs = RedactedMitmproxyLogs(self.redactor)
        self._holds_lock = False

    # -- public API --

    @property
    def url(self) -> str:
        if not self.enabled:
            return self.upstream_url
        if self._listen_port is None:
            raise HarnessError("the capture proxy is not running: use it as a context manager")
        return f"http://127.0.0.1:{self._listen_port}{self._path}"

    def add_secret(self, value: str) -> None:
        """Redacts `value` from every exchange recorded from now on (a token created mid-run, say)."""
        self.redactor.add(value)

    @staticmethod
    def running() -> CaptureProxy | None:
        """The proxy running in this process, if any (there is at most one): how reporting finds it without
        knowing which fixture started it."""
        return _running

    def mark(self) -> int:
        return len(self._store)

    def start_page(self, page_id: str, title: str) -> None:
        """Requests sent from now on belong to this HAR page (one per scenario) until `end_page`."""
        if self.enabled:
            self._store.open_page(page_id, self.redactor.text(title))

    def end_page(self) -> None:
        self._store.close_page()

    def exchanges_on_page(self, page_id: str) -> list[Exchange]:
        return self._store.on_page(page_id)

    def exchanges_since(self, mark: int) -> list[Exchange]:
        return self._store.since(mark)

    def exchanges(self) -> list[Exchange]:
        return self._store.all()

    # -- lifecycle --

    def __enter__(self) -> CaptureProxy:
        if not self.enabled:
            return self
        if not _ACTIVE.acquire(blocking=False):
            raise HarnessError("another capture proxy is already running in this process; use one per run")
        self._holds_lock = True
        try:
            self._start()
        except BaseException:
            self._stop()
            raise
        global _running
        _running = self
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.enabled:
            self._stop()

    def _start(self) -> None:
        self._ready.clear()
        self._startup_error = None
        # A throwaway confdir: mitmproxy creates a CA there on start-up, and must not touch ~/.mitmproxy.
        self._confdir = tempfile.mkdtemp(prefix="scim-harness-mitmproxy-")
        self._logs.refresh()
        self._thread = threading.Thread(target=self._serve, name="capture-proxy", daemon=True)
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT_S):
            raise HarnessError(f"the capture proxy did not start within {START_TIMEOUT_S:.0f} s")
        if self._startup_error is not None or self._listen_port is None:
            reason = self.redactor.text(str(self._startup_error or "it is not listening"))
            raise HarnessError(f"the capture proxy could not start: {reason}")
        logger.info("capture proxy on %s -> %s", self.url, self.redactor.text(self.upstream_url))

    def _serve(self) -> None:
        try:
            asyncio.run(self._run_master())
        except BaseException as exc:
            self._startup_error = exc
        finally:
            self._ready.set()

    async def _run_master(self) -> None:
        asyncio.get_running_loop().set_exception_handler(self._on_loop_exception)
        opts = options.Options(
            mode=[f"reverse:{self._scheme}://{_bracketed(self._host)}:{self._port}"],
            listen_host="127.0.0.1",
            listen_port=0,
            confdir=self._confdir,
            ssl_insecure=not self.verify_upstream_tls,
        )
        if self.upstream_ca_file:
            # Besides the public roots (mitmproxy's own trust store, certifi): a test CA.
            opts.update(ssl_verify_upstream_trusted_ca=self._trust_bundle(self.upstream_ca_file))
        master = Master(opts, with_termlog=False)
        master.addons.add(*_proxy_addons())
        master.addons.add(Record(self._store, self.redactor))
        if self.har_path is not None:
            master.addons.add(WriteHar(self._store, self.har_path))
        if self.flow_path is not None:
            master.addons.add(WriteFlows(self.flow_path, self.redactor))
        master.addons.add(SignalRunning(lambda: self._on_running(master)))
        # Lazy: connect upstream only when a request arrives, so a dead target shows as a 502 in the capture.
        opts.update(connection_strategy="lazy")
        self._master = master
        await master.run()

    def _trust_bundle(self, ca_file: str) -> str:
        """The public roots and the test CA in one file: mitmproxy's option replaces its roots by the file."""
        bundle = Path(self._confdir or tempfile.gettempdir()) / "upstream-trust.pem"
        bundle.write_bytes(Path(certifi.where()).read_bytes() + b"\n" + Path(ca_file).read_bytes())
        return str(bundle)

    def _on_loop_exception(self, loop: asyncio.AbstractEventLoop, context: dict) -> None:
        # Connections still open at shutdown are cancelled; that is the normal way out, not an error.
        if isinstance(context.get("exception"), asyncio.CancelledError):
            return
        logger.error(
            "capture proxy: %s", self.redactor.text(str(context.get("exception") or context["message"]))
        )

    def _on_running(self, master: Master) -> None:
        self._logs.refresh()  # loggers of modules mitmproxy loaded while starting
        proxyserver = master.addons.get("proxyserver")
        addresses = proxyserver.listen_addrs() if proxyserver else []
        if addresses:
            self._listen_port = addresses[0][1]
        else:
            master.shutdown()
        self._ready.set()

    def _stop(self) -> None:
        global _running
        if _running is self:
            _running = None
        try:
            if self._master is not None and self._thread is not None and self._thread.is_alive():
                self._master.shutdown()
                self._thread.join(STOP_TIMEOUT_S)
                if self._thread.is_alive():
                    logger.warning("the capture proxy did not stop within %.0f s", STOP_TIMEOUT_S)
        finally:
            self._master = None
            self._logs.close()
            if self._confdir is not None:
                shutil.rmtree(self._confdir, ignore_errors=True)
                self._confdir = None
            if self._holds_lock:
                self._holds_lock = False
                _ACTIVE.release()
