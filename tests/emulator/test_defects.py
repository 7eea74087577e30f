"""The defect catalogue: at least 40 realistic defects in every category, each with what it does to Entra
and a source. Each switch really changes the service's behaviour over HTTP: one case per defect and profile,
the correct behaviour with the switch off and the defect with it on. The switches are test-only, and refused
where they would change nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
from click.testing import CliRunner

from scim_harness.common.errors import HarnessError
from scim_harness.emulator.admin_client import AdminClient
from scim_harness.emulator.cli import emulator as emulator_cli
from scim_harness.emulator.config import EmulatorConfig
from scim_harness.emulator.defects import CATALOGUE, Category, DefectSwitches
from scim_harness.emulator.server import EmulatorServer
from tests.emulator.conftest import ADMIN_PASSWORD, SEED_TOKEN
from tests.emulator.defect_probes import LATENCY_S, PROBES, Probe

CASES = [(defect.name, profile) for defect in CATALOGUE for profile in defect.profiles]


@pytest.fixture
def servers(request: pytest.FixtureRequest) -> dict[str, str]:
    return {"kintone": "emulator_server", "generic": "generic_server"}


@pytest.mark.parametrize(("name", "profile"), CASES, ids=[f"{n}-{p}" for n, p in CASES])
def test_each_defect_turns_the_correct_behaviour_wrong(
    name: str, profile: str, request: pytest.FixtureRequest
) -> None:
    server: EmulatorServer = request.getfixturevalue(
        "emulator_server" if profile == "kintone" else "generic_server"
    )
    with AdminClient(server.base_url, server.admin_login, ADMIN_PASSWORD) as admin:
        probe = Probe(server.scim_url, SEED_TOKEN)
        try:
            admin.reset()
            assert PROBES[name](probe) is True, "the correct service fails the probe"
            admin.reset()
            admin.defects({name: True}, latency_seconds=LATENCY_S)
            assert PROBES[name](probe) is False, "the defect does not show"
        finally:
            probe.close()
            admin.reset()


def test_the_catalogue_has_at_least_40_defects_with_several_in_each_category() -> None:
    assert len(CATALOGUE) >= 40 and len({d.name for d in CATALOGUE}) == len(CATALOGUE)
    counts = Counter(d.category for d in CATALOGUE)
    assert set(counts) == set(Category) and min(counts.values()) >= 3


@pytest.mark.parametrize("defect", CATALOGUE, ids=lambda d: d.name)
def test_each_entry_says_what_it_does_to_entra_and_where_that_comes_from(defect: object) -> None:
    assert defect.description and defect.entra_effect and defect.source  # type: ignore[attr-defined]
    assert set(defect.profiles) <= {"kintone", "generic"} and defect.profiles  # type: ignore[attr-defined]


def test_every_defect_has_a_probe() -> None:
    assert set(PROBES) == {d.name for d in CATALOGUE}


def test_switches_are_off_by_default_and_reset_restores_the_start(admin: AdminClient) -> None:
    assert admin.defects().enabled == []
    assert admin.defects({"filter_ignored": True}).enabled == ["filter_ignored"]
    admin.reset()
    assert admin.defects().enabled == []


def test_a_generic_only_defect_is_refused_on_the_kintone_profile(admin: AdminClient) -> None:
    with pytest.raises(HarnessError, match="not in the kintone profile"):
        admin.defects({"group_rename_ignored": True})
    with pytest.raises(ValueError, match="not in the kintone profile"):
        EmulatorConfig(defects=DefectSwitches({"group_rename_ignored"}))


def test_unknown_names_and_bad_parameters_are_refused_and_change_nothing(admin_http: httpx.Client) -> None:
    for body in (
        {"switches": {"no_such_defect": True}},
        {"switches": {"filter_ignored": "yes"}},
        {"parameters": {"latency_seconds": -1}},
        {"parameters": {"latency_seconds": 1e300}},
        {"parameters": {"nothing": 1}},
        {"switches": {"filter_ignored": True}, "parameters": {"latency_seconds": "slow"}},
        ["filter_ignored"],
    ):
        response = admin_http.put("/_emulator/defects", json=body)
        assert response.status_code == 400, body
    assert not any(admin_http.get("/_emulator/defects").json()["switches"].values())


def test_defects_can_be_switched_on_at_start() -> None:
    config = EmulatorConfig(
        seed_token=SEED_TOKEN, admin_password=ADMIN_PASSWORD, defects={"create_200_instead_of_201"}
    )
    with EmulatorServer(config) as server, httpx.Client(base_url=server.scim_url, timeout=10) as client:
        response = client.post(
            "/Users",
            json={"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "start"},
            headers={"Authorization": f"Bearer {SEED_TOKEN}"},
        )
        assert response.status_code == 200


@pytest.fixture
def cli() -> Iterator[CliRunner]:
    yield CliRunner()


def test_the_cli_lists_the_catalogue_as_a_table_and_as_json(cli: CliRunner) -> None:
    import json

    listed = cli.invoke(emulator_cli, ["defects", "--json"])
    assert listed.exit_code == 0
    assert [row["name"] for row in json.loads(listed.output)] == [d.name for d in CATALOGUE]
    table = cli.invoke(emulator_cli, ["defects"], env={"COLUMNS": "400"})
    assert table.exit_code == 0 and f"{len(CATALOGUE)} SCIM-service defects" in table.output
    generic_only = json.loads(cli.invoke(emulator_cli, ["defects", "--json", "--profile", "kintone"]).output)
    assert all("kintone" in row["profiles"] for row in generic_only)
