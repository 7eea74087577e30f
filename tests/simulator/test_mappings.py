"""Attribute mappings: the Kintone default set, Entra's generic set, flow rules and validation."""

import json

import pytest

from scim_harness.simulator.clock import VirtualClock
from scim_harness.simulator.mappings import ACTIVE_EXPRESSION, AttributeMapping, MappingError, MappingSet
from scim_harness.simulator.tenant import Tenant

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
SAMPLE = {
    "objectId": "0d7c3a52-7e61-4a0b-8d34-6b2f9c1e8a77",
    "userPrincipalName": "taro.yamada@contoso.example",
    "displayName": "山田 太郎",
    "givenName": "太郎",
    "surname": "山田",
    "mail": "taro.yamada@contoso.example",
    "mailNickname": "taro.yamada",
    "accountEnabled": True,
    "jobTitle": "課長",
    "department": "営業部",
    "employeeId": "E1",
    "IsSoftDeleted": False,
}


def test_kintone_default_set_evaluates_a_sample_user():
    assert MappingSet.default().evaluate_user(SAMPLE, on_create=True) == {
        "userName": "taro.yamada@contoso.example",
        "active": "True",
        "displayName": "山田 太郎",
        'emails[type eq "work"].value': "taro.yamada@contoso.example",
        "name.givenName": "太郎",
        "name.familyName": "山田",
        "externalId": "taro.yamada",
    }


def test_kintone_default_set_shape():
    mappings = MappingSet.default()
    assert mappings.provision_groups is False
    assert [m.target for m in mappings.matching_attributes()] == ["userName"]
    active = next(m for m in mappings.user_mappings if m.target == "active")
    assert active.source == ACTIVE_EXPRESSION and active.mapping_type == "Expression"
    assert [(m.target, m.source) for m in mappings.group_mappings] == [
        ("displayName", "[displayName]"),
        ("members", "[members]"),
        ("externalId", "[objectId]"),
    ]


def test_active_is_the_string_false_for_a_soft_deleted_user():
    values = MappingSet.default().evaluate_user({**SAMPLE, "IsSoftDeleted": True}, on_create=False)
    assert values["active"] == "False"


def test_entra_generic_default_set_maps_the_reference_table():
    values = MappingSet.entra_default_scim().evaluate_user(
        {**SAMPLE, "mobile": "+81 90", "proxyAddresses": ["smtp:t@x.example"]}, on_create=True
    )
    assert values["title"] == "課長"
    assert values[f"{ENTERPRISE}:department"] == "営業部"
    assert values[f"{ENTERPRISE}:employeeNumber"] == "E1"
    assert values['phoneNumbers[type eq "mobile"].value'] == "+81 90"
    assert values['emails[type eq "other"].value'] == ["smtp:t@x.example"]
    assert values["name.formatted"] == "太郎 山田"
    assert 'phoneNumbers[type eq "fax"].value' not in values
    assert MappingSet.entra_default_scim().provision_groups is True


def test_null_values_do_not_flow():
    values = MappingSet.default().evaluate_user(
        {"userPrincipalName": "a@c", "IsSoftDeleted": False}, on_create=True
    )
    assert values == {"userName": "a@c", "active": "True"}


def test_default_if_null_applies_only_on_create():
    mappings = MappingSet(
        [
            AttributeMapping("userName", "[userPrincipalName]", matching_precedence=1),
            AttributeMapping("title", "[jobTitle]", default_if_null="Staff"),
        ]
    )
    assert mappings.evaluate_user({"userPrincipalName": "a"}, on_create=True)["title"] == "Staff"
    assert "title" not in mappings.evaluate_user({"userPrincipalName": "a"}, on_create=False)
    assert (
        mappings.evaluate_user({"userPrincipalName": "a", "jobTitle": "CEO"}, on_create=True)["title"]
        == "CEO"
    )


def test_on_create_mappings_flow_only_on_create():
    mappings = MappingSet(
        [
            AttributeMapping("userName", "[userPrincipalName]", matching_precedence=1),
            AttributeMapping("nickName", "[mailNickname]", apply_on="OnCreate"),
        ]
    )
    source = {"userPrincipalName": "a", "mailNickname": "nick"}
    assert mappings.evaluate_user(source, on_create=True)["nickName"] == "nick"
    assert "nickName" not in mappings.evaluate_user(source, on_create=False)


def test_matching_values_follow_precedence_and_skip_nulls():
    mappings = MappingSet(
        [
            AttributeMapping("externalId", "[mailNickname]", matching_precedence=2),
            AttributeMapping('emails[type eq "work"].value', "[mail]", matching_precedence=3),
            AttributeMapping("userName", "[userPrincipalName]", matching_precedence=1),
        ]
    )
    assert [m.target for m in mappings.matching_attributes()] == [
        "userName",
        "externalId",
        'emails[type eq "work"].value',
    ]
    assert mappings.matching_values({"userPrincipalName": "u", "mail": "m"}) == [
        ("userName", "u"),
        ('emails[type eq "work"].value', "m"),
    ]


def test_constant_and_bare_direct_sources_are_normalised():
    direct = AttributeMapping("displayName", "displayName")
    constant = AttributeMapping("userType", 'Say "hi"', mapping_type="Constant")
    assert direct.source == "[displayName]"
    assert constant.evaluate({}, on_create=True) == 'Say "hi"'


def test_mappings_evaluate_against_a_tenant_source_view():
    tenant = Tenant(VirtualClock())
    user = tenant.add_user(userPrincipalName="a@c.example", displayName="A", assigned=True)
    mappings = MappingSet.default()
    assert mappings.evaluate_user(tenant.source_view(user.id), on_create=True)["active"] == "True"
    tenant.block_sign_in(user.id)
    assert mappings.evaluate_user(tenant.source_view(user.id), on_create=False)["active"] == "False"


def test_round_trip_through_a_file(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps(MappingSet.entra_default_scim().to_dict()))
    loaded = MappingSet.load(path)
    assert loaded.to_dict() == MappingSet.entra_default_scim().to_dict()
    assert loaded.source_attributes() >= {"userPrincipalName", "IsSoftDeleted", "mail"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {
                "userMappings": [
                    {"target": "userName", "source": "[upn]", "matchingPrecedence": 1},
                    {"target": "active", "source": "Swich([IsSoftDeleted])", "type": "Expression"},
                ]
            },
            "mapping to 'active': unknown function 'Swich' at position 0",
        ),
        (
            {
                "userMappings": [
                    {"target": "userName", "source": "[upn]", "matchingPrecedence": 1},
                    {"target": "UserName", "source": "[mail]"},
                ]
            },
            "target 'UserName' is mapped twice",
        ),
        ({"userMappings": [{"target": "userName", "source": "[upn]"}]}, "must be a matching attribute"),
        (
            {
                "userMappings": [
                    {"target": "userName", "source": "[upn]", "matchingPrecedence": 1},
                    {"target": "externalId", "source": "[x]", "matchingPrecedence": 1},
                ]
            },
            "share a matching precedence",
        ),
        ({"userMappings": [{"source": "[upn]"}]}, "has no target"),
        ({"userMappings": [{"target": "userName", "source": "[a]", "type": "Magic"}]}, "type must be one of"),
        (
            {
                "userMappings": [
                    {
                        "target": "x",
                        "source": 'Join(" ", [a], [b])',
                        "type": "Direct",
                        "matchingPrecedence": 1,
                    }
                ]
            },
            "a Direct mapping names one",
        ),
        ({"groupMappings": []}, "'userMappings' \\(required\\)"),
        (
            {
                "provisionGroups": True,
                "userMappings": [{"target": "userName", "source": "[a]", "matchingPrecedence": 1}],
                "groupMappings": [{"target": "displayName", "source": "[displayName]"}],
            },
            "group mappings: at least one mapping must be a matching attribute",
        ),
    ],
)
def test_invalid_mapping_sets_are_refused_with_a_clear_error(data, message):
    with pytest.raises(MappingError, match=message):
        MappingSet.from_dict(data)


def test_load_names_the_file_in_errors(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"userMappings": [{"target": "userName", "source": "[a"}]}))
    with pytest.raises(MappingError, match=r"bad\.json: mapping to 'userName': unclosed '\['"):
        MappingSet.load(path)
