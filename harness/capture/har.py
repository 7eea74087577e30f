"""HAR 1.2 from the redacted flows, written by mitmproxy's own exporter (`mitmproxy.addons.savehar`).

mitmproxy makes every entry. What is ours, and why:
- pages: one per scenario (id = the pytest node id, title = the scenario's name), and each entry's `pageref`,
  so that devtools tells which scenario sent which request. mitmproxy's exporter has no notion of a scenario
  and always writes `"pages": []`;
- a `comment` on an entry whose request got no answer (mitmproxy writes status 0 and `_error`);
- merging the files of pytest-xdist workers (one proxy, so one HAR, per worker process) and an atomic write.
The flows given here are already redacted (`flows.redacted_flow`); nothing here sees a live flow.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

from mitmproxy import http
from mitmproxy.addons.savehar import SaveHar

from scim_harness.capture.exchange import Page
from scim_harness.common.errors import HarnessError

PAGE_KEY = "scim_harness.page"
"""flow.metadata key holding the page a request was sent in (set when its headers arrive)."""


def _version() -> str:
    try:
        return metadata.version("scim-harness")
    except metadata.PackageNotFoundError:
        return "0"


def _page(page: Page) -> dict[str, Any]:
    return {
        "startedDateTime": page.started.isoformat(),
        "id": page.id,
        "title": page.title,
        "pageTimings": {"onContentLoad": -1, "onLoad": -1},
    }


def har_document(flows: Iterable[http.HTTPFlow], pages: Iterable[Page] = ()) -> dict[str, Any]:
    """The HAR of redacted flows, entries in start order, with the pages and each entry's `pageref`."""
    ordered = sorted(flows, key=lambda flow: flow.request.timestamp_start)
    document = SaveHar().make_har(ordered)
    log = document["log"]
    log["creator"]["comment"] = f"exported by mitmproxy for scim-harness {_version()}; secrets redacted"
    for entry, flow in zip(log["entries"], ordered, strict=True):
        page = flow.metadata.get(PAGE_KEY)
        if page:
            entry["pageref"] = page
        if flow.error is not None:
            entry["comment"] = f"no answer: {flow.error.msg}"
    log["pages"] = [_page(page) for page in sorted(pages, key=lambda page: page.started)]
    return document


def write_har(flows: Iterable[http.HTTPFlow], path: Path, pages: Iterable[Page] = ()) -> Path:
    """Writes the flows as HAR 1.2, atomically (a reader never sees half a file)."""
    return _write_json(har_document(flows, pages), Path(path))


def _write_json(document: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    # A plain open (not mkstemp, which makes 0600 files): the HAR is for QA to open, so the umask decides.
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as handle:
            json.dump(document, handle, ensure_ascii=False, indent=1)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def merge_har(parts: Iterable[Path], out: Path, *, remove_parts: bool = False) -> Path:
    """Joins HAR files (one per pytest-xdist worker, say) into one: pages and entries in start order."""
    parts = [Path(part) for part in parts]
    documents: list[dict[str, Any]] = []
    for part in parts:
        try:
            documents.append(json.loads(part.read_text(encoding="utf-8"))["log"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise HarnessError(f"cannot read HAR file {part}: {exc}") from None
    document = har_document([])
    log = document["log"]
    log["entries"] = sorted(
        (entry for part in documents for entry in part.get("entries", [])),
        key=lambda entry: entry["startedDateTime"],
    )
    log["pages"] = sorted(
        (page for part in documents for page in part.get("pages", [])),
        key=lambda page: page["startedDateTime"],
    )
    _write_json(document, Path(out))
    if remove_parts:
        for part in parts:
            if part.resolve() != Path(out).resolve():
                part.unlink(missing_ok=True)
    return Path(out)


def har_path_for_worker(path: Path) -> Path:
    """`traffic.har` as is, or `traffic-gw0.har` in a pytest-xdist worker (workers must not share a file)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    path = Path(path)
    return path.with_name(f"{path.stem}-{worker}{path.suffix}") if worker else path
