"""flows.copy_flow: the capture's cheap copy of a flow is mitmproxy's copy, state for state, and redacting it
leaves the live flow (still being served) as it is."""

from __future__ import annotations

import pytest
from mitmproxy import http
from mitmproxy.test import tflow

from scim_harness.capture.flows import copy_flow, redacted_flow
from scim_harness.common.redact import REDACTED, Redactor

SECRET = "tok-5d1f0c2e9b7a4e31"


def _flows() -> list[http.HTTPFlow]:
    with_trailers = tflow.tflow(resp=True)
    with_trailers.request.trailers = http.Headers(x_check=b"1")
    return [tflow.tflow(resp=True), tflow.tflow(err=True), tflow.tflow(resp=True, err=True), with_trailers]


def _state_without_id(flow: http.HTTPFlow) -> dict:
    state = flow.get_state()
    state.pop("id")
    return state


class TestCopyFlow:
    @pytest.mark.parametrize("flow", _flows(), ids=["answered", "no answer", "answer and error", "trailers"])
    def test_the_copy_has_the_state_of_mitmproxys_own_copy(self, flow: http.HTTPFlow) -> None:
        flow.live = True
        assert _state_without_id(copy_flow(flow)) == _state_without_id(flow.copy())

    def test_the_copy_is_a_new_flow_that_is_not_live(self) -> None:
        flow = tflow.tflow(resp=True)
        flow.live = True
        copy = copy_flow(flow)
        assert copy.id != flow.id
        assert copy.live is False

    def test_changing_the_copys_headers_and_metadata_leaves_the_flow_alone(self) -> None:
        flow = tflow.tflow(resp=True)
        copy = copy_flow(flow)
        copy.request.headers["x-added"] = "1"
        copy.response.headers["x-added"] = "1"  # type: ignore[union-attr]
        copy.metadata["added"] = True
        assert "x-added" not in flow.request.headers
        assert "x-added" not in flow.response.headers  # type: ignore[union-attr]
        assert "added" not in flow.metadata


class TestRedactedFlow:
    def test_secrets_leave_the_copy_and_stay_in_the_live_flow(self) -> None:
        flow = tflow.tflow(resp=True)
        flow.request.headers["authorization"] = f"Bearer {SECRET}"
        flow.request.path = f"/scim/v2/Users?token={SECRET}"
        flow.request.text = f'{{"password": "{SECRET}"}}'
        flow.response.text = f'{{"echo": "{SECRET}"}}'  # type: ignore[union-attr]
        copy = redacted_flow(flow, Redactor([SECRET]))
        assert copy.request.headers["authorization"] == REDACTED
        for text in (copy.request.path, copy.request.text, copy.response.text):  # type: ignore[union-attr]
            assert SECRET not in (text or "")
        assert flow.request.headers["authorization"] == f"Bearer {SECRET}"
        assert SECRET in flow.request.path and SECRET in flow.request.text
        assert SECRET in flow.response.text  # type: ignore[union-attr]
