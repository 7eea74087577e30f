"""What the target service offers, for the whole run: `target_service` (session), and the gate of the
`@groups` scenarios, which are "not applicable" on a service without Groups, with the reason
(`steps.support.service.discover_offer`: /ResourceTypes, or `groups = true|false` in the configuration)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scim_harness.config import SuiteConfig
from scim_harness.drivers import TargetDriver
from scim_harness.drivers.protocol_probe import ProtocolProbe
from scim_harness.steps.support.service import ServiceOffer, discover_offer

GROUPS_MARK = "groups"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{GROUPS_MARK}: a Groups behaviour; not applicable on a service without Groups"
    )


@pytest.fixture(scope="session")
def target_service(suite_config: SuiteConfig, target_driver: TargetDriver) -> Iterator[ServiceOffer]:
    """What the target offers (Groups), decided once per run."""
    probe = ProtocolProbe(target_driver.scim_url, target_driver.secret_token, timeout=suite_config.timeout)
    try:
        yield discover_offer(probe, suite_config.groups)
    finally:
        probe.close()


@pytest.fixture(autouse=True)
def _groups_gate(request: pytest.FixtureRequest) -> None:
    """A @groups scenario on a service without Groups is not applicable, with the reason."""
    if request.node.get_closest_marker(GROUPS_MARK) is None:
        return
    offer: ServiceOffer = request.getfixturevalue("target_service")
    if not offer.groups:
        pytest.skip(offer.not_applicable)
