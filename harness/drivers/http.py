"""HTTP plumbing shared by the drivers: a timeout on every call, errors without secrets."""

from __future__ import annotations

import base64
from typing import Any

import httpx

from scim_harness.common.errors import HarnessError

DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)


def cybozu_authorization(login: str, password: str) -> dict[str, str]:
    """Kintone's administrator header for the User API (and the emulator's admin surface)."""
    raw = f"{login}:{password}".encode()
    return {"X-Cybozu-Authorization": base64.b64encode(raw).decode("ascii")}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def new_client(timeout: float | None = None) -> httpx.Client:
    return httpx.Client(timeout=httpx.Timeout(timeout, connect=5.0) if timeout else DEFAULT_TIMEOUT)


def json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def describe_failure(action: str, response: httpx.Response) -> str:
    """One line naming the action, the status and the server's own explanation (never the request headers)."""
    body = json_or_none(response)
    detail = ""
    if isinstance(body, dict):
        detail = str(body.get("detail") or body.get("message") or body.get("scimType") or "")
    return f"{action} failed: HTTP {response.status_code}" + (f": {detail}" if detail else "")


def expect(response: httpx.Response, action: str, *statuses: int) -> httpx.Response:
    if response.status_code not in statuses:
        raise HarnessError(describe_failure(action, response))
    return response


def send(client: httpx.Client, method: str, url: str, action: str, **kwargs: Any) -> httpx.Response:
    """One request; a network failure becomes a readable HarnessError without the request's secrets."""
    try:
        return client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        raise HarnessError(f"{action} failed: {type(exc).__name__} talking to {url.split('?')[0]}") from None
