"""The rules of compare's normalisation and alignment, one per test (contract of compare.normalise, diff)."""

from __future__ import annotations

from datetime import timedelta

from scim_harness.compare import normalise
from scim_harness.compare.diff import ONLY_A, ONLY_B, Row, align, delta
from scim_harness.compare.lifecycle import LONG_DISPLAY_NAME, lifecycle_timeline
from scim_harness.compare.recorder import ABSENT, Exchange

LABELS = {"alice@contoso.example": "u1", "bob@contoso.example": "u2"}


def _exchange(
    method: str, path: str, request: object = None, status: int = 200, answer: object = None
) -> Exchange:
    return Exchange(0, timedelta(0), method, path, request, status, {}, answer, resource_id=None)


def _labels(*exchanges: Exchange) -> normalise.Labels:
    for exchange in exchanges:
        exchange.resource_id = exchange.resource_id or (
            answer.get("id") if isinstance(answer := exchange.response_body, dict) else None
        )
    return normalise.Labels(dict(LABELS)).learn(exchanges)


class TestLabels:
    def test_a_created_id_is_named_after_the_users_position(self) -> None:
        labels = _labels(_exchange("POST", "/Users", {"userName": "bob@contoso.example"}, 201, {"id": "7"}))
        assert labels.for_id("7") == "u2"

    def test_an_id_found_by_a_filter_is_named_after_its_user_name_in_any_case(self) -> None:
        answer = {"Resources": [{"id": "abc", "userName": "ALICE@contoso.example"}], "totalResults": 1}
        labels = _labels(_exchange("GET", "/Users?filter=x", answer=answer))
        assert labels.for_id("abc") == "u1"

    def test_an_unknown_id_is_a_question_mark(self) -> None:
        assert normalise.Labels({}).for_id("zzz") == "?"


class TestRequests:
    def test_a_probe_is_one_template_whatever_its_random_guid(self) -> None:
        labels = normalise.Labels(dict(LABELS))
        one = normalise.describe(
            _exchange("GET", "/Users?filter=userName+eq+%2211111111-2222-4333-8444-555555555555%22"), labels
        )
        two = normalise.describe(
            _exchange("GET", "/Users?filter=userName+eq+%22aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee%22"), labels
        )
        assert one == two == normalise.Request("probe", 'GET /Users?filter=userName eq "{random GUID}"')

    def test_a_match_names_the_user(self) -> None:
        request = normalise.describe(
            _exchange("GET", "/Users?filter=userName+eq+%22bob%40contoso.example%22"),
            normalise.Labels(dict(LABELS)),
        )
        assert request == normalise.Request("u2", 'GET /Users?filter=userName eq "{u2}"')

    def test_a_path_id_becomes_the_label(self) -> None:
        labels = normalise.Labels(dict(LABELS), {"1": "u1"})
        assert normalise.describe(_exchange("PATCH", "/Users/1"), labels).template == "PATCH /Users/{u1}"


class TestResources:
    def test_what_each_service_fills_in_itself_is_not_compared(self) -> None:
        labels = normalise.Labels(dict(LABELS), {"1": "u1", "f" * 32: "u1"})
        one = {
            "id": "1",
            "meta": {"resourceType": "User", "created": "2026-01-01T00:00:00Z", "location": "x"},
        }
        two = {"id": "f" * 32, "meta": {"resourceType": "User", "version": 'W/"3"', "lastModified": "y"}}
        assert normalise.resource(one, labels) == normalise.resource(two, labels)

    def test_the_resource_type_and_every_attribute_are_compared(self) -> None:
        labels = normalise.Labels({})
        one = normalise.resource({"meta": {"resourceType": "User"}, "userName": "a"}, labels)
        assert one != normalise.resource({"meta": {"resourceType": "Group"}, "userName": "a"}, labels)
        assert one != normalise.resource({"meta": {"resourceType": "User"}, "userName": "A"}, labels)

    def test_a_short_id_is_replaced_only_where_an_id_belongs(self) -> None:
        labels = normalise.Labels({}, {"1": "u1"})
        shown = normalise.resource({"id": "1", "nickName": "1", "manager": {"value": "1"}}, labels)
        assert shown == {"id": "{u1}", "nickName": "1", "manager": {"value": "{u1}"}}

    def test_timestamps_anywhere_are_masked(self) -> None:
        shown = normalise.resource({"x": "2026-01-05T09:00:00.123Z", "y": "2026"}, normalise.Labels({}))
        assert shown == {"x": "{timestamp}", "y": "2026"}

    def test_absent_stays_absent(self) -> None:
        assert normalise.resource(ABSENT, normalise.Labels({})) is ABSENT

    def test_the_error_type_is_the_scim_type_of_an_error(self) -> None:
        refused = _exchange(
            "PATCH", "/Users/1", status=400, answer={"status": "400", "scimType": "mutability"}
        )
        assert normalise.error_type(refused) == "mutability"
        assert normalise.error_type(_exchange("PATCH", "/Users/1", status=204)) is None


class TestAlignment:
    @staticmethod
    def _rows(a: list[str], b: list[str]) -> list[tuple[str, str]]:
        def row(x: str | None, y: str | None) -> Row:
            return Row("exchange", "", "", x or y or "", x, y)

        return [(r.what, r.kind) for r in align(a, b, lambda k: k, row)]

    def test_an_extra_request_on_one_side_leaves_the_rest_paired(self) -> None:
        assert self._rows(["p", "q", "r"], ["p", "r"]) == [("p", "same"), ("q", ONLY_A), ("r", "same")]

    def test_requests_only_the_other_side_sent(self) -> None:
        assert self._rows(["p"], ["p", "s"]) == [("p", "same"), ("s", ONLY_B)]

    def test_delta_shows_only_the_members_that_differ(self) -> None:
        a = {"userName": "a", "name": {"givenName": "A", "familyName": "Z"}}
        b = {"userName": "a", "name": {"givenName": "B", "familyName": "Z"}, "title": "x"}
        assert delta(a, b) == (
            {"name.givenName": "A", "title": "(absent)"},
            {"name.givenName": "B", "title": "x"},
        )


class TestLifecycle:
    def test_each_event_names_one_of_the_first_seven_users(self) -> None:
        users = [
            {"userPrincipalName": f"user{i}@contoso.example", "displayName": f"U {i}"} for i in range(1, 10)
        ]
        events = lifecycle_timeline(users)
        assert {e["user"] for e in events} == {f"user{i}@contoso.example" for i in range(1, 8)}
        assert len(LONG_DISPLAY_NAME) > 128  # over Kintone's User API limit (K§3)

    def test_a_small_tenant_gets_only_the_events_of_its_users(self) -> None:
        events = lifecycle_timeline([{"userPrincipalName": "a@contoso.example"}])
        assert [e["action"] for e in events] == ["update", "hard_delete"]
