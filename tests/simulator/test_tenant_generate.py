"""Generated tenants: unique identifiers, Japanese names, determinism, size."""

from scim_harness.simulator.clock import VirtualClock
from scim_harness.simulator.generate import generate_tenant


def test_unique_upns_and_nicknames_at_scale():
    tenant = generate_tenant(20_000, VirtualClock(), locale="mix", seed=7)
    users = list(tenant.users.values())
    assert len(users) == 20_000
    assert len({u.attributes["userPrincipalName"].lower() for u in users}) == 20_000
    assert len({u.attributes["mailNickname"] for u in users}) == 20_000
    assert all(tenant.in_scope(u.id) for u in users[:100])


def test_ja_jp_users_have_japanese_names_and_ascii_upns():
    tenant = generate_tenant(50, VirtualClock(), locale="ja_JP", seed=1)
    for user in tenant.users.values():
        attrs = user.attributes
        assert any("\u4e00" <= ch <= "\u9fff" for ch in attrs["displayName"] + attrs["surname"])
        assert attrs["displayName"] == f"{attrs['surname']} {attrs['givenName']}"
        assert attrs["userPrincipalName"].isascii()


def test_mix_has_both_locales_and_same_seed_gives_same_tenant():
    first = generate_tenant(200, VirtualClock(), locale="mix", seed=3)
    second = generate_tenant(200, VirtualClock(), locale="mix", seed=3)
    assert first.to_graph_json() == second.to_graph_json()
    languages = {u.attributes["preferredLanguage"] for u in first.users.values()}
    assert languages == {"ja-JP", "en-US"}


def test_unassigned_generation_and_adding_to_an_existing_tenant():
    tenant = generate_tenant(10, VirtualClock(), seed=5, assigned=False)
    generate_tenant(10, VirtualClock(), seed=5, assigned=False, tenant=tenant)
    assert len(tenant.users) == 20
    assert not any(tenant.is_assigned(u) for u in tenant.users)
