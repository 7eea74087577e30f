"""The engine against real SCIM servers over loopback: python-scim's scim2-server and our emulator."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from scim_harness.emulator.config import EmulatorConfig
from scim_harness.emulator.server import EmulatorServer
from scim_harness.simulator.clock import VirtualClock
from scim_harness.simulator.engine import EngineSettings, ProvisioningJob
from scim_harness.simulator.mappings import MappingSet
from scim_harness.simulator.tenant import Tenant
from tests import third_party_scim
from tests.simulator.fake_scim import TOKEN, add_person

DIALECTS = [pytest.param("", id="legacy"), pytest.param("?aadOptscim062020", id="aadOptscim062020")]


@pytest.fixture(scope="module")
def scim2_server() -> Iterator[str]:
    """python-scim's scim2-server (a strict RFC 7643/7644 server) with bearer-token auth, in a thread."""
    with third_party_scim.scim2_server(TOKEN) as url:
        yield url


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorConfig(seed_token=TOKEN)) as server:
        yield server


def _lifecycle(url: str, mappings: MappingSet, prefix: str, settings: EngineSettings | None = None):
    clock = VirtualClock()
    tenant = Tenant(clock)
    user = add_person(tenant, prefix)
    job = ProvisioningJob(tenant, url, TOKEN, mappings, clock, settings)
    return tenant, user, job


@pytest.mark.parametrize("flag", DIALECTS)
def test_user_lifecycle_against_scim2_server(scim2_server: str, flag: str) -> None:
    tenant, user, job = _lifecycle(scim2_server + flag, MappingSet.default(), f"life{len(flag)}")
    with job:
        assert job.test_connection().success
        job.start()
        assert job.run_cycle().count("Create", "Success") == 1
        tenant.update_user(
            user, displayName="Renamed", surname="Other"
        )  # several replaces: merged with the flag
        assert job.run_cycle().count("Update", "Success") == 1
        tenant.block_sign_in(user)
        assert job.run_cycle().count("Disable", "Success") == 1
        tenant.unblock_sign_in(user)
        assert job.run_cycle().count("Update", "Success") == 1
        tenant.soft_delete(user)
        tenant.hard_delete(user)  # purged from the recycle bin (the 30-day purge is in test_engine.py)
        job.run_cycle()
        assert [e.action for e in job.logs.for_user(user)][-1] == "Delete"
        assert job.logs.for_user(user)[-1].status == "Success"
        assert job.status.escrows == 0


def test_documented_group_body_is_refused_by_a_strict_server(scim2_server: str) -> None:
    """Entra's documented POST /Groups carries a Microsoft schema URI a strict server rejects; the observed
    form (core schema only, members []) passes. Both forms are settings: this is why."""
    mappings = MappingSet.entra_default_scim()
    tenant, user, job = _lifecycle(scim2_server, mappings, "grp1")
    group = tenant.add_group("Strict", [user], assigned=True)
    with job:
        job.run_cycle()
        entry = job.logs.for_user(group.id)[-1]
        assert entry.statusInfo.errorCode == "SystemForCrossDomainIdentityManagementBadRequest"

    tenant, user, job = _lifecycle(
        scim2_server, mappings, "grp2", EngineSettings(group_create_form="observed")
    )
    group = tenant.add_group("Observed", [user], assigned=True)
    with job:
        job.run_cycle()
        entry = job.logs.for_user(group.id)[-1]
        assert (entry.action, entry.status) == ("Create", "Success")
        assert [p.newValue for p in entry.modifiedProperties if p.displayName == "members"] == [
            job.target_id(user)
        ]


@pytest.mark.parametrize("flag", DIALECTS)
def test_user_lifecycle_against_the_emulator(emulator: EmulatorServer, flag: str) -> None:
    tenant, user, job = _lifecycle(emulator.scim_url + flag, MappingSet.default(), f"emu{len(flag)}")
    with job:
        assert job.test_connection().success
        job.start()
        assert job.run_cycle().count("Create", "Success") == 1
        tenant.update_user(user, displayName="Renamed", surname="Other")
        assert job.run_cycle().count("Update", "Success") == 1
        tenant.unassign_user(user)
        assert job.run_cycle().count("Disable", "Success") == 1
        tenant.assign_user(user)
        assert job.run_cycle().count("Update", "Success") == 1  # re-matched and re-enabled, not re-created
        assert job.logs.for_user(user)[-1].modifiedProperties[0].displayName == "active"
        tenant.soft_delete(user)
        assert job.run_cycle().count("Disable", "Success") == 1
        tenant.hard_delete(user)
        job.advance(timedelta(minutes=40))
        assert job.logs.for_user(user)[-1].action == "Delete"
        assert job.status.escrows == 0


def test_bad_token_against_the_emulator_quarantines(emulator: EmulatorServer) -> None:
    tenant, _user, job = _lifecycle(emulator.scim_url, MappingSet.default(), "badtoken")
    job = ProvisioningJob(tenant, emulator.scim_url, "not-the-token", MappingSet.default(), tenant.clock)
    with job:
        result = job.test_connection()
        assert not result.success and result.message.startswith(
            "You appear to have entered invalid credentials"
        )
        job.start()
        job.run_cycle()
        assert job.status.state == "Quarantined"
