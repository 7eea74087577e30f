"""One way to configure the job: `configure()` and the setters reach the next request, over real HTTP.

Each test changes one thing between cycles and reads the recording server: the change is on the wire, and
Entra's rule for it holds (mappings and scope: a new initial cycle; Tenant URL and token: links kept).
"""

from __future__ import annotations

import dataclasses

import pytest

from scim_harness.common.scim_wire import Dialect
from scim_harness.simulator.engine import EngineSettings
from scim_harness.simulator.mappings import AttributeMapping, MappingError, MappingSet
from scim_harness.simulator.scoping import ScopingFilter
from scim_harness.simulator.tenant import Tenant
from tests.simulator.fake_scim import TOKEN, FakeScim, add_person

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
DEPARTMENT_AND_TITLE = [
    AttributeMapping(target=f"{ENTERPRISE}:department", source="[department]"),
    AttributeMapping(target="title", source="[jobTitle]"),
]


def _with_department_and_title(mappings: MappingSet) -> MappingSet:
    return dataclasses.replace(mappings, user_mappings=[*mappings.user_mappings, *DEPARTMENT_AND_TITLE])


def test_a_mapping_added_before_the_first_cycle_is_in_the_post(
    tenant: Tenant, make_job, scim: FakeScim
) -> None:
    add_person(tenant, "nora", department="Research", jobTitle="Engineer")
    job = make_job()
    job.configure(mappings=_with_department_and_title(job.mappings))
    job.run_cycle()
    (post,) = scim.sent("POST")
    assert post.body[ENTERPRISE] == {"department": "Research"} and post.body["title"] == "Engineer"


def test_a_mapping_added_between_cycles_reaches_the_next_patch_in_a_new_initial_cycle(
    tenant: Tenant, make_job, scim: FakeScim
) -> None:
    nora = add_person(tenant, "nora", department="Research", jobTitle="Engineer")
    job = make_job()
    job.run_cycle()
    assert "title" not in scim.sent("POST")[0].body
    target = job.target_id(nora)
    scim.clear()
    job.mappings = _with_department_and_title(job.mappings)  # the setter is configure(mappings=...)
    summary = job.run_cycle()
    assert summary.kind == "initial"  # D-HOW: a mapping change runs a new initial cycle
    assert job.target_id(nora) == target  # links are kept
    (patch,) = scim.sent("PATCH")
    assert {op["path"]: op["value"] for op in patch.body["Operations"]} == {
        f"{ENTERPRISE}:department": "Research",
        "title": "Engineer",
    }


def test_unchanged_mappings_keep_the_watermark(tenant: Tenant, make_job) -> None:
    add_person(tenant, "nora")
    job = make_job()
    job.run_cycle()
    job.configure(mappings=MappingSet.default())  # equal to the current set
    assert job.run_cycle().kind == "incremental"


def test_group_provisioning_switched_on_sends_groups_next_cycle(
    tenant: Tenant, make_job, scim: FakeScim
) -> None:
    omar = add_person(tenant, "omar")
    tenant.add_group("Sales", [omar], assigned=True)
    job = make_job()
    job.run_cycle()
    assert scim.sent(path=".*/Groups.*") == []
    job.configure(provision_groups=True)
    assert job.mappings.provision_groups
    scim.clear()
    job.run_cycle()
    groups = [(r.method, r.path.rsplit("/scim/v2", 1)[1]) for r in scim.sent(path=".*/Groups.*")]
    assert ("POST", "/Groups") in groups and any(method == "PATCH" for method, _ in groups)
    assert next(iter(scim.groups.values()))["displayName"] == "Sales"


def test_group_provisioning_needs_group_mappings_and_a_refusal_changes_nothing(make_job) -> None:
    mappings = dataclasses.replace(MappingSet.default(), group_mappings=[])
    job = make_job(mappings=mappings)
    with pytest.raises(MappingError, match="matching attribute"):
        job.configure(provision_groups=True, secret_token="never-used")
    assert job.mappings is mappings and not job.mappings.provision_groups


def test_a_new_token_is_used_by_the_next_request_and_keeps_links(
    tenant: Tenant, make_job, scim: FakeScim
) -> None:
    alice = add_person(tenant, "alice")
    job = make_job()
    job.run_cycle()
    target = job.target_id(alice)
    scim.token = "rotated-token-987654321"
    job.configure(secret_token="rotated-token-987654321")
    scim.clear()
    assert job.test_connection().success
    assert scim.requests[0].headers["Authorization"] == "Bearer rotated-token-987654321"
    tenant.update_user(alice, displayName="Renamed")
    summary = job.run_cycle()
    assert summary.kind == "incremental" and job.target_id(alice) == target
    assert all(r.headers["Authorization"] == "Bearer rotated-token-987654321" for r in scim.requests)
    assert "rotated-token-987654321" not in job.logs.to_json()


def test_a_new_tenant_url_with_the_flag_changes_the_patch_form(
    tenant: Tenant, make_job, scim: FakeScim
) -> None:
    alice = add_person(tenant, "alice")
    job = make_job()
    job.run_cycle()
    assert job.dialect is Dialect.LEGACY
    job.configure(tenant_url=scim.url + "?aadOptscim062020")
    assert job.dialect is Dialect.COMPLIANT and job.tenant_url == scim.url + "?aadOptscim062020"
    tenant.block_sign_in(alice)
    scim.clear()
    summary = job.run_cycle()
    assert summary.kind == "incremental"  # a new URL keeps the watermark and the links
    assert scim.sent("PATCH")[0].body["Operations"] == [{"op": "replace", "path": "active", "value": False}]
    assert "aadOptscim062020" not in scim.requests[0].raw_query


def test_the_dialect_setter_edits_the_tenant_url(tenant: Tenant, make_job, scim: FakeScim) -> None:
    job = make_job(url=scim.url + "?code=1")
    job.dialect = Dialect.COMPLIANT
    assert job.tenant_url == scim.url + "?code=1&aadOptscim062020"
    job.dialect = "legacy"
    assert job.tenant_url == scim.url + "?code=1" and job.dialect is Dialect.LEGACY


def test_a_new_tenant_url_sends_the_next_request_elsewhere(tenant: Tenant, make_job, scim: FakeScim) -> None:
    other = FakeScim().start()
    try:
        job = make_job()
        assert job.test_connection().success
        job.configure(tenant_url=other.url)
        assert job.test_connection().success
        assert len(scim.requests) == 1 and len(other.requests) == 1
    finally:
        other.stop()


def test_an_invalid_tenant_url_changes_nothing(make_job, scim: FakeScim) -> None:
    job = make_job()
    with pytest.raises(ValueError, match="http"):
        job.configure(tenant_url="ftp://x/scim", secret_token="other")
    assert job.test_connection().success  # same URL, same token


def test_scope_all_provisions_unassigned_users_in_a_new_initial_cycle(
    tenant: Tenant, make_job, scim: FakeScim
) -> None:
    add_person(tenant, "alice")
    bob = add_person(tenant, "bob", assigned=False)
    job = make_job()
    job.run_cycle()
    assert job.target_id(bob) is None
    job.configure(scope="all")
    assert job.run_cycle().kind == "initial" and job.target_id(bob) is not None


def test_a_scoping_filter_disables_users_it_leaves_out(tenant: Tenant, make_job, scim: FakeScim) -> None:
    alice = add_person(tenant, "alice", department="Sales")
    contractor = add_person(tenant, "carl", department="Contractors")
    job = make_job()
    job.run_cycle()
    job.configure(
        scoping_filter=ScopingFilter.from_dict(
            [[{"attribute": "department", "operator": "EQUALS", "value": "Sales"}]]
        )
    )
    assert job.run_cycle().kind == "initial"
    assert scim.user_named("carl@contoso.com")["active"] is False and job.target_id(contractor) is None
    assert scim.user_named("alice@contoso.com")["active"] is True and job.target_id(alice)
    job.configure(scoping_filter=None)
    assert tenant.scoping_filter is None


def test_settings_apply_to_the_next_request(tenant: Tenant, make_job, scim: FakeScim) -> None:
    job = make_job()
    job.configure(settings=EngineSettings(request_headers=(("client-request-id", "abc"),), max_connections=2))
    assert job.settings.max_connections == 2
    job.test_connection()
    assert scim.requests[-1].headers["client-request-id"] == "abc"
    job.settings = EngineSettings()
    job.test_connection()
    assert "client-request-id" not in scim.requests[-1].headers


def test_make_job_token_is_the_fixture_token(make_job, scim: FakeScim) -> None:
    make_job().test_connection()
    assert scim.requests[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_a_bad_token_refuses_the_whole_change(make_job) -> None:
    job = make_job()
    before = job.mappings
    with pytest.raises(ValueError, match="printable ASCII"):
        job.configure(mappings=_with_department_and_title(before), secret_token="two words")
    assert job.mappings is before
    with pytest.raises(ValueError, match="ScopingFilter"):
        job.configure(scoping_filter="department eq Sales")
