"""Golden tests: every request kind of entra-provisioning.md, in both dialects, equals the documented BYTES.

Each request is produced by the real engine over real HTTP and captured by the recording server. A golden file
(tests/simulator/golden/*.http) holds one request as Microsoft's docs show it: a `#` line citing the source,
the request line, the headers that matter, a blank line and the body, byte for byte (key order, separators,
escaping). Where a doc lays JSON out over several lines, the golden holds the compact form in the documented
key order: that layout is the doc's, the order is Entra's. Generated values are placeholders: `<guid>` (a
random probe GUID), `{id}` (the target id), `<member>`, `<manager>`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from scim_harness.simulator.engine import EngineSettings
from scim_harness.simulator.mappings import MappingSet
from scim_harness.simulator.tenant import Tenant
from tests.simulator.fake_scim import FakeScim, Recorded

GOLDEN = Path(__file__).parent / "golden"
BASE = "/scim/v2"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
ACTIVE = 'Switch([IsSoftDeleted], , "False", "True", "True", "False")'
DIALECTS = [pytest.param(False, id="legacy"), pytest.param(True, id="aadOptscim062020")]
GUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@dataclass(frozen=True)
class Golden:
    reference: str
    method: str
    target: str
    headers: dict[str, str]
    body: bytes | None


def golden(name: str) -> Golden:
    text = (GOLDEN / name).read_text(encoding="utf-8")
    head, blank, body = text.partition("\n\n")
    lines = head.splitlines()
    reference = " ".join(line[1:].strip() for line in lines if line.startswith("#"))
    request, *header_lines = [line for line in lines if not line.startswith("#")]
    method, target = request.split(" ", 1)
    headers = dict(line.split(": ", 1) for line in header_lines)
    return Golden(reference, method, target, headers, body.rstrip("\n").encode("utf-8") if blank else None)


def assert_golden(request: Recorded, name: str, **values: str) -> None:
    """The recorded request is the golden one: method, path and query, headers, and the body's bytes."""
    expected = golden(name)
    assert expected.reference, f"{name} cites no source"
    assert request.method == expected.method
    target = request.path.removeprefix(BASE) + (f"?{request.raw_query}" if request.raw_query else "")
    pattern = re.escape(expected.target.replace("{id}", values.get("id", ""))).replace(
        re.escape("<guid>"), GUID
    )
    assert re.fullmatch(pattern, target), (target, expected.target)
    for header, value in expected.headers.items():
        assert request.headers.get(header) == value, header
    if expected.body is None:
        assert request.raw == b"" and "Content-Type" not in request.headers
        return
    body = expected.body.decode("utf-8")
    for placeholder in ("member", "manager"):
        body = body.replace(f"<{placeholder}>", values.get(placeholder, f"<{placeholder}>"))
    assert request.raw.decode("utf-8") == body
    assert request.raw == body.encode("utf-8")


def mapping_set(*pairs: tuple[str, str], groups: bool = False) -> MappingSet:
    user_mappings = [{"target": "userName", "source": "[userPrincipalName]", "matchingPrecedence": 1}]
    user_mappings += [
        {"target": target, "source": source, "type": "Expression" if "(" in source else "Direct"}
        for target, source in pairs
    ]
    group_mappings = [
        {"target": "displayName", "source": "[displayName]", "matchingPrecedence": 1},
        {"target": "externalId", "source": "[objectId]"},
        {"target": "members", "source": "[members]"},
    ]
    return MappingSet.from_dict(
        {
            "userMappings": user_mappings,
            "groupMappings": group_mappings if groups else [],
            "provisionGroups": groups,
        }
    )


ALL_USER_MAPPINGS = mapping_set(
    ("active", ACTIVE),
    ("displayName", "[displayName]"),
    ('emails[type eq "work"].value', "[mail]"),
    ("name.givenName", "[givenName]"),
    ("name.familyName", "[surname]"),
    ("externalId", "[mailNickname]"),
    (f"{ENTERPRISE}:employeeNumber", "[employeeId]"),
)


@pytest.mark.parametrize("flag", DIALECTS)
def test_connection_probe_is_the_documented_user_query(flag, make_job, scim: FakeScim) -> None:
    assert make_job(flag=flag).test_connection().success
    assert_golden(scim.requests[0], "probe_user.http")
    assert "Accept" not in scim.requests[0].headers or "scim" not in scim.requests[0].headers["Accept"]
    assert scim.requests[0].headers["Authorization"].startswith("Bearer ")


@pytest.mark.parametrize("flag", DIALECTS)
def test_connection_probes_groups_when_groups_are_provisioned(flag, make_job, scim: FakeScim) -> None:
    assert make_job(flag=flag, mappings=mapping_set(groups=True)).test_connection().success
    assert [r.path for r in scim.requests] == [f"{BASE}/Users", f"{BASE}/Groups"]
    assert_golden(scim.requests[1], "probe_group.http")


@pytest.mark.parametrize("flag", DIALECTS)
def test_match_query_and_create_are_the_documented_ones(
    flag, tenant: Tenant, make_job, scim: FakeScim
) -> None:
    tenant.add_user(
        assigned=True,
        userPrincipalName="Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
        mail="Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com",
        givenName="givenName",
        surname="familyName",
        mailNickname="0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
    )
    mappings = mapping_set(
        ("active", ACTIVE),
        ('emails[type eq "work"].value', "[mail]"),
        ("name.formatted", 'Join(" ", [givenName], [surname])'),
        ("name.familyName", "[surname]"),
        ("name.givenName", "[givenName]"),
        ("externalId", "[mailNickname]"),
    )
    make_job(flag=flag, mappings=mappings).run_cycle()
    probe, match, create = scim.requests
    assert_golden(probe, "probe_user.http")
    assert_golden(match, "match_user.http")
    assert_golden(create, "create_user.http")


def _seeded_update(tenant: Tenant, scim: FakeScim, old: dict[str, str], new: dict[str, str]) -> str:
    """A target user matching by userName whose other attributes are `old`; the source holds `new`."""
    target_id = scim.seed_user(
        userName="u@contoso.com",
        displayName=old["displayName"],
        emails=[{"type": "work", "value": old["mail"], "primary": True}],
        name={"givenName": old["givenName"], "familyName": old["surname"]},
        externalId=old["mailNickname"],
        **{ENTERPRISE: {"employeeNumber": old["employeeId"]}},
    )
    tenant.add_user(assigned=True, userPrincipalName="u@contoso.com", **new)
    return target_id


_OLD = dict(displayName="a", mail="a@x.com", givenName="b", surname="c", mailNickname="d", employeeId="e")
# One update of several attributes per dialect: the target's values before, the source's after.
_SEVERAL = {
    "legacy": (
        _OLD,
        dict(
            displayName="Pvlo",
            mail="TestBcwqnm@test.microsoft.com",
            givenName="Gtfd",
            surname="Pkqf",
            mailNickname="Eqpj",
            employeeId="Eqpj",
        ),
    ),
    "flag": (
        dict(_OLD, mailNickname="same"),
        dict(
            displayName="Bjfe",
            mail="TestMhvaes@test.microsoft.com",
            givenName="Kkom",
            surname="Unua",
            mailNickname="same",
            employeeId="Aklq",
        ),
    ),
}


@pytest.mark.parametrize("dialect", sorted(_SEVERAL))
def test_replace_several_attributes(tenant: Tenant, make_job, scim: FakeScim, dialect: str) -> None:
    old, new = _SEVERAL[dialect]
    target_id = _seeded_update(tenant, scim, old, new)
    make_job(flag=dialect == "flag", mappings=ALL_USER_MAPPINGS).run_cycle()
    assert_golden(scim.sent("PATCH")[0], f"patch_replace_many_{dialect}.http", id=target_id)


def test_email_and_family_name_legacy(tenant: Tenant, make_job, scim: FakeScim) -> None:
    old = dict(
        displayName="a", mail="old@x.com", givenName="b", surname="old", mailNickname="d", employeeId="e"
    )
    new = dict(old, mail="updatedEmail@microsoft.com", surname="updatedFamilyName")
    target_id = _seeded_update(tenant, scim, old, new)
    make_job(mappings=ALL_USER_MAPPINGS).run_cycle()
    assert_golden(scim.sent("PATCH")[0], "patch_email_family_legacy.http", id=target_id)


@pytest.mark.parametrize(
    ("flag", "name"), [(False, "patch_username_legacy.http"), (True, "patch_username_flag.http")]
)
def test_username_change_of_a_linked_user(flag, name, tenant: Tenant, make_job, scim: FakeScim) -> None:
    user = tenant.add_user(assigned=True, userPrincipalName="before@testuser.com")
    job = make_job(flag=flag, mappings=mapping_set())
    job.run_cycle()
    target_id = job.target_id(user.id)
    tenant.update_user(user.id, userPrincipalName="5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com")
    scim.clear()
    job.run_cycle()
    get, patch = scim.requests[1:]
    assert (get.method, get.path) == ("GET", f"{BASE}/Users/{target_id}")  # read the state first (§4)
    assert_golden(patch, name, id=target_id)


@pytest.mark.parametrize(
    ("flag", "name"), [(False, "patch_add_string_legacy.http"), (True, "patch_add_string_flag.http")]
)
def test_add_single_valued_string(flag, name, tenant: Tenant, make_job, scim: FakeScim) -> None:
    target_id = scim.seed_user(userName="babs@contoso.com")
    tenant.add_user(assigned=True, userPrincipalName="babs@contoso.com", displayName="Babs")
    make_job(flag=flag, mappings=mapping_set(("nickName", "[displayName]"))).run_cycle()
    assert_golden(scim.sent("PATCH")[0], name, id=target_id)


@pytest.mark.parametrize("flag", DIALECTS)
def test_disable_enable_and_delete(flag, tenant: Tenant, make_job, scim: FakeScim) -> None:
    dialect = "flag" if flag else "legacy"
    user = tenant.add_user(assigned=True, userPrincipalName="d@contoso.com", displayName="D")
    job = make_job(flag=flag, mappings=mapping_set(("active", ACTIVE), ("displayName", "[displayName]")))
    job.run_cycle()
    target_id = job.target_id(user.id)

    tenant.block_sign_in(user.id)
    scim.clear()
    job.run_cycle()
    read, disable = scim.requests[1:]
    assert_golden(read, "read_user.http", id=target_id)
    assert_golden(disable, f"disable_{dialect}.http", id=target_id)

    tenant.unblock_sign_in(user.id)
    scim.clear()
    job.run_cycle()
    assert_golden(scim.sent("PATCH")[0], f"enable_{dialect}.http", id=target_id)

    tenant.soft_delete(user.id)
    job.run_cycle()  # soft-deleted: still managed, disabled (already)
    tenant.hard_delete(user.id)
    scim.clear()
    job.run_cycle()
    # "GET calls will always precede other actions (POST/PATCH/DELETE)" (Q-CONC): a read, then the DELETE.
    read, delete = scim.requests[1:]
    assert_golden(read, "read_user.http", id=target_id)
    assert_golden(delete, "delete_user.http", id=target_id)


@pytest.mark.parametrize("flag", DIALECTS)
def test_group_calls(flag, tenant: Tenant, make_job, scim: FakeScim) -> None:
    dialect = "flag" if flag else "legacy"
    member = tenant.add_user(assigned=True, userPrincipalName="m@contoso.com")
    group = tenant.add_group(
        "displayName", [member.id], id="8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", assigned=True
    )
    job = make_job(flag=flag, mappings=mapping_set(groups=True))
    job.run_cycle()
    member_id = job.target_id(member.id)
    group_requests = scim.sent(path=f"{BASE}/Groups.*")
    probe, match, create, add = group_requests
    assert_golden(probe, "probe_group.http")
    assert_golden(match, "match_group.http")
    assert_golden(create, "create_group.http")
    group_id = job.target_id(group.id)
    assert_golden(add, f"group_add_member_{dialect}.http", id=group_id, member=member_id)
    assert scim.groups[group_id]["members"] == [{"value": member_id}]

    scim.clear()
    # The tenant has no rename call: the member removal records the group as changed; the rename rides along.
    # The member stays in scope through its direct assignment, so only the membership changes.
    tenant.groups[group.id].display_name = "Renamed"
    tenant.remove_group_member(group.id, member.id)
    job.run_cycle()
    read, rename, remove = scim.sent(path=f"{BASE}/Groups/.*")
    assert_golden(read, "read_group.http", id=group_id)
    assert_golden(rename, f"group_rename_{dialect}.http", id=group_id)
    assert_golden(remove, f"group_remove_member_{dialect}.http", id=group_id, member=member_id)
    assert scim.groups[group_id]["members"] == []

    scim.clear()
    tenant.unassign_group(group.id)
    job.run_cycle()
    assert_golden(scim.sent("DELETE")[0], "delete_group.http", id=group_id)
    assert group_id not in scim.groups


@pytest.mark.parametrize("flag", DIALECTS)
def test_manager_is_set_on_its_own_patch_after_the_users(
    flag, tenant: Tenant, make_job, scim: FakeScim
) -> None:
    dialect = "flag" if flag else "legacy"
    worker = tenant.add_user(assigned=True, userPrincipalName="w@contoso.com", manager="boss@contoso.com")
    boss = tenant.add_user(assigned=True, userPrincipalName="boss@contoso.com")
    mappings = mapping_set(("displayName", "[displayName]"), (f"{ENTERPRISE}:manager", "[manager]"))
    job = make_job(flag=flag, mappings=mappings)
    job.run_cycle()
    worker_id, boss_id = job.target_id(worker.id), job.target_id(boss.id)
    methods = [r.method for r in scim.requests]
    # Both users are created first, then the reference (D-HOW step 5), on a PATCH of its own.
    assert sorted(methods) == ["GET", "GET", "GET", "PATCH", "POST", "POST"] and methods[-1] == "PATCH"
    assert all("manager" not in str(r.body) for r in scim.sent("POST"))
    assert_golden(scim.requests[-1], f"manager_{dialect}.http", id=worker_id, manager=boss_id)
    entry = job.logs.for_user(worker.id)[-1]
    assert "referenceResolution" in [s.provisioningStepType for s in entry.provisioningSteps]

    scim.clear()
    tenant.update_user(worker.id, displayName="Changed")  # the manager is unchanged: no reference PATCH
    job.run_cycle()
    assert [r.method for r in scim.requests] == ["GET", "GET", "PATCH"]
    assert "manager" not in scim.requests[-1].raw.decode()


def test_an_unprovisioned_manager_is_not_referenced(tenant: Tenant, make_job, scim: FakeScim) -> None:
    tenant.add_user(assigned=False, userPrincipalName="boss@contoso.com")
    worker = tenant.add_user(assigned=True, userPrincipalName="w@contoso.com", manager="boss@contoso.com")
    job = make_job(mappings=mapping_set((f"{ENTERPRISE}:manager", "[manager]")))
    job.run_cycle()
    assert scim.sent("PATCH") == []  # the manager is out of scope: not resolved until a restart (D-KNOWN)
    steps = job.logs.for_user(worker.id)[-1].provisioningSteps
    assert steps[-1].provisioningStepType == "referenceResolution" and steps[-1].status == "Skipped"


def test_operations_first_is_a_setting(tenant: Tenant, make_job, scim: FakeScim) -> None:
    user = tenant.add_user(assigned=True, userPrincipalName="d@contoso.com")
    job = make_job(
        mappings=mapping_set(("active", ACTIVE)),
        settings=EngineSettings(patch_operations_first=True, timeout_seconds=5.0),
    )
    job.run_cycle()
    tenant.block_sign_in(user.id)
    job.run_cycle()
    assert scim.sent("PATCH")[0].raw == (
        b'{"Operations":[{"op":"Replace","path":"active","value":"False"}],'
        b'"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}'
    )


def test_empty_roles_in_a_create_is_a_setting(tenant: Tenant, make_job, scim: FakeScim) -> None:
    tenant.add_user(assigned=True, userPrincipalName="r@contoso.com")
    make_job(mappings=mapping_set(), settings=EngineSettings(create_empty_roles=False)).run_cycle()
    assert b'"roles"' not in scim.sent("POST")[0].raw


def test_every_golden_cites_its_source_and_parses() -> None:
    for path in GOLDEN.glob("*.http"):
        parsed = golden(path.name)
        assert parsed.reference and "entra-provisioning.md" in parsed.reference, path.name
        assert parsed.method in ("GET", "POST", "PATCH", "DELETE"), path.name
    assert not list(GOLDEN.glob("*.json")), "goldens are .http files compared as bytes"
