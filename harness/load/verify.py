"""After a load run: does every source user exist exactly once in the target? Asked through SCIM itself.

The target's users are listed page by page (`GET /Users?startIndex=&count=`, RFC 7644 §3.4.2.4) and counted
by userName without regard to case (Kintone's login names and RFC 7643's `userName` are case-insensitive).
Users the target held before the run are listed too and ignored. The listing is bounded: it stops at the
total the target announces, at an empty page, or after a number of pages no honest target needs.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from scim_harness.common.errors import HarnessError
from scim_harness.common.scim_wire import list_resources

PAGE = 100
TIMEOUT = 60.0


@dataclass
class Verification:
    expected: int
    once: int
    missing: int
    duplicated: int
    listed: int
    pages: int
    examples: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.once == self.expected

    def to_dict(self) -> dict[str, object]:
        return {**self.__dict__, "passed": self.passed}


def verify_exactly_once(
    base_url: str,
    token: str,
    user_names: list[str],
    *,
    page: int = PAGE,
    transport: httpx.BaseTransport | None = None,
) -> Verification:
    counts: Counter[str] = Counter()
    query = urlsplit(base_url).query
    base = urlsplit(base_url)._replace(query="").geturl().rstrip("/")
    extra = "&" + query if query else ""
    pages = 0
    start = 1
    listed = 0
    limit = len(user_names) // max(1, page) + 1_000
    with httpx.Client(
        headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT, transport=transport
    ) as client:
        while pages < limit:
            try:
                answer = client.get(
                    f"{base}/Users?startIndex={start}&count={page}&attributes=userName{extra}"
                )
            except httpx.HTTPError as exc:
                raise HarnessError(
                    f"cannot list the target's users to verify: {type(exc).__name__}"
                ) from None
            pages += 1
            try:
                body = answer.json() if answer.status_code == 200 else None
            except ValueError:
                body = None
            resources = list_resources(body)
            if resources is None:
                raise HarnessError(f"cannot list the target's users to verify: HTTP {answer.status_code}")
            for resource in resources:
                name = resource.get("userName")
                if isinstance(name, str):
                    counts[name.casefold()] += 1
            listed += len(resources)
            total = body.get("totalResults") if isinstance(body, dict) else None
            start += len(resources)
            if not resources or (isinstance(total, int) and start > total):
                break
    wanted = [name.casefold() for name in user_names]
    missing = [name for name in wanted if counts[name] == 0]
    duplicated = [name for name in wanted if counts[name] > 1]
    return Verification(
        expected=len(wanted),
        once=sum(1 for name in wanted if counts[name] == 1),
        missing=len(missing),
        duplicated=len(duplicated),
        listed=listed,
        pages=pages,
        examples=(missing + duplicated)[:5],
    )
