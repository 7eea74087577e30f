"""Scoping filters: Entra's operators, AND within a group, OR across groups, and loading."""

import pytest

from scim_harness.simulator.clock import VirtualClock
from scim_harness.simulator.scoping import ScopingClause, ScopingFilter, ScopingFilterError
from scim_harness.simulator.tenant import Tenant


@pytest.mark.parametrize(
    ("operator", "value", "attributes", "expected"),
    [
        ("EQUALS", "Sales", {"department": "Sales"}, True),
        ("EQUALS", "Sales", {"department": "sales"}, False),  # case-sensitive
        ("NOT EQUALS", "Sales", {"department": "Legal"}, True),
        ("NOT EQUALS", "Sales", {}, True),
        ("IS TRUE", None, {"department": True}, True),
        ("IS TRUE", None, {"department": "True"}, True),
        ("IS FALSE", None, {"department": False}, True),
        ("IS FALSE", None, {}, False),
        ("IS NULL", None, {}, True),
        ("IS NULL", None, {"department": "x"}, False),
        ("IS NOT NULL", None, {"department": "x"}, True),
        ("REGEX MATCH", r"^Sa.*s$", {"department": "Sales"}, True),
        ("REGEX MATCH", r"^Sa.*s$", {}, False),
        ("NOT REGEX MATCH", r"^Sa", {"department": "Legal"}, True),
        ("Greater_Than", "10", {"department": "11"}, True),
        ("Greater_Than", "10", {"department": 10}, False),
        ("Greater_Than_OR_EQUALS", "10", {"department": 10}, True),
        ("Less_Than", "10", {"department": 9}, True),
        ("Less_Than_OR_EQUALS", "10", {"department": "abc"}, False),
        ("Includes", "ale", {"department": "Sales"}, True),
        ("Includes", "ale", {"department": ["HR", "Sales"]}, True),
        ("NOT Includes", "ale", {"department": "Legal"}, True),
        ("&", "2", {"department": 6}, True),
        ("!&", "1", {"department": 6}, True),
    ],
)
def test_each_operator(operator, value, attributes, expected):
    assert ScopingClause("department", operator, value).matches(attributes) is expected


def test_and_within_a_group_or_across_groups():
    scope = ScopingFilter.from_dict(
        {
            "groups": [
                {
                    "clauses": [
                        {"attribute": "department", "operator": "EQUALS", "value": "Sales"},
                        {"attribute": "country", "operator": "EQUALS", "value": "JP"},
                    ]
                },
                [{"attribute": "jobTitle", "operator": "EQUALS", "value": "CEO"}],
            ]
        }
    )
    assert scope.matches({"department": "Sales", "country": "JP"})
    assert not scope.matches({"department": "Sales", "country": "US"})
    assert scope.matches({"jobTitle": "CEO"})
    assert ScopingFilter().matches({})


def test_graph_shape_loads_and_round_trips():
    scope = ScopingFilter.from_dict(
        {
            "groups": [
                {
                    "clauses": [
                        {
                            "sourceOperandName": "department",
                            "operatorName": "EQUALS",
                            "targetOperand": {"kind": "Constant", "values": ["Sales"]},
                        }
                    ]
                }
            ]
        }
    )
    assert scope.matches({"department": "Sales"})
    assert ScopingFilter.from_dict(scope.to_dict()) == scope


@pytest.mark.parametrize(
    ("clause", "message"),
    [
        ({"attribute": "a", "operator": "LIKE", "value": "x"}, "unknown scoping operator 'LIKE'"),
        ({"attribute": "a", "operator": "EQUALS"}, "needs a value"),
        ({"attribute": "a", "operator": "REGEX MATCH", "value": "("}, "bad regex"),
        ({"operator": "EQUALS", "value": "x"}, "lacks 'attribute'"),
    ],
)
def test_bad_clauses_are_refused(clause, message):
    with pytest.raises(ScopingFilterError, match=message):
        ScopingFilter.from_dict([[clause]])


def test_changing_the_filter_marks_every_user_changed():
    tenant = Tenant(VirtualClock())
    ids = [
        tenant.add_user(userPrincipalName=f"u{i}@c", assigned=True, department="Sales").id for i in range(3)
    ]
    mark = tenant.watermark()
    tenant.set_scoping_filter(ScopingFilter.single(ScopingClause("department", "EQUALS", "Legal")))
    assert tenant.changes_since(mark) == ids
    assert all(tenant.is_soft_deleted(i) for i in ids)
