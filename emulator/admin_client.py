"""A small HTTP client for the emulator's administrator surface (the CLI uses it; drivers may too)."""

from __future__ import annotations

import base64
from typing import Any

import httpx

from scim_harness.common.errors import HarnessError

DEFAULT_TIMEOUT_S = 10.0
USER_API_PAGE = 100  # the largest `size` Kintone's GET /v1/users.json takes


class AdminClient:
    def __init__(
        self, base_url: str, login: str, password: str, *, timeout: float = DEFAULT_TIMEOUT_S
    ) -> None:
        credential = base64.b64encode(f"{login}:{password}".encode()).decode()
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"X-Cybozu-Authorization": credential},
            timeout=timeout,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> AdminClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def call(self, method: str, path: str, body: Any = None, params: Any = None) -> Any:
        """The decoded JSON answer (None for 204); a refusal or a network failure is a HarnessError."""
        try:
            response = self._http.request(method, path, json=body, params=params)
        except httpx.HTTPError as exc:
            raise HarnessError(
                f"cannot reach the emulator at {self._http.base_url}: {type(exc).__name__}"
            ) from exc
        if response.status_code >= 400:
            try:
                message = response.json().get("message") or response.text
            except ValueError:
                message = response.text
            raise HarnessError(f"{method} {path} failed with HTTP {response.status_code}: {message}")
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    # Kintone User API
    def list_users(self, codes: list[str] | None = None) -> list[dict[str, Any]]:
        """The users named by codes, or every user: the User API answers at most 100 a call, so page on."""
        if codes:
            params = [(f"codes[{i}]", code) for i, code in enumerate(codes)]
            return self.call("GET", "/v1/users.json", params=params)["users"]
        users: list[dict[str, Any]] = []
        while True:
            page = self.call("GET", "/v1/users.json", params={"offset": len(users), "size": USER_API_PAGE})[
                "users"
            ]
            users += page
            if len(page) < USER_API_PAGE:
                return users

    def add_user(self, code: str, name: str, password: str, **fields: Any) -> None:
        self.call(
            "POST",
            "/v1/users.json",
            {"users": [{"code": code, "name": name, "password": password, **fields}]},
        )

    def delete_users(self, codes: list[str]) -> None:
        self.call("DELETE", "/v1/users.json", {"codes": codes})

    # Provisioning page
    def create_token(self, validity_days: int | None, notes: str) -> dict[str, Any]:
        return self.call("POST", "/_emulator/tokens", {"validity_days": validity_days, "notes": notes})

    def list_tokens(self) -> list[dict[str, Any]]:
        return self.call("GET", "/_emulator/tokens")["tokens"]

    def find_token(self, value: str) -> dict[str, Any]:
        return self.call("POST", "/_emulator/tokens/lookup", {"token": value})

    def update_token(self, token_id: str, **changes: Any) -> dict[str, Any]:
        return self.call("PATCH", f"/_emulator/tokens/{token_id}", changes)

    def delete_token(self, token_id: str) -> None:
        self.call("DELETE", f"/_emulator/tokens/{token_id}")

    def propagation(self, enabled: bool | None = None) -> bool:
        if enabled is None:
            return self.call("GET", "/_emulator/propagation")["enabled"]
        return self.call("PUT", "/_emulator/propagation", {"enabled": enabled})["enabled"]

    def ip_allowlist(self, addresses: list[str] | None = None) -> list[str]:
        if addresses is None:
            return self.call("GET", "/_emulator/ip-allowlist")["addresses"]
        return self.call("PUT", "/_emulator/ip-allowlist", {"addresses": addresses})["addresses"]

    def clock(self, offset_seconds: float | None = None) -> float:
        if offset_seconds is None:
            return self.call("GET", "/_emulator/clock")["offset_seconds"]
        return self.call("PUT", "/_emulator/clock", {"offset_seconds": offset_seconds})["offset_seconds"]

    def rules(self, changes: dict[str, bool] | None = None) -> dict[str, bool]:
        if changes is None:
            return self.call("GET", "/_emulator/rules")
        return self.call("PUT", "/_emulator/rules", changes)

    def reset(self) -> None:
        self.call("POST", "/_emulator/reset")
