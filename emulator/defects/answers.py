"""The defects that change an answer: each a small rewrite of the correct service's response."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from scim2_server.responses import ScimResponse

from scim_harness.common.scim_wire import ERROR_SCHEMA, GROUP_SCHEMA
from scim_harness.emulator.defects.requests import Parsed, is_malformed_patch
from scim_harness.emulator.defects.switches import DefectSwitches


@dataclass
class RawResponse(ScimResponse):
    """An answer whose body is not JSON (errors_as_html)."""

    raw: bytes = b""


_EQ_FILTER = re.compile(r'^\s*(?P<attr>userName|displayName)\s+eq\s+"(?P<value>[^"\\]*)"\s*$', re.I)


def _filtered_list(response: ScimResponse, keep: Any) -> None:
    """Leave out of a ListResponse the resources `keep` refuses, as a server filtering too much does."""
    body = response.body
    if not (isinstance(body, dict) and isinstance(body.get("Resources"), list)):
        return
    kept = [resource for resource in body["Resources"] if keep(resource)]
    dropped = len(body["Resources"]) - len(kept)
    body["Resources"] = kept
    body["totalResults"] = max(0, int(body.get("totalResults", 0)) - dropped)
    if "itemsPerPage" in body:
        body["itemsPerPage"] = len(kept)


def searches(
    parsed: Parsed, response: ScimResponse, defects: DefectSwitches, start_index: str | None
) -> None:
    """Filter and paging defects on a ListResponse."""
    body = response.body
    if parsed.method != "GET" or response.status != HTTPStatus.OK or not isinstance(body, dict):
        return
    if "Resources" not in body or "totalResults" not in body:
        return
    scim_filter = parsed.request.query.get("filter", "")
    match = _EQ_FILTER.match(scim_filter)
    if match and parsed.endpoint == "users" and defects.on("filter_username_case_sensitive"):
        _filtered_list(response, lambda r: r.get("userName", match["value"]) == match["value"])
    if match and parsed.endpoint == "groups" and defects.on("group_filter_case_sensitive"):
        _filtered_list(response, lambda r: r.get("displayName", match["value"]) == match["value"])
    if scim_filter and parsed.endpoint == "users" and defects.on("filter_hides_inactive_users"):
        _filtered_list(response, lambda r: r.get("active") is not False)
    if defects.on("paging_total_results_of_the_page"):
        body["totalResults"] = len(body["Resources"])
    if defects.on("paging_items_per_page_missing"):
        body.pop("itemsPerPage", None)
    if defects.on("paging_start_index_zero_based") and start_index is not None and "startIndex" in body:
        body["startIndex"] = int(start_index)


def no_match_404(parsed: Parsed, response: ScimResponse, defects: DefectSwitches) -> bool:
    """Whether a search with a filter found nothing, for filter_no_match_404."""
    body = response.body
    return (
        defects.on("filter_no_match_404")
        and parsed.method == "GET"
        and bool(parsed.request.query.get("filter"))
        and response.status == HTTPStatus.OK
        and isinstance(body, dict)
        and body.get("totalResults") == 0
    )


def statuses(parsed: Parsed, response: ScimResponse, defects: DefectSwitches) -> ScimResponse:
    """Status codes and the shape of created and located resources."""
    status, body = response.status, response.body
    if parsed.method == "POST" and status == HTTPStatus.CREATED and isinstance(body, dict):
        if defects.on("create_without_id"):
            body.pop("id", None)
        if defects.on("create_200_instead_of_201"):
            response.status = HTTPStatus.OK
    if status == HTTPStatus.CONFLICT and isinstance(body, dict) and defects.on("conflict_without_uniqueness"):
        body.pop("scimType", None)
    scim_type = body.get("scimType") if isinstance(body, dict) else None
    if status == HTTPStatus.BAD_REQUEST and isinstance(body, dict):
        write = parsed.method in ("POST", "PUT") and parsed.body is not None
        refused_attribute = scim_type in ("invalidSyntax", "invalidValue", "invalidPath")
        if write and refused_attribute and defects.on("unknown_attribute_500"):
            return _internal_error()
        if defects.on("malformed_patch_500") and is_malformed_patch(parsed):
            return _internal_error()
    if defects.on("location_wrong"):
        _mislocate(response)
    return response


def _internal_error() -> ScimResponse:
    return ScimResponse(
        HTTPStatus.INTERNAL_SERVER_ERROR,
        {"schemas": [ERROR_SCHEMA], "status": "500", "detail": "Internal Server Error"},
    )


def _mislocate(response: ScimResponse) -> None:
    """Locations as a server building them without its base URL writes them: a bare path."""

    def bare(url: str) -> str:
        match = re.search(r"/(Users|Groups)/[^/?#]+$", url)
        return match.group(0) if match else url

    for header in ("Location", "Content-Location"):
        if header in response.headers:
            response.headers[header] = bare(response.headers[header])
    resources = [response.body] if isinstance(response.body, dict) else []
    if isinstance(response.body, dict) and isinstance(response.body.get("Resources"), list):
        resources += response.body["Resources"]
    for resource in resources:
        meta = resource.get("meta") if isinstance(resource, dict) else None
        if isinstance(meta, dict) and isinstance(meta.get("location"), str):
            meta["location"] = bare(meta["location"])


def discovery(parsed: Parsed, response: ScimResponse, defects: DefectSwitches) -> None:
    """What /ServiceProviderConfig, /ResourceTypes and /Schemas say."""
    body = response.body
    if parsed.method != "GET" or not isinstance(body, dict):
        return
    if parsed.endpoint == "serviceproviderconfig" and defects.on("patch_refused_put_only"):
        body["patch"] = {"supported": False}
    if defects.on("resource_types_without_groups") and parsed.endpoint in ("resourcetypes", "schemas"):
        resources = body.get("Resources")
        if isinstance(resources, list):
            kept = [r for r in resources if r.get("id") not in ("Group", GROUP_SCHEMA)]
            body.update(Resources=kept, totalResults=len(kept), itemsPerPage=len(kept))


def error_bodies(response: ScimResponse, defects: DefectSwitches) -> ScimResponse:
    """Error bodies and media types, last, so they hold for every answer."""
    is_error = int(response.status) >= 400
    body = response.body
    if is_error and isinstance(body, dict):
        if (
            defects.on("error_status_integer")
            and isinstance(body.get("status"), str)
            and body["status"].isdigit()
        ):
            body["status"] = int(body["status"])
        if defects.on("error_without_schema"):
            response.body = {"error": body.get("detail") or HTTPStatus(response.status).phrase}
        if defects.on("error_without_body"):
            response.body = None
            response.headers.pop("Content-Type", None)
    if is_error and defects.on("errors_as_html"):
        detail = body.get("detail") if isinstance(body, dict) else None
        phrase = HTTPStatus(response.status).phrase
        text = html.escape(str(detail or ""))
        page = f"<html><body><h1>{int(response.status)} {phrase}</h1><p>{text}</p></body></html>"
        headers = {**response.headers, "Content-Type": "text/html; charset=utf-8"}
        return RawResponse(response.status, None, headers, raw=page.encode())
    if defects.on("responses_plain_json") and "Content-Type" in response.headers:
        response.headers["Content-Type"] = "application/json"
    return response
