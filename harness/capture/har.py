"""HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/) from redacted exchanges, for browser devtools."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from scim_harness.capture.exchange import Exchange
from scim_harness.common.errors import HarnessError


def _version() -> str:
    try:
        return metadata.version("scim-harness")
    except metadata.PackageNotFoundError:
        return "0"


def _name_values(pairs: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in pairs]


def _header(headers: dict[str, str], name: str) -> str:
    return next((value for key, value in headers.items() if key.lower() == name), "")


def _cookies(header_value: str) -> list[dict[str, str]]:
    # Cookie values are redacted upstream; names are still useful to see which cookies travelled.
    cookie: SimpleCookie = SimpleCookie()
    try:
        cookie.load(header_value)
    except CookieError:
        return []
    return [{"name": name, "value": morsel.value} for name, morsel in cookie.items()]


def _headers_size(first_line: str, headers: dict[str, str]) -> int:
    return len(first_line) + 2 + sum(len(k) + len(v) + 4 for k, v in headers.items()) + 2


def _request(exchange: Exchange) -> dict[str, Any]:
    split = urlsplit(exchange.url)
    path = split.path + (f"?{split.query}" if split.query else "")
    body = exchange.request_body.encode()
    request: dict[str, Any] = {
        "method": exchange.method,
        "url": exchange.url,
        "httpVersion": exchange.http_version,
        "cookies": _cookies(_header(exchange.request_headers, "cookie")),
        "headers": _name_values(exchange.request_headers.items()),
        "queryString": _name_values(parse_qsl(split.query, keep_blank_values=True)),
        "headersSize": _headers_size(
            f"{exchange.method} {path} {exchange.http_version}", exchange.request_headers
        ),
        "bodySize": len(body),
    }
    if body:
        request["postData"] = {
            "mimeType": _header(exchange.request_headers, "content-type") or "application/octet-stream",
            "params": [],
            "text": exchange.request_body,
        }
    return request


def _response(exchange: Exchange) -> dict[str, Any]:
    status = exchange.status or 0
    reason = exchange.reason
    if not reason and status:
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = ""
    body = exchange.response_body.encode()
    mime = _header(exchange.response_headers, "content-type") or ("text/plain" if exchange.error else "")
    return {
        "status": status,
        "statusText": reason,
        "httpVersion": exchange.http_version,
        "cookies": _cookies(_header(exchange.response_headers, "set-cookie")),
        "headers": _name_values(exchange.response_headers.items()),
        "content": {
            "size": len(body),
            "mimeType": mime or "application/octet-stream",
            "text": exchange.response_body,
        },
        "redirectURL": _header(exchange.response_headers, "location"),
        "headersSize": _headers_size(f"{exchange.http_version} {status} {reason}", exchange.response_headers),
        "bodySize": len(body),
    }


def _entry(exchange: Exchange) -> dict[str, Any]:
    timings = {
        "blocked": -1,
        "dns": -1,
        "connect": -1,
        "ssl": -1,
        "send": exchange.send_ms,
        "wait": exchange.wait_ms,
        "receive": exchange.receive_ms,
    }
    entry: dict[str, Any] = {
        "startedDateTime": exchange.started.isoformat(timespec="milliseconds"),
        "time": round(exchange.send_ms + exchange.wait_ms + exchange.receive_ms, 3),
        "request": _request(exchange),
        "response": _response(exchange),
        "cache": {},
        "timings": timings,
    }
    if exchange.error:
        entry["comment"] = f"error: {exchange.error}"
    return entry


def har_document(exchanges: Iterable[Exchange]) -> dict[str, Any]:
    ordered = sorted(exchanges, key=lambda exchange: exchange.started)
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "scim-harness", "version": _version()},
            "pages": [],
            "entries": [_entry(exchange) for exchange in ordered],
        }
    }


def write_har(exchanges: Iterable[Exchange], path: Path) -> Path:
    """Writes the exchanges as HAR 1.2, atomically (a reader never sees half a file)."""
    return _write_json(har_document(exchanges), Path(path))


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
    """Joins HAR files (one per pytest-xdist worker, say) into one, entries in start order."""
    parts = [Path(part) for part in parts]
    entries: list[dict[str, Any]] = []
    for part in parts:
        try:
            entries += json.loads(part.read_text(encoding="utf-8"))["log"]["entries"]
        except (OSError, ValueError, KeyError) as exc:
            raise HarnessError(f"cannot read HAR file {part}: {exc}") from None
    entries.sort(key=lambda entry: entry["startedDateTime"])
    document = har_document([])
    document["log"]["entries"] = entries
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
