"""CaptureProxy through the real path: httpx -> mitmproxy (reverse) -> a real HTTP server on loopback."""

from __future__ import annotations

import base64
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from scim_harness.capture import CaptureProxy
from scim_harness.common.errors import HarnessError
from scim_harness.common.redact import REDACTED
from tests.capture.conftest import ADMIN_LOGIN, ADMIN_PASSWORD, TOKEN

SCIM_PATH = "/scim/v2?aadOptscim062020"


def _scim(proxy: CaptureProxy, resource: str) -> str:
    # The proxy URL keeps the tenant URL's path and query; resources go after the path, before the query.
    base, _, query = proxy.url.partition("?")
    return f"{base}/{resource}" + (f"?{query}" if query else "")


def test_url_keeps_upstream_path_and_query(upstream: str) -> None:
    with CaptureProxy(upstream + SCIM_PATH) as proxy:
        assert proxy.url.startswith("http://127.0.0.1:")
        assert proxy.url.endswith(SCIM_PATH)
        assert proxy.url != upstream + SCIM_PATH


def test_records_each_exchange_with_timing_and_redacted_authorization(upstream: str) -> None:
    with CaptureProxy(upstream + SCIM_PATH, secrets=[TOKEN]) as proxy:
        response = httpx.get(
            _scim(proxy, "Users"),
            params={"filter": 'userName eq "a@contoso.com"'},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=5,
        )
        assert response.status_code == 200
        assert response.json()["authorization"] == f"Bearer {TOKEN}", "the target must get the real header"
        [exchange] = proxy.exchanges()

    assert exchange.method == "GET"
    assert exchange.url.startswith(upstream + "/scim/v2/Users?")
    assert "userName" in exchange.url
    assert exchange.status == 200
    assert exchange.error is None
    assert exchange.duration_ms > 0
    assert exchange.duration_ms >= exchange.wait_ms
    assert exchange.started.tzinfo is not None
    assert exchange.request_headers["Authorization"] == REDACTED
    assert exchange.response_headers["Content-Type"] == "application/scim+json"
    assert exchange.response_json() == {
        "path": exchange.response_json()["path"],
        "authorization": f"Bearer {REDACTED}",
    }
    assert TOKEN not in repr(exchange)


def test_token_created_mid_run_is_redacted_by_key_and_once_added(upstream: str) -> None:
    admin = base64.b64encode(f"{ADMIN_LOGIN}:{ADMIN_PASSWORD}".encode()).decode()
    with CaptureProxy(upstream, secrets=[ADMIN_PASSWORD]) as proxy:
        created = httpx.post(
            f"{proxy.url}/_emulator/tokens",
            json={"validity_days": None, "notes": "ci"},
            headers={"X-Cybozu-Authorization": admin},
            timeout=5,
        )
        token = created.json()["token"]
        assert token == TOKEN, "the client must get the real token"
        proxy.add_secret(token)
        httpx.post(
            f"{proxy.url}/echo?token={token}",
            json={"note": f"my token is {token}", "login": admin},
            headers={"Authorization": f"Bearer {token}"},
            timeout=5,
        )
        creation, echo = proxy.exchanges()

    assert creation.request_headers["X-Cybozu-Authorization"] == REDACTED
    assert creation.response_json()["token"] == REDACTED, "a token in an admin answer is hidden by its key"
    assert creation.response_json()["id"] == "t1"
    assert echo.url.endswith(f"/echo?token={REDACTED}")
    assert echo.request_json() == {"note": f"my token is {REDACTED}", "login": REDACTED}
    for exchange in (creation, echo):
        dumped = repr(exchange)
        assert TOKEN not in dumped and ADMIN_PASSWORD not in dumped and admin not in dumped


def test_dead_upstream_is_recorded_as_502(dead_upstream: str) -> None:
    with CaptureProxy(dead_upstream) as proxy:
        response = httpx.get(f"{proxy.url}/Users", timeout=5)
        [exchange] = proxy.exchanges()
    assert response.status_code == 502
    assert exchange.status == 502
    assert exchange.error and "connect" in exchange.error.lower()
    assert exchange.url == f"{dead_upstream}/Users"


def test_parallel_requests_are_all_recorded(upstream: str) -> None:
    count = 24
    with CaptureProxy(upstream, secrets=[TOKEN]) as proxy, httpx.Client(timeout=10) as client:

        def call(i: int) -> int:
            return client.get(
                f"{proxy.url}/slow/{i}", headers={"Authorization": f"Bearer {TOKEN}"}
            ).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = list(pool.map(call, range(count)))
        exchanges = proxy.exchanges()

    assert statuses == [200] * count
    assert sorted(e.url.rsplit("/", 1)[1] for e in exchanges) == sorted(str(i) for i in range(count))
    assert all(e.duration_ms >= 50 for e in exchanges), "the server sleeps 50 ms on /slow"
    assert all(e.request_headers["Authorization"] == REDACTED for e in exchanges)


def test_mark_splits_exchanges_per_scenario(upstream: str) -> None:
    with CaptureProxy(upstream) as proxy:
        httpx.get(f"{proxy.url}/one", timeout=5)
        mark = proxy.mark()
        httpx.get(f"{proxy.url}/two", timeout=5)
        httpx.get(f"{proxy.url}/three", timeout=5)
        later = proxy.exchanges_since(mark)
        everything = proxy.exchanges()
    assert mark == 1
    assert [e.url.rsplit("/", 1)[1] for e in later] == ["two", "three"]
    assert len(everything) == 3


def test_pages_group_each_scenarios_requests_in_the_har(upstream: str, tmp_path: Path) -> None:
    har = tmp_path / "traffic.har"
    with CaptureProxy(upstream + SCIM_PATH, secrets=[TOKEN], har_path=har) as proxy:
        httpx.get(_scim(proxy, "ServiceProviderConfig"), timeout=5)
        proxy.start_page("node-a", f"Feature: scenario A with {TOKEN}")
        httpx.get(_scim(proxy, "Users"), timeout=5)
        proxy.end_page()
        proxy.start_page("node-b", "Feature: scenario B")
        httpx.post(_scim(proxy, "Users"), json={"userName": "b"}, timeout=5)
        on_b = proxy.exchanges_on_page("node-b")
    document = json.loads(har.read_text())

    assert [e.method for e in on_b] == ["POST"]
    log = document["log"]
    assert [(p["id"], p["title"]) for p in log["pages"]] == [
        ("node-a", f"Feature: scenario A with {REDACTED}"),
        ("node-b", "Feature: scenario B"),
    ]
    assert [e.get("pageref") for e in log["entries"]] == [None, "node-a", "node-b"]
    assert log["entries"][1]["request"]["url"] == f"{upstream}/scim/v2/Users?aadOptscim062020"


def test_disabled_proxy_passes_straight_through(upstream: str, tmp_path: Path) -> None:
    har = tmp_path / "traffic.har"
    with CaptureProxy(upstream + SCIM_PATH, har_path=har, enabled=False) as proxy:
        assert proxy.url == upstream + SCIM_PATH
        assert httpx.get(_scim(proxy, "Users"), timeout=5).status_code == 200
        assert proxy.mark() == 0
        assert proxy.exchanges() == []
    assert not har.exists()


def test_har_written_on_exit_holds_every_exchange_redacted(upstream: str, tmp_path: Path) -> None:
    har = tmp_path / "reports" / "traffic.har"
    with CaptureProxy(upstream, secrets=[TOKEN], har_path=har) as proxy:
        httpx.get(f"{proxy.url}/Users?x={TOKEN}", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)
        httpx.post(f"{proxy.url}/Users", json={"userName": "a@contoso.com", "password": TOKEN}, timeout=5)
    text = har.read_text()
    document = json.loads(text)
    assert [e["request"]["method"] for e in document["log"]["entries"]] == ["GET", "POST"]
    assert TOKEN not in text
    assert REDACTED in text


def test_quiet_on_terminal_and_mitmproxy_logs_redacted(
    upstream: str, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with CaptureProxy(upstream, secrets=[TOKEN]) as proxy:
        httpx.get(f"{proxy.url}/{TOKEN}", timeout=5)
        logging.getLogger("mitmproxy.proxy.server").warning("upstream said %s", TOKEN)
        logging.getLogger("mitmproxy.proxy.server").info("chatter about %s", TOKEN)
    logging.getLogger("mitmproxy.proxy.server").warning("after exit %s", "is untouched")
    out, err = capfd.readouterr()
    assert out == "" and err == "", "mitmproxy must not write to the terminal"
    mitm = [(r.levelname, r.getMessage()) for r in caplog.records if r.name.startswith("mitmproxy")]
    assert ("WARNING", f"upstream said {REDACTED}") in mitm
    assert ("DEBUG", f"chatter about {REDACTED}") in mitm, "mitmproxy's INFO chatter is demoted"
    assert ("WARNING", "after exit is untouched") in mitm, "the filters are removed on exit"
    ours = [r for r in caplog.records if r.name.startswith(("harness", "mitmproxy", "asyncio"))]
    assert all(TOKEN not in r.getMessage() for r in ours)
    assert not [r for r in ours if r.levelno >= logging.ERROR], "a clean run logs no error"


def test_no_mitmproxy_state_left_in_home(
    upstream: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    with CaptureProxy(upstream) as proxy:
        httpx.get(f"{proxy.url}/x", timeout=5)
    assert not (tmp_path / ".mitmproxy").exists()


def test_one_running_proxy_per_process(upstream: str) -> None:
    with CaptureProxy(upstream), pytest.raises(HarnessError, match="already running"):
        CaptureProxy(upstream).__enter__()
    # The first one released the slot on exit.
    with CaptureProxy(upstream) as proxy:
        assert httpx.get(f"{proxy.url}/again", timeout=5).status_code == 200


@pytest.mark.parametrize("bad", ["ftp://example.com/scim", "not a url", "http://"])
def test_bad_upstream_url_is_a_readable_error(bad: str) -> None:
    with pytest.raises(HarnessError, match="cannot capture traffic"):
        CaptureProxy(bad)


def test_https_upstream_is_verified_by_default(tls_upstream: str) -> None:
    with CaptureProxy(tls_upstream) as proxy:
        assert proxy.url.startswith("http://127.0.0.1:"), "the client side stays plain HTTP on loopback"
        response = httpx.get(f"{proxy.url}/Users", timeout=5)
        [exchange] = proxy.exchanges()
    assert response.status_code == 502
    assert exchange.status == 502
    assert exchange.error and "certificate" in exchange.error.lower()


def test_https_upstream_with_verification_off_for_self_signed_staging(tls_upstream: str) -> None:
    with CaptureProxy(tls_upstream, secrets=[TOKEN], verify_upstream_tls=False) as proxy:
        response = httpx.get(f"{proxy.url}/Users", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)
        [exchange] = proxy.exchanges()
    assert response.status_code == 200
    assert exchange.url == f"{tls_upstream}/Users"
    assert exchange.request_headers["Authorization"] == REDACTED


def test_flow_file_holds_redacted_flows_mitmproxy_can_read(upstream: str, tmp_path: Path) -> None:
    from mitmproxy import io

    flows = tmp_path / "traffic.flow"
    with CaptureProxy(upstream, secrets=[TOKEN], flow_path=flows) as proxy:
        answer = httpx.post(
            f"{proxy.url}/_emulator/tokens?t={TOKEN}",
            json={"notes": "ci"},
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=5,
        )
        assert answer.json()["token"] == TOKEN, "the client still gets the real answer"

    with flows.open("rb") as handle:
        [flow] = list(io.FlowReader(handle).stream())
    assert flow.request.headers["Authorization"] == REDACTED
    assert flow.request.path == f"/_emulator/tokens?t={REDACTED}"
    assert json.loads(flow.response.get_text())["token"] == REDACTED
    assert TOKEN.encode() not in flows.read_bytes()
