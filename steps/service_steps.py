"""Steps about the service as a whole: its discovery documents (RFC 7644 §4), paging (RFC 7644 §3.4.2.4)."""

from __future__ import annotations

import pytest
from pytest_bdd import step, then

from scim_harness.drivers.protocol_probe import ProtocolProbe
from scim_harness.reporting.verdicts import verdict
from scim_harness.steps.support.paging import MAX_USERS, Walk, missing, walk_users
from scim_harness.steps.support.people import People
from scim_harness.steps.support.service import (
    groups_served,
    resource_types_problems,
    schemas_problems,
    service_provider_config_problems,
)

# ---- discovery ----


@then("the service provider configuration says updates and filters are supported")
@verdict(
    entra="does not read it for a custom app (no impact on provisioning itself); gallery onboarding, the "
    "Microsoft SCIM Validator and every discovering client read it to learn that PATCH and filters work",
    source="RFC 7644 §4 and RFC 7643 §5 (/ServiceProviderConfig); D-SCIM (PATCH and filter are required)",
)
def service_provider_config(protocol_probe: ProtocolProbe) -> None:
    answer = protocol_probe.discover("/ServiceProviderConfig")
    problems = service_provider_config_problems(answer)
    assert not problems, f"/ServiceProviderConfig: {'; '.join(problems)} ({answer.summary()})"


@then("the resource types describe exactly the users and groups the service serves")
@verdict(
    entra="does not read them for a custom app; a client that discovers Groups from /ResourceTypes (scim2 "
    "tools, the Microsoft SCIM Validator, this suite's groups = auto) provisions no groups, or expects "
    "groups the service does not have",
    source="RFC 7644 §4 (/ResourceTypes), RFC 7643 §6",
)
def resource_types(protocol_probe: ProtocolProbe) -> None:
    served = groups_served(protocol_probe)
    answer = protocol_probe.discover("/ResourceTypes")
    problems = resource_types_problems(answer, served)
    assert not problems, f"/ResourceTypes: {'; '.join(problems)} ({answer.summary()})"


@then("the schemas describe the users and groups the service serves")
@verdict(
    entra="reads /Schemas for gallery apps when the provisioning configuration is opened or saved (attribute "
    "discovery fails without it); custom apps are not affected",
    source="D-SCIM §8 (/Schemas for gallery apps), RFC 7644 §4, RFC 7643 §7",
)
def schemas(protocol_probe: ProtocolProbe) -> None:
    served = groups_served(protocol_probe)
    answer = protocol_probe.discover("/Schemas")
    problems = schemas_problems(answer, served)
    assert not problems, f"/Schemas: {'; '.join(problems)} ({answer.summary()})"


# ---- paging ----


@step("Entra ID pages through every user of the service", target_fixture="user_pages")
def page_through(protocol_probe: ProtocolProbe) -> Walk:
    walk = walk_users(protocol_probe)
    if walk.too_many:
        pytest.skip(
            f"not applicable: the service holds {walk.total} users; the suite pages through {MAX_USERS} at"
            " most"
        )
    return walk


@then("each page holds what it was asked for and says so")
@verdict(
    entra="Account Discovery (ID Governance) pages through all users with startIndex and count: pages that "
    "ignore them or miscount repeat or skip users, which are then never correlated",
    source="D-DISCOVER; D-SCIM (startIndex and count are required); RFC 7644 §3.4.2 and §3.4.2.4",
)
def pages_right(user_pages: Walk) -> None:
    assert not user_pages.problems, f"paging: {'; '.join(user_pages.problems)}"


@then("every user is listed exactly once, the users of this scenario among them")
@verdict(
    entra="Account Discovery never sees the users that paging skips (startIndex read from 0, totalResults "
    "counting one page), so they are never correlated with Entra's users",
    source="D-DISCOVER; RFC 7644 §3.4.2.4 (startIndex is 1-based, totalResults counts every match)",
)
def every_user_once(user_pages: Walk, people: People) -> None:
    ours = [person.login_name for person in people]
    assert not user_pages.problems, f"paging: {'; '.join(user_pages.problems)}"
    absent = missing(user_pages, ours)
    assert not absent, (
        f"paging through {user_pages.pages} pages (totalResults {user_pages.total}) never listed {absent}"
    )
