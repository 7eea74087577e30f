"""Fixtures that build provisioning jobs against the recording SCIM server of tests/simulator/fake_scim.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from scim_harness.simulator.clock import VirtualClock
from scim_harness.simulator.engine import EngineSettings, ProvisioningJob
from scim_harness.simulator.mappings import MappingSet
from scim_harness.simulator.tenant import Tenant
from tests.simulator.fake_scim import TOKEN, FakeScim


@pytest.fixture
def scim() -> Iterator[FakeScim]:
    server = FakeScim().start()
    yield server
    server.stop()


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def tenant(clock: VirtualClock) -> Tenant:
    return Tenant(clock)


@pytest.fixture
def make_job(tenant: Tenant, clock: VirtualClock, scim: FakeScim) -> Iterator[Any]:
    jobs: list[ProvisioningJob] = []

    def build(
        *,
        flag: bool = False,
        settings: EngineSettings | None = None,
        mappings: MappingSet | None = None,
        url: str | None = None,
        token: str = TOKEN,
    ) -> ProvisioningJob:
        base = url or scim.url
        job = ProvisioningJob(
            tenant,
            base + ("?aadOptscim062020" if flag else ""),
            token,
            mappings or MappingSet.default(),
            clock,
            settings or EngineSettings(timeout_seconds=5.0, max_connections=4),
        )
        jobs.append(job)
        return job

    yield build
    for job in jobs:
        job.close()
