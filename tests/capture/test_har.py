"""HAR 1.2 structure, checked field by field against the spec's required members."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scim_harness.capture import Exchange, har_path_for_worker, merge_har, write_har
from scim_harness.common.errors import HarnessError

REQUIRED = {
    "log": {"version", "creator", "entries"},
    "creator": {"name", "version"},
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
    "content": {"size", "mimeType"},
    "postData": {"mimeType", "text"},
    "timings": {"send", "wait", "receive"},
}


def _exchange(**changes: object) -> Exchange:
    fields = dict(
        started=datetime(2026, 11, 26, 9, 0, 0, 123000, tzinfo=UTC),
        duration_ms=12.5,
        method="POST",
        url="http://127.0.0.1:8080/scim/v2/Users?aadOptscim062020",
        request_headers={"Content-Type": "application/scim+json", "Authorization": "[REDACTED]"},
        request_body='{"userName": "a@contoso.com"}',
        status=201,
        response_headers={"Content-Type": "application/scim+json"},
        response_body='{"id": "1"}',
        error=None,
        reason="Created",
        send_ms=0.5,
        wait_ms=11.0,
        receive_ms=1.0,
    )
    fields.update(changes)
    return Exchange(**fields)  # type: ignore[arg-type]


def assert_valid_har(document: dict) -> None:
    log = document["log"]
    assert REQUIRED["log"] <= log.keys()
    assert log["version"] == "1.2"
    assert REQUIRED["creator"] <= log["creator"].keys()
    for entry in log["entries"]:
        assert REQUIRED["entry"] <= entry.keys()
        datetime.fromisoformat(entry["startedDateTime"])
        assert REQUIRED["request"] <= entry["request"].keys()
        assert REQUIRED["response"] <= entry["response"].keys()
        assert REQUIRED["content"] <= entry["response"]["content"].keys()
        assert REQUIRED["timings"] <= entry["timings"].keys()
        if "postData" in entry["request"]:
            assert REQUIRED["postData"] <= entry["request"]["postData"].keys()
        for pairs in (
            entry["request"]["headers"],
            entry["request"]["queryString"],
            entry["response"]["headers"],
        ):
            assert all(set(pair) == {"name", "value"} for pair in pairs)
        assert all(isinstance(entry["timings"][k], int | float) for k in ("send", "wait", "receive"))
        assert entry["time"] >= 0


def test_har_has_every_required_member(tmp_path: Path) -> None:
    path = write_har(
        [
            _exchange(),
            _exchange(
                method="GET",
                request_body="",
                status=502,
                error="refused",
                response_headers={},
                response_body="refused",
                reason="",
            ),
        ],
        tmp_path / "traffic.har",
    )
    document = json.loads(path.read_text())
    assert_valid_har(document)
    first, second = document["log"]["entries"]
    assert first["request"]["postData"] == {
        "mimeType": "application/scim+json",
        "params": [],
        "text": '{"userName": "a@contoso.com"}',
    }
    assert first["request"]["queryString"] == [{"name": "aadOptscim062020", "value": ""}]
    assert first["response"]["content"]["text"] == '{"id": "1"}'
    assert first["time"] == 12.5
    assert first["startedDateTime"] == "2026-11-26T09:00:00.123+00:00"
    assert "postData" not in second["request"]
    assert second["response"]["statusText"] == "Bad Gateway"
    assert second["comment"] == "error: refused"


def test_entries_are_in_start_order_and_no_temp_file_is_left(tmp_path: Path) -> None:
    later = _exchange(started=datetime(2026, 11, 26, 10, tzinfo=UTC), url="http://h/later")
    earlier = _exchange(url="http://h/earlier")
    write_har([later, earlier], tmp_path / "traffic.har")
    document = json.loads((tmp_path / "traffic.har").read_text())
    assert [e["request"]["url"] for e in document["log"]["entries"]] == ["http://h/earlier", "http://h/later"]
    assert [p.name for p in tmp_path.iterdir()] == ["traffic.har"]


def test_worker_files_merge_into_one_har(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    part1 = write_har(
        [_exchange(url="http://h/b", started=datetime(2026, 11, 26, 11, tzinfo=UTC))],
        har_path_for_worker(tmp_path / "traffic.har"),
    )
    monkeypatch.delenv("PYTEST_XDIST_WORKER")
    assert har_path_for_worker(tmp_path / "traffic.har") == tmp_path / "traffic.har"
    part0 = write_har([_exchange(url="http://h/a")], tmp_path / "traffic-gw0.har")
    assert part1.name == "traffic-gw1.har"

    merged = merge_har(sorted(tmp_path.glob("traffic-*.har")), tmp_path / "traffic.har", remove_parts=True)

    document = json.loads(merged.read_text())
    assert_valid_har(document)
    assert [e["request"]["url"] for e in document["log"]["entries"]] == ["http://h/a", "http://h/b"]
    assert not part0.exists() and not part1.exists()


def test_merging_a_broken_file_is_a_readable_error(tmp_path: Path) -> None:
    (tmp_path / "bad.har").write_text("{")
    with pytest.raises(HarnessError, match="cannot read HAR file"):
        merge_har([tmp_path / "bad.har"], tmp_path / "out.har")
