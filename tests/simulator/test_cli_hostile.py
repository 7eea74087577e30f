"""Hostile tenant files, mapping files and option values: one `error:` line, exit code 2, nothing sent.

Each case once gave a traceback or grew without bound (issue 10); each names what is wrong and where.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from scim_harness.cli import main
from scim_harness.simulator.files import MB
from tests.simulator.fake_scim import TOKEN, FakeScim

GOOD_USER = {"userPrincipalName": "a@contoso.com", "assigned": True}
DEEP = "[" * 100_000 + "]" * 100_000


def run(scim: FakeScim, *args: str, env: dict[str, str] | None = None):
    result = CliRunner().invoke(
        main, ["simulate", "--target", scim.url, *args], env=env or {"SCIM_HARNESS_TOKEN": TOKEN}
    )
    assert "Traceback" not in result.output + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert result.exit_code == 2 and len(errors) == 1, (result.exit_code, result.stderr)
    assert scim.requests == []
    return errors[0]


def _write(tmp_path: Path, content: str | bytes, name: str = "file.json") -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


TENANTS = [
    ({"users": [{"userPrincipalName": 5}]}, "users[0].userPrincipalName must be a string"),
    ({"users": [{"userPrincipalName": ""}]}, "userPrincipalName must be a non-empty string"),
    ({"users": [{"userPrincipalName": "a@b", "displayName": {"x": 1}}]}, "users[0].displayName must be"),
    ({"users": [{"userPrincipalName": "a@b", "accountEnabled": [1]}]}, "accountEnabled must be true or"),
    ({"users": [{"userPrincipalName": "a@b", "id": 7}]}, "users[0].id must be a non-empty string"),
    ({"users": [{"userPrincipalName": "a@b", "deletedDateTime": 5}]}, "not an ISO 8601"),
    ([GOOD_USER], "must be a JSON object"),
    ({"users": {"a": 1}}, "must be JSON lists"),
    ({"users": [GOOD_USER], "scope": 5}, "scope must be"),
    (
        {"users": [GOOD_USER], "scopingFilter": {"groups": [[{"attribute": 5, "operator": "EQUALS"}]]}},
        "scopingFilter: a scoping clause names an attribute",
    ),
    ({"users": [GOOD_USER], "scopingFilter": {"groups": [["x"]]}}, "must be a JSON object"),
    (
        {"users": [GOOD_USER], "scopingFilter": {"groups": [[{"attribute": "a", "operator": 3}]]}},
        "a scoping operator must be text",
    ),
    ({"users": [GOOD_USER], "groups": [{"displayName": 5}]}, "groups[0] must be a JSON object with"),
    ({"users": [GOOD_USER], "groups": [{"displayName": "G", "members": "a"}]}, "members must be a list"),
    ({"users": [GOOD_USER], "groups": [{"displayName": "G", "members": [5]}]}, "a member must be"),
    ({"users": [GOOD_USER], "assignments": 5}, "'assignments' must be a list"),
    ({"users": [GOOD_USER], "timeline": [{"at": "99999999999d", "action": "stop"}]}, "longer than"),
    ({"users": [GOOD_USER], "timeline": [{"at": -1, "action": "stop"}]}, "non-negative"),
    ({"users": [GOOD_USER], "timeline": {"at": 1}}, "must be a JSON list"),
    ({"users": [GOOD_USER], "timeline": [{"at": "1h", "action": "x" * 10_000}]}, "unknown action"),
]


@pytest.mark.parametrize(("data", "message"), TENANTS, ids=[m for _, m in TENANTS])
def test_hostile_tenant_files(scim: FakeScim, tmp_path: Path, data: object, message: str) -> None:
    assert message in run(scim, "--tenant", _write(tmp_path, json.dumps(data)))


def test_a_hostile_timeline_event_stops_the_run_with_one_line(scim: FakeScim, tmp_path: Path) -> None:
    """The event is played during the run, after Test Connection: the run stops, one line, code 2."""
    event = {"at": "1h", "action": "update", "user": "a@contoso.com", "set": {"userPrincipalName": 5}}
    path = _write(tmp_path, json.dumps({"users": [GOOD_USER], "timeline": [event]}))
    result = CliRunner().invoke(
        main, ["simulate", "--target", scim.url, "--tenant", path], env={"SCIM_HARNESS_TOKEN": TOKEN}
    )
    assert result.exit_code == 2 and "Traceback" not in result.output + result.stderr
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert "timeline[0]: update: userPrincipalName must be a non-empty string" in line


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'\xff\xfe{"users": []}', "is not UTF-8 text (byte 0xff at offset 0)"),
        (DEEP, "nests JSON values too deeply"),
        ('{"users": [{"userPrincipalName": "a@b", "x": NaN}]}', "NaN is not a JSON value"),
        ('{"users": [', "is not valid JSON"),
        ("", "is not valid JSON"),
    ],
    ids=["invalid UTF-8", "100,000 deep", "NaN", "truncated", "empty"],
)
def test_unreadable_tenant_files(scim: FakeScim, tmp_path: Path, content: str | bytes, message: str) -> None:
    assert message in run(scim, "--tenant", _write(tmp_path, content))


def test_file_sizes_are_bounded(scim: FakeScim, tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    with big.open("wb") as handle:
        handle.truncate(65 * MB)  # sparse: nothing is written, nothing must be read
    assert "is larger than 64.0 MB" in run(scim, "--tenant", str(big))
    mappings = tmp_path / "mappings.json"
    with mappings.open("wb") as handle:
        handle.truncate(2 * MB)
    assert "is larger than 1.0 MB" in run(scim, "--users", "1", "--mappings", str(mappings))
    assert "is not a regular file" in run(scim, "--tenant", "/dev/zero")


MAPPING_USER = {"target": "userName", "source": "[userPrincipalName]", "matchingPrecedence": 1}
MAPPINGS = [
    ({"userMappings": [MAPPING_USER, {"target": 5, "source": "[x]"}]}, "has no target"),
    ({"userMappings": [MAPPING_USER, {"target": "bad path!", "source": "[x]"}]}, "is not a SCIM attribute"),
    ({"userMappings": [MAPPING_USER, {"target": "title", "source": 5}]}, "has no source"),
    (
        {
            "userMappings": [
                MAPPING_USER,
                {"target": "title", "source": "Not(" * 200 + "True" + ")" * 200, "type": "Expression"},
            ]
        },
        "nested more than 64 deep",
    ),
    (
        {
            "userMappings": [
                MAPPING_USER,
                {"target": "title", "source": '"' + "x" * 20_000 + '"', "type": "Expression"},
            ]
        },
        "longer than 10,000 characters",
    ),
    ({"userMappings": [{"target": "userName", "source": "[u]", "matchingPrecedence": True}]}, "whole number"),
    ({"userMappings": [MAPPING_USER, {"target": "title", "source": "[t]", "defaultIfNull": 5}]}, "string"),
    ({"groupMappings": []}, "'userMappings' (required)"),
    ({"userMappings": [MAPPING_USER] * 501}, "at most 500 mappings"),
    ({"userMappings": [MAPPING_USER], "provisionGroups": "yes"}, "'provisionGroups' must be true or false"),
]


@pytest.mark.parametrize(("data", "message"), MAPPINGS, ids=[m for _, m in MAPPINGS])
def test_hostile_mapping_files(scim: FakeScim, tmp_path: Path, data: object, message: str) -> None:
    path = _write(tmp_path, json.dumps(data), "mappings.json")
    assert message in run(scim, "--users", "1", "--mappings", path)


def test_unreadable_mapping_files(scim: FakeScim, tmp_path: Path) -> None:
    assert "nests JSON values too deeply" in run(scim, "--users", "1", "--mappings", _write(tmp_path, DEEP))
    bad = _write(tmp_path, b"\xc3\x28", "m.json")
    assert "is not UTF-8" in run(scim, "--users", "1", "--mappings", bad)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--users", "1", "--timeout", "nan"], "'nan' is not a number from 0.1 to 3600"),
        (["--users", "1", "--timeout", "inf"], "is not a number from"),
        (["--users", "1", "--timeout", "0"], "is not a number from"),
        (["--users", "1", "--run", "99999999999d"], "longer than the longest run"),
        (["--users", "1", "--run", "-5h"], "not a duration"),
        (["--users", "1", "--run", "1e400s"], "not a duration"),
        (["--users", "99999999999"], "is not in the range 0<=x<=250000"),
        (["--users", "-1"], "is not in the range"),
        (["--users", "1", "--max-connections", "100000"], "is not in the range 1<=x<=256"),
        (["--users", "1", "--seed", "-4"], "is not in the range"),
        (["--users", "1", "--max-time", "0s"], "--max-time must be more than zero"),
        (["--users", "1", "--max-time", "99999999999d"], "--max-time"),
        (["--users", "1", "--progress-every", "nan"], "is not a number"),
        (["--users", "1", "--locale", "xx"], "'xx' is not one of"),
    ],
)
def test_hostile_option_values(scim: FakeScim, args: list[str], message: str) -> None:
    assert message in run(scim, *args)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("ftp://example.com/scim", "must be an http(s) URL"),
        ("http://[::1", "not a valid URL"),
        ("http://h:99999/scim", "Port out of range"),
        ("http://h/scim\nx", "printable characters"),
    ],
)
def test_hostile_tenant_urls(scim: FakeScim, target: str, message: str) -> None:
    result = CliRunner().invoke(
        main, ["simulate", "--target", target, "--users", "1"], env={"SCIM_HARNESS_TOKEN": TOKEN}
    )
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_a_token_that_cannot_be_a_header(scim: FakeScim) -> None:
    message = run(scim, "--users", "1", env={"SCIM_HARNESS_TOKEN": "abc\r\nX-Injected: 1"})
    assert "printable ASCII" in message and "Injected" not in message
