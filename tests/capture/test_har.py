"""HAR 1.2 from redacted flows through mitmproxy's exporter: the spec's required members, pages per scenario,
entries in start order, worker files merged."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from mitmproxy import connection, flow, http

from scim_harness.capture import Page, har_path_for_worker, merge_har, write_har
from scim_harness.capture.flows import redacted_flow
from scim_harness.capture.har import PAGE_KEY
from scim_harness.common.errors import HarnessError
from scim_harness.common.redact import REDACTED, Redactor

TOKEN = "tok-5f0c2b1e9d8a7c6b"
REQUIRED = {
    "log": {"version", "creator", "entries", "pages"},
    "creator": {"name", "version"},
    "page": {"startedDateTime", "id", "title", "pageTimings"},
    "entry": {"startedDateTime", "time", "request", "response", "cache", "timings"},
    "request": {
        "method",
        "url",
        "httpVersion",
        "cookies",
        "headers",
        "queryString",
        "headersSize",
        "bodySize",
    },
    "response": {
        "status",
        "statusText",
        "httpVersion",
        "cookies",
        "headers",
        "content",
        "redirectURL",
        "headersSize",
        "bodySize",
    },
    "postData": {"mimeType", "text"},
    "timings": {"send", "wait", "receive"},
}


def _flow(
    method: str = "POST",
    url: str = "http://127.0.0.1:8080/scim/v2/Users?aadOptscim062020",
    body: str = '{"userName": "a@contoso.com"}',
    *,
    status: int | None = 201,
    answer: str = '{"id": "1"}',
    started: float = 1_795_000_000.0,
    page: str | None = None,
) -> http.HTTPFlow:
    client = connection.Client(peername=("127.0.0.1", 50000), sockname=("127.0.0.1", 8081))
    server = connection.Server(address=("127.0.0.1", 8080))
    made = http.HTTPFlow(client, server)
    made.request = http.Request.make(
        method,
        url,
        body,
        {"Content-Type": "application/scim+json", "Authorization": f"Bearer {TOKEN}"},
    )
    made.request.timestamp_start, made.request.timestamp_end = started, started + 0.001
    if status is None:
        made.error = flow.Error(f"connection refused, token {TOKEN}")
    else:
        made.response = http.Response.make(status, answer, {"Content-Type": "application/scim+json"})
        made.response.timestamp_start, made.response.timestamp_end = started + 0.011, started + 0.012
    if page:
        made.metadata[PAGE_KEY] = page
    return redacted_flow(made, Redactor([TOKEN]))


def assert_valid_har(document: dict) -> None:
    log = document["log"]
    assert REQUIRED["log"] <= log.keys()
    assert log["version"] == "1.2"
    assert REQUIRED["creator"] <= log["creator"].keys()
    page_ids = set()
    for page in log["pages"]:
        assert REQUIRED["page"] <= page.keys()
        datetime.fromisoformat(page["startedDateTime"])
        page_ids.add(page["id"])
    for entry in log["entries"]:
        assert REQUIRED["entry"] <= entry.keys()
        datetime.fromisoformat(entry["startedDateTime"])
        assert REQUIRED["request"] <= entry["request"].keys()
        assert REQUIRED["timings"] <= entry["timings"].keys()
        if "postData" in entry["request"]:
            assert REQUIRED["postData"] <= entry["request"]["postData"].keys()
        if entry["response"]["status"]:
            assert REQUIRED["response"] <= entry["response"].keys()
        for pairs in (entry["request"]["headers"], entry["request"]["queryString"]):
            assert all(set(pair) == {"name", "value"} for pair in pairs)
        assert entry["time"] >= 0
        assert entry.get("pageref", next(iter(page_ids), None)) in page_ids | {None}


def test_mitmproxy_exports_every_required_member_and_our_pages(tmp_path: Path) -> None:
    started = datetime(2026, 11, 26, 9, tzinfo=UTC)
    pages = [Page("test_conformance.py::test_adding[legacy]", "Adding a user: A user is added", started)]
    path = write_har(
        [_flow(page=pages[0].id), _flow("GET", body="", status=None, started=1_795_000_001.0)],
        tmp_path / "traffic.har",
        pages,
    )
    document = json.loads(path.read_text())
    assert_valid_har(document)
    log = document["log"]
    assert log["creator"]["name"] == "mitmproxy"
    assert log["pages"] == [
        {
            "startedDateTime": "2026-11-26T09:00:00+00:00",
            "id": pages[0].id,
            "title": "Adding a user: A user is added",
            "pageTimings": {"onContentLoad": -1, "onLoad": -1},
        }
    ]
    answered, refused = log["entries"]
    assert answered["pageref"] == pages[0].id
    assert answered["request"]["postData"]["text"] == '{"userName": "a@contoso.com"}'
    assert {"name": "aadOptscim062020", "value": ""} in answered["request"]["queryString"]
    assert answered["response"]["content"]["text"] == '{"id": "1"}'
    assert answered["response"]["status"] == 201
    assert "pageref" not in refused, "a request outside any scenario belongs to no page"
    assert refused["response"]["status"] == 0
    assert refused["comment"] == f"no answer: connection refused, token {REDACTED}"


def test_the_har_holds_no_secret(tmp_path: Path) -> None:
    text = write_har([_flow(url=f"http://h/scim/v2/Users?t={TOKEN}")], tmp_path / "t.har").read_text()
    assert TOKEN not in text
    [entry] = json.loads(text)["log"]["entries"]
    assert {"name": "Authorization", "value": REDACTED} in entry["request"]["headers"]
    assert entry["request"]["url"] == f"http://h/scim/v2/Users?t={REDACTED}"


def test_entries_are_in_start_order_and_no_temp_file_is_left(tmp_path: Path) -> None:
    later = _flow(url="http://h/later", started=1_795_000_100.0)
    earlier = _flow(url="http://h/earlier")
    write_har([later, earlier], tmp_path / "traffic.har")
    document = json.loads((tmp_path / "traffic.har").read_text())
    assert [e["request"]["url"] for e in document["log"]["entries"]] == ["http://h/earlier", "http://h/later"]
    assert [p.name for p in tmp_path.iterdir()] == ["traffic.har"]


def test_worker_files_merge_into_one_har_with_their_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    second = Page("b", "Scenario B", datetime(2026, 11, 26, 11, tzinfo=UTC))
    part1 = write_har(
        [_flow(url="http://h/b", started=1_795_000_100.0, page="b")],
        har_path_for_worker(tmp_path / "traffic.har"),
        [second],
    )
    monkeypatch.delenv("PYTEST_XDIST_WORKER")
    assert har_path_for_worker(tmp_path / "traffic.har") == tmp_path / "traffic.har"
    first = Page("a", "Scenario A", datetime(2026, 11, 26, 10, tzinfo=UTC))
    part0 = write_har([_flow(url="http://h/a", page="a")], tmp_path / "traffic-gw0.har", [first])
    assert part1.name == "traffic-gw1.har"

    merged = merge_har(sorted(tmp_path.glob("traffic-*.har")), tmp_path / "traffic.har", remove_parts=True)

    document = json.loads(merged.read_text())
    assert_valid_har(document)
    assert [e["request"]["url"] for e in document["log"]["entries"]] == ["http://h/a", "http://h/b"]
    pages = [(p["id"], p["title"]) for p in document["log"]["pages"]]
    assert pages == [("a", "Scenario A"), ("b", "Scenario B")]
    assert [e["pageref"] for e in document["log"]["entries"]] == ["a", "b"]
    assert not part0.exists() and not part1.exists()


def test_merging_a_broken_file_is_a_readable_error(tmp_path: Path) -> None:
    (tmp_path / "bad.har").write_text("{")
    with pytest.raises(HarnessError, match="cannot read HAR file"):
        merge_har([tmp_path / "bad.har"], tmp_path / "out.har")
