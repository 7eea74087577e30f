"""Provisioning logs: Entra's shape, filtering, JSON and table output, and no secret in any of them."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from rich.console import Console

from scim_harness.simulator.tenant import Tenant
from tests.simulator.fake_scim import TOKEN, FakeScim, add_person


def test_entries_have_entra_shape(tenant: Tenant, make_job, scim: FakeScim) -> None:
    alice = add_person(tenant, "alice")
    job = make_job()
    summary = job.run_cycle()
    (entry,) = json.loads(job.logs.to_json())
    assert re.fullmatch(r"scim\.[0-9a-f]{32}\.[0-9a-f-]{36}", entry["jobId"])
    assert entry["cycleId"] == summary.cycle_id and entry["changeId"] and entry["id"]
    assert entry["action"] == "Create" and entry["status"] == "Success"
    assert entry["initiatedBy"] == {"displayName": "Azure AD Provisioning Service"}
    assert entry["activityDateTime"].endswith("Z")
    assert entry["sourceIdentity"]["id"] == alice
    assert entry["targetIdentity"]["id"] == job.target_id(alice)
    assert [s["provisioningStepType"] for s in entry["provisioningSteps"]] == [
        "import",
        "scoping",
        "matching",
        "processing",
        "export",
    ]
    assert {"displayName": "active", "oldValue": None, "newValue": "True"} in entry["modifiedProperties"]
    assert set(entry["statusInfo"]) == {"errorCode", "reason", "additionalDetails", "recommendedAction"}
    assert isinstance(entry["durationInMilliseconds"], int)


def test_failures_carry_error_code_and_never_the_token(
    tenant: Tenant, make_job, scim: FakeScim, tmp_path: Path
) -> None:
    alice = add_person(tenant, "alice")
    # A careless server that echoes the Authorization header in its error body.
    scim.fail("POST", "/Users$", 500, body={"detail": f"upstream said: Bearer {TOKEN}"})
    job = make_job()
    job.run_cycle()
    (entry,) = job.logs.for_user(alice)
    assert entry.statusInfo.errorCode == "InternalServerError"
    assert TOKEN not in entry.statusInfo.reason and "[REDACTED]" in entry.statusInfo.reason
    path = tmp_path / "logs.json"
    job.logs.write(path)
    console = Console(record=True, width=200, file=io.StringIO())
    console.print(job.logs.as_table())
    table = console.export_text()
    for text in (job.logs.to_json(), path.read_text(encoding="utf-8"), table):
        assert TOKEN not in text
    assert "InternalServerError" in table


def test_for_user_and_for_cycle(tenant: Tenant, make_job, scim: FakeScim) -> None:
    alice = add_person(tenant, "alice")
    bob = add_person(tenant, "bob")
    job = make_job()
    first = job.run_cycle()
    tenant.update_user(bob, displayName="Robert")
    second = job.run_cycle()
    assert [e.action for e in job.logs.for_user(bob)] == ["Create", "Update"]
    assert [e.action for e in job.logs.for_user(alice)] == ["Create"]
    assert len(job.logs.for_cycle(first.cycle_id)) == 2 and len(job.logs.for_cycle(second.cycle_id)) == 1


def test_out_of_scope_changes_are_logged_as_skipped(tenant: Tenant, make_job, scim: FakeScim) -> None:
    outsider = add_person(tenant, "out", assigned=False)
    job = make_job()
    job.run_cycle()
    tenant.update_user(outsider, displayName="Changed")
    job.run_cycle()
    (entry,) = job.logs.for_user(outsider)
    assert (entry.action, entry.status) == ("Other", "Skipped")
    assert scim.sent("POST") == []
