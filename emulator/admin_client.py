"""THE client of the emulator's administrator surfaces: the Provisioning page's actions and the test-only
switches (/_emulator/*) and Kintone's User API copy (/v1/users.json). The CLI uses it; drivers should.

Every failure, refused or unreachable, is a HarnessError of one readable line that never holds a secret
(the administrator's password, a token value) in any encoding.
"""

from __future__ import annotations

import base64
import ssl
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from scim_harness.common.errors import HarnessError
from scim_harness.common.redact import Redactor

DEFAULT_TIMEOUT_S = 10.0
USER_API_PAGE = 100  # the largest `size` Kintone's GET /v1/users.json takes
MESSAGE_MAX = 300


@dataclass(frozen=True)
class TokenInfo:
    """What the emulator shows of an API token: never its value."""

    id: str
    notes: str
    expires_at: str | None
    enabled: bool
    created_at: str | None = None

    @classmethod
    def of(cls, data: dict[str, Any]) -> TokenInfo:
        return cls(
            id=str(data["id"]),
            notes=str(data.get("notes", "")),
            expires_at=data.get("expires_at"),
            enabled=bool(data["enabled"]),
            created_at=data.get("created_at"),
        )


@dataclass(frozen=True)
class NewToken:
    """A token just created: its value is shown this once (and kept out of repr)."""

    info: TokenInfo
    token: str = field(repr=False)
    scim_endpoint: str


@dataclass(frozen=True)
class DefectState:
    switches: dict[str, bool]
    parameters: dict[str, float]

    @property
    def enabled(self) -> list[str]:
        return sorted(name for name, on in self.switches.items() if on)


@dataclass(frozen=True)
class ProfileInfo:
    profile: str
    base_path: str
    resource_types: list[str]
    tls: bool


class AdminClient:
    def __init__(
        self,
        base_url: str,
        login: str,
        password: str,
        *,
        timeout: float = DEFAULT_TIMEOUT_S,
        verify: Any = True,
    ) -> None:
        """verify: True, False, an SSL context, or the path of a CA file to trust (an HTTPS emulator)."""
        if isinstance(verify, str):
            verify = ssl.create_default_context(cafile=verify)
        credential = base64.b64encode(f"{login}:{password}".encode()).decode()
        self._redactor = Redactor([password, credential])
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"X-Cybozu-Authorization": credential},
            timeout=timeout,
            verify=verify,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> AdminClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _fail(self, text: str) -> HarnessError:
        line = " ".join(self._redactor.text(text).split())
        return HarnessError(line[:MESSAGE_MAX])

    def call(self, method: str, path: str, body: Any = None, params: Any = None) -> Any:
        """The decoded JSON answer (None for 204); a refusal or a network failure is a HarnessError."""
        try:
            response = self._http.request(method, path, json=body, params=params)
        except httpx.HTTPError as exc:
            where = self._http.base_url
            raise self._fail(f"cannot reach the emulator at {where}: {type(exc).__name__}") from exc
        if response.status_code >= 400:
            raise self._fail(f"{method} {path} failed with HTTP {response.status_code}: {_reason(response)}")
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise self._fail(f"{method} {path} answered something that is not JSON") from exc

    # -- Kintone User API ----------------------------------------------------

    def list_users(self, codes: list[str] | None = None) -> list[dict[str, Any]]:
        """The users named by codes (the published `codes[i]` form), or every user, paging by 100."""
        if codes:
            params = [(f"codes[{i}]", code) for i, code in enumerate(codes)]
            return list(self.call("GET", "/v1/users.json", params=params)["users"])
        users: list[dict[str, Any]] = []
        while True:
            params = {"offset": len(users), "size": USER_API_PAGE}
            page = self.call("GET", "/v1/users.json", params=params)["users"]
            users += page
            if len(page) < USER_API_PAGE:
                return users

    def add_user(self, code: str, name: str, password: str, **fields: Any) -> None:
        user = {"code": code, "name": name, "password": password, **fields}
        self.call("POST", "/v1/users.json", {"users": [user]})

    def delete_users(self, codes: list[str]) -> None:
        self.call("DELETE", "/v1/users.json", {"codes": codes})

    # -- API tokens ----------------------------------------------------------

    def create_token(self, validity_days: int | None, notes: str) -> NewToken:
        data = self.call("POST", "/_emulator/tokens", {"validity_days": validity_days, "notes": notes})
        self._redactor.add(data["token"])
        return NewToken(info=TokenInfo.of(data), token=data["token"], scim_endpoint=data["scim_endpoint"])

    def list_tokens(self) -> list[TokenInfo]:
        return [TokenInfo.of(t) for t in self.call("GET", "/_emulator/tokens")["tokens"]]

    def find_token(self, value: str) -> TokenInfo:
        """The token with this value (HarnessError when none has it)."""
        self._redactor.add(value)
        return TokenInfo.of(self.call("POST", "/_emulator/tokens/lookup", {"token": value}))

    def enable_token(self, token_id: str) -> TokenInfo:
        return self._update_token(token_id, {"enabled": True})

    def disable_token(self, token_id: str) -> TokenInfo:
        return self._update_token(token_id, {"enabled": False})

    def set_token_expiry(self, token_id: str, expires_at: datetime | str | None) -> TokenInfo:
        """None: the token never expires."""
        value = expires_at.isoformat() if isinstance(expires_at, datetime) else expires_at
        return self._update_token(token_id, {"expires_at": value})

    def _update_token(self, token_id: str, changes: dict[str, Any]) -> TokenInfo:
        return TokenInfo.of(self.call("PATCH", f"/_emulator/tokens/{token_id}", changes))

    def delete_token(self, token_id: str) -> None:
        self.call("DELETE", f"/_emulator/tokens/{token_id}")

    # -- the Provisioning page and the clock ---------------------------------

    def propagation(self, enabled: bool | None = None) -> bool:
        """Propagate Provisioning: set it (unless None) and answer what the emulator keeps."""
        if enabled is None:
            return bool(self.call("GET", "/_emulator/propagation")["enabled"])
        return bool(self.call("PUT", "/_emulator/propagation", {"enabled": enabled})["enabled"])

    def ip_allowlist(self, addresses: list[str] | None = None) -> list[str]:
        """The IP allow list: set it (unless None; [] lifts the restriction) and answer what is kept."""
        if addresses is None:
            return list(self.call("GET", "/_emulator/ip-allowlist")["addresses"])
        return list(self.call("PUT", "/_emulator/ip-allowlist", {"addresses": addresses})["addresses"])

    def clock(self, offset_seconds: float | None = None) -> float:
        """How far the emulator's clock is moved from real time (token expiry), set unless None."""
        if offset_seconds is None:
            return float(self.call("GET", "/_emulator/clock")["offset_seconds"])
        answer = self.call("PUT", "/_emulator/clock", {"offset_seconds": offset_seconds})
        return float(answer["offset_seconds"])

    # -- test-only switches, profile, reset -----------------------------------

    def rules(self, changes: dict[str, bool] | None = None) -> dict[str, bool]:
        """The Kintone rule switches (docs/emulator.md), changed unless None."""
        if changes is None:
            return dict(self.call("GET", "/_emulator/rules"))
        return dict(self.call("PUT", "/_emulator/rules", changes))

    def defects(self, switches: dict[str, bool] | None = None, **parameters: float) -> DefectState:
        """The defect switches and their parameters (latency_seconds, hang_seconds), changed when given."""
        if switches is None and not parameters:
            data = self.call("GET", "/_emulator/defects")
        else:
            changes = {"switches": switches or {}, "parameters": parameters}
            data = self.call("PUT", "/_emulator/defects", changes)
        return DefectState(switches=dict(data["switches"]), parameters=dict(data["parameters"]))

    def profile(self) -> ProfileInfo:
        data = self.call("GET", "/_emulator/profile")
        return ProfileInfo(
            profile=data["profile"],
            base_path=data["base_path"],
            resource_types=list(data["resource_types"]),
            tls=bool(data["tls"]),
        )

    def reset(self) -> None:
        """Users, groups, tombstones and tokens wiped; start-up settings and switches back (tests only)."""
        self.call("POST", "/_emulator/reset")


def _reason(response: httpx.Response) -> str:
    """The emulator's own words: Kintone's `message`, or a SCIM error's `detail`."""
    try:
        body = response.json()
    except ValueError:
        return response.text or response.reason_phrase
    if isinstance(body, dict):
        return str(body.get("message") or body.get("detail") or response.reason_phrase)
    return response.reason_phrase
