"""`scim-harness load` end to end, in subprocesses (Locust monkey-patches the process that imports it).

Small tenants against the Kintone emulator on loopback: one process, one master with two workers, both
dialects, a target that breaks a rule, a target that throttles, and the failures a user can make.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from scim_harness.emulator.rules import RuleSwitches
from scim_harness.emulator.server import EmulatorServer
from tests.vendor.conftest import TOKEN_A, emulator
from tests.vendor.throttle_proxy import throttling_proxy

SCRIPT = Path(sys.executable).with_name("scim-harness")
TIMEOUT = 240


def load(*args: str, token: str | None = TOKEN_A, **popen: Any) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCIM_HARNESS_")}
    if token is not None:
        env["SCIM_HARNESS_TOKEN"] = token
    return subprocess.Popen(
        [str(SCRIPT), "load", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
    return process.returncode, out, err


def report(out: Path) -> dict[str, Any]:
    return json.loads((out / "load.json").read_text(encoding="utf-8"))


def users_in_target(server: EmulatorServer) -> list[str]:
    """Independently of `load`'s own verification: every userName the target lists."""
    names: list[str] = []
    with httpx.Client(headers={"Authorization": f"Bearer {TOKEN_A}"}, timeout=30) as client:
        start = 1
        while True:
            body = client.get(f"{server.scim_url}/Users", params={"startIndex": start, "count": 100}).json()
            names += [r["userName"] for r in body["Resources"]]
            start += len(body["Resources"])
            if not body["Resources"] or start > body["totalResults"]:
                return names


def requests_of(data: dict[str, Any], kind: str) -> int:
    return sum(k["requests"] for k in data["kinds"] if k["name"] == kind)


@pytest.fixture
def target() -> Iterator[EmulatorServer]:
    with emulator(TOKEN_A) as server:
        yield server


def test_one_process_provisions_every_user_exactly_once(target: EmulatorServer, tmp_path: Path) -> None:
    code, out, err = finish(
        load(
            *("--target", target.scim_url, "--users", "120", "--cycles", "2", "--changes-per-cycle", "25%"),
            *("--out", str(tmp_path), "--duration", "3m"),
        )
    )
    assert code == 0, out + err
    data = report(tmp_path)
    assert data["passed"] and data["verification"]["once"] == 120
    # Entra's flow: a match and a create per user; a read (mostly then a PATCH) per changed user and cycle.
    assert requests_of(data, "/Users?filter (match)") == 120
    assert requests_of(data, "/Users (create)") == 120
    assert requests_of(data, "/Users/{id} (read)") == 60
    assert requests_of(data, "/Users?filter (probe)") == 3  # one per cycle
    assert data["progress"]["users_done"] == 120 + 2 * 30
    listed = users_in_target(target)
    assert len(listed) == len(set(listed)) == 120
    # Locust's own reports, with the final figures, and the progress lines.
    for name in ("locust_stats.csv", "locust_stats_history.csv", "locust_failures.csv", "locust.html"):
        assert (tmp_path / name).stat().st_size > 0, name
    aggregated = (tmp_path / "locust_stats.csv").read_text(encoding="utf-8").splitlines()[-1].split(",")
    assert aggregated[1] == "Aggregated" and int(aggregated[2]) == data["total"]["requests"]
    assert "load:" in err and "user-cycles" in err
    assert "PASS" in out
    assert TOKEN_A not in out + err + "".join(p.read_text(encoding="utf-8") for p in tmp_path.glob("load.*"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_one_master_and_two_workers_split_the_tenant(target: EmulatorServer, tmp_path: Path) -> None:
    port = str(free_port())
    master = load(
        *("--master", "--expect-workers", "2", "--master-port", port, "--target", target.scim_url),
        *("--users", "90", "--out", str(tmp_path), "--duration", "3m", "--concurrency", "4"),
    )
    time.sleep(1.0)
    workers = [load("--worker", "--master-port", port) for _ in range(2)]
    code, out, err = finish(master)
    worker_codes = [finish(worker)[0] for worker in workers]
    assert code == 0, out + err
    assert worker_codes == [0, 0]
    data = report(tmp_path)
    assert data["mode"] == "distributed: one master, 2 workers"
    # Disjoint slices: each user matched and created once over both workers, not once per worker.
    assert requests_of(data, "/Users?filter (match)") == 90
    assert requests_of(data, "/Users (create)") == 90
    assert data["verification"]["once"] == 90 and data["passed"]
    assert len(users_in_target(target)) == 90


def test_a_target_refusing_entras_legacy_string_booleans_fails_the_verdict(tmp_path: Path) -> None:
    """The check can fail: a target that answers 400 to `"active": "False"` shows errors; compliant passes."""
    with emulator(TOKEN_A, RuleSwitches(reject_string_booleans=True)) as strict:
        common = (
            "--target",
            strict.scim_url,
            "--users",
            "30",
            "--changes-per-cycle",
            "100%",
            "--duration",
            "2m",
        )
        code, out, err = finish(load(*common, "--out", str(tmp_path / "legacy")))
        assert code == 1, out + err
        legacy = report(tmp_path / "legacy")
        assert not legacy["passed"]
        assert any("HTTP 400" in error for error in legacy["errors"])
    with emulator(TOKEN_A, RuleSwitches(reject_string_booleans=True)) as strict:
        # The dialect as Entra chooses it: the flag in the Tenant URL.
        flagged = ("--target", strict.scim_url + "?aadOptscim062020", "--users", "30")
        code, out, err = finish(
            load(*flagged, "--changes-per-cycle", "100%", "--duration", "2m", "--out", str(tmp_path / "flag"))
        )
        assert code == 0, out + err
        assert report(tmp_path / "flag")["plan"]["dialect"] == "aadOptscim062020"


def test_429_with_retry_after_suspends_and_retries(target: EmulatorServer, tmp_path: Path) -> None:
    with throttling_proxy(target.base_url, throttled_creates=3, retry_after=1) as throttle:
        code, out, err = finish(
            load(
                *("--target", throttle.url + "/scim/v2", "--users", "20", "--cycles", "0"),  # type: ignore[attr-defined]
                *("--out", str(tmp_path), "--duration", "2m"),
            )
        )
    # The throttling may pull a run this small under 25 requests/s (then the verdict rightly says so).
    assert code in (0, 1), out + err
    data = report(tmp_path)
    results = {c["requirement"].split(" (")[0]: c["result"] for c in data["checks"]}
    assert results["429 answers carry Retry-After, honoured"] == "pass"
    assert results["no errors other than 429"] == "pass"
    progress = data["progress"]
    assert progress["throttled"] == 3 and progress["retried_after_wait"] == 3
    assert progress["retried_after_wait_accepted"] == 3
    assert set(throttle.retried_at) == set(throttle.refused_at)
    # Honoured: no throttled request came back before its Retry-After had passed (a margin below only).
    assert all(throttle.retried_at[n] - throttle.refused_at[n] >= 0.9 for n in throttle.refused_at)
    assert data["verification"]["once"] == 20


def test_an_offered_rate_is_kept_and_below_25_the_gallery_bar_is_not_assessed(
    target: EmulatorServer, tmp_path: Path
) -> None:
    began = time.monotonic()
    code, out, err = finish(
        load(
            *("--target", target.scim_url, "--users", "10", "--cycles", "0", "--rate", "8"),
            *("--out", str(tmp_path), "--duration", "2m"),
        )
    )
    assert code == 0, out + err
    data = report(tmp_path)
    assert data["total"]["requests"] == 21  # a probe, then a match and a create per user
    assert time.monotonic() - began >= 20 / 8  # 21 requests at 8/s cannot take less than 2.5 s
    gallery = next(c for c in data["checks"] if "25 requests/s" in c["requirement"])
    assert gallery["result"] == "not assessed"


def test_locusts_web_ui_shows_the_run_while_it_goes(target: EmulatorServer, tmp_path: Path) -> None:
    port = free_port()
    process = load(
        *("--target", target.scim_url, "--users", "60", "--cycles", "0", "--rate", "20", "--web-ui"),
        *("--web-port", str(port), "--out", str(tmp_path), "--duration", "2m"),
    )
    seen: dict[str, Any] = {}
    deadline = time.monotonic() + 60
    while not seen and process.poll() is None and time.monotonic() < deadline:
        try:
            seen = httpx.get(f"http://127.0.0.1:{port}/stats/requests", timeout=2).json()
        except (httpx.HTTPError, ValueError):
            time.sleep(0.2)
    code, out, err = finish(process)
    assert code == 0, out + err
    assert seen.get("state") in ("spawning", "running")
    assert {"/Users?filter (match)", "/Users (create)", "Aggregated"} & {s["name"] for s in seen["stats"]}


def test_an_unreachable_target_is_exit_2_in_one_line(tmp_path: Path) -> None:
    code, _, err = finish(
        load("--target", "http://127.0.0.1:9/scim/v2", "--users", "1", "--out", str(tmp_path))
    )
    assert code == 2
    assert "unreachable" in err and "Traceback" not in err


def test_a_wrong_token_is_exit_2(target: EmulatorServer, tmp_path: Path) -> None:
    code, _, err = finish(
        load("--target", target.scim_url, "--users", "1", "--out", str(tmp_path), token="wrong-token-123456")
    )
    assert code == 2
    assert "refused the Secret Token" in err and "wrong-token-123456" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--master", "--worker"), "either --master or --worker"),
        (("--target", "http://127.0.0.1:9/scim/v2"), "--users N are needed"),
        (("--target", "http://127.0.0.1:9/x", "--users", "1", "--changes-per-cycle", "lots"), "not a share"),
        (("--target", "http://127.0.0.1:9/x", "--users", "1", "--duration", "forever"), "--duration"),
    ],
)
def test_usage_errors_are_exit_2(args: tuple[str, ...], message: str) -> None:
    code, _, err = finish(load(*args))
    assert code == 2
    assert message in err and "Traceback" not in err


def test_a_worker_without_a_master_gives_up_in_one_line() -> None:
    code, _, err = finish(load("--worker", "--master-port", str(free_port()), "--connect-wait", "5"))
    assert code == 2
    assert "no master answered" in err and "Traceback" not in err


def test_a_master_without_its_workers_gives_up_in_one_line(target: EmulatorServer, tmp_path: Path) -> None:
    code, _, err = finish(
        load(
            *("--master", "--expect-workers", "2", "--master-port", str(free_port()), "--connect-wait", "3"),
            *("--target", target.scim_url, "--users", "5", "--out", str(tmp_path)),
        )
    )
    assert code == 2
    assert "only 0 of 2 workers connected within 3 s" in err and "Traceback" not in err


def test_no_token_is_exit_2() -> None:
    code, _, err = finish(load("--target", "http://127.0.0.1:9/x", "--users", "1", token=None))
    assert code == 2 and "a Secret Token is needed" in err
