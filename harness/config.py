"""Suite configuration: CLI flags over environment variables over an optional TOML file over defaults.

Secrets (the API token, the administrator password) come only from the environment or from a file named in the
configuration; a secret written in the TOML file is refused, and repr() never shows one.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

from scim_harness.common.errors import HarnessError
from scim_harness.common.scim_wire import DIALECT_NAMES, Dialect

Target = Literal["emulator", "kintone", "scim"]
TARGETS: tuple[str, ...] = ("emulator", "kintone", "scim")
BOTH = "both"
"""Not a dialect: the choice to run every scenario once in each of Entra's dialects."""
DIALECTS: tuple[str, ...] = (*DIALECT_NAMES, BOTH)
DEFAULT_CONFIG_FILE = "scim-harness.toml"
ENV_PREFIX = "SCIM_HARNESS_"
SECRET_KEYS = ("token", "admin_password")
GROUPS_CHOICES = ("auto", "true", "false")
DEFAULT_TIMEOUT_S = 15.0
"""Per SCIM call. Shorter than Entra's 60 s (Q-60S) on purpose: a healthy call takes well under a second,
and a target that hangs must not hold the run for a minute per call (docs/detection.md, "Time")."""
DEFAULT_TIME_BUDGET_S = 480.0
"""The whole run, pre-flight included: a vendor run of both dialects takes one to four minutes; a target that
stops answering ends the run with room to spare inside ten minutes (docs/detection.md, "Time")."""


@dataclass(frozen=True)
class SuiteConfig:
    target: Target = "emulator"
    url: str | None = None
    """emulator: a running emulator's base URL (none = start one in-process); kintone: https://SUB.cybozu.com;
    scim: the vendor's SCIM base URL."""
    scim_url: str | None = None
    """The SCIM endpoint shown with the API token (kintone); defaults to URL + /scim/v2 for an emulator."""
    token: str | None = field(default=None, repr=False)
    admin_login: str | None = None
    admin_password: str | None = field(default=None, repr=False)
    dialect: str = Dialect.LEGACY.value
    """A name of scim_wire.DIALECT_NAMES, or "both". legacy: the tenant URL exactly as Kintone shows it (our
    assumption for the gallery app)."""
    capture: bool = True
    reports: Path = Path("reports")
    workers: int = 1
    tags: str | None = None
    timeout: float = DEFAULT_TIMEOUT_S
    """Seconds one SCIM call may take, connect to last byte (drivers, the protocol probe, the job)."""
    time_budget: float = DEFAULT_TIME_BUDGET_S
    """Seconds the whole run may take; then the scenario at hand fails, the rest are not run, exit code 1."""
    groups: str = "auto"
    """Whether the target serves Groups: "auto" (discovered from /ResourceTypes), "true" or "false"."""
    ca_file: str | None = None
    """A PEM CA file trusted besides the public roots, over HTTPS: by the simulated Entra ID, the drivers and
    the capture proxy's upstream connection (a test CA, e.g. `emulator serve --tls --ca-out`)."""
    emulator_rules: dict[str, bool] = field(default_factory=dict)
    """Test-only emulator switches that break one Kintone rule each (docs/emulator.md)."""

    def __post_init__(self) -> None:
        if self.target not in TARGETS:
            raise HarnessError(f"unknown target {self.target!r}: choose one of {', '.join(TARGETS)}")
        if self.dialect not in DIALECTS:
            raise HarnessError(f"unknown dialect {self.dialect!r}: choose one of {', '.join(DIALECTS)}")
        if self.workers < 1:
            raise HarnessError("workers must be 1 or more")
        if not 0 < self.timeout <= 3600:
            raise HarnessError("timeout must be a positive number of seconds, at most 3600")
        if not 0 < self.time_budget <= 7 * 24 * 3600:
            raise HarnessError("time_budget must be a positive number of seconds, at most a week")
        if self.groups not in GROUPS_CHOICES:
            raise HarnessError(f"groups must be one of {', '.join(GROUPS_CHOICES)}, not {self.groups!r}")

    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={_shown(f.name, getattr(self, f.name))}" for f in fields(self))
        return f"SuiteConfig({shown})"

    @property
    def dialects(self) -> list[str]:
        return list(DIALECT_NAMES) if self.dialect == BOTH else [self.dialect]

    @property
    def secrets(self) -> list[str]:
        return [s for s in (self.token, self.admin_password) if s]

    def validate_target(self) -> None:
        """The settings each target needs, checked before anything starts."""
        if self.target == "kintone":
            missing = [
                n for n, v in (("url", self.url), ("scim_url", self.scim_url), ("token", self.token)) if not v
            ]
            if missing:
                raise HarnessError(f"target kintone needs {', '.join(missing)} (see docs/suite.md)")
        if self.target == "scim" and not (self.url and self.token):
            raise HarnessError("target scim needs url (the SCIM base URL) and a token (SCIM_HARNESS_TOKEN)")
        if self.target == "emulator" and self.url and not self.admin_password:
            raise HarnessError(
                "a running emulator (url) needs the administrator password (SCIM_HARNESS_ADMIN_PASSWORD)"
            )

    def to_env(self) -> dict[str, str]:
        """The same configuration as environment variables, to hand to a pytest subprocess."""
        env: dict[str, str] = {
            "TARGET": self.target,
            "DIALECT": self.dialect,
            "CAPTURE": "1" if self.capture else "0",
            "REPORTS": str(self.reports),
            "WORKERS": str(self.workers),
            "TIMEOUT": str(self.timeout),
            "TIME_BUDGET": str(self.time_budget),
            "GROUPS": self.groups,
        }
        for name in ("url", "scim_url", "token", "admin_login", "admin_password", "tags", "ca_file"):
            value = getattr(self, name)
            if value:
                env[name.upper()] = value
        if self.emulator_rules:
            env["EMULATOR_RULES"] = ",".join(
                f"{k}={'true' if v else 'false'}" for k, v in self.emulator_rules.items()
            )
        return {ENV_PREFIX + k: v for k, v in env.items()}

    @classmethod
    def load(
        cls,
        overrides: Mapping[str, Any] | None = None,
        *,
        env: Mapping[str, str] | None = None,
        config_file: str | Path | None = None,
    ) -> SuiteConfig:
        env = os.environ if env is None else env
        overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
        path = config_file or env.get(ENV_PREFIX + "CONFIG")
        values: dict[str, Any] = {}
        values.update(_from_toml(Path(path) if path else Path(DEFAULT_CONFIG_FILE), required=bool(path)))
        values.update(_from_env(env))
        values.update(overrides)
        values = _read_secret_files(values)
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise HarnessError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        return cls(**values)

    def with_changes(self, **changes: Any) -> SuiteConfig:
        return replace(self, **changes)


def _shown(name: str, value: Any) -> str:
    return "<redacted>" if name in SECRET_KEYS and value else repr(value)


def _from_toml(path: Path, *, required: bool) -> dict[str, Any]:
    if not path.is_file():
        if required:
            raise HarnessError(f"configuration file not found: {path}")
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise HarnessError(f"{path} is not valid TOML: {exc}") from None
    data = dict(data.get("scim-harness", data))
    written = [k for k in SECRET_KEYS if k in data]
    if written:
        raise HarnessError(
            f"{path}: secrets ({', '.join(written)}) are read only from the environment or a file "
            f"(token_file, admin_password_file), never from the configuration file"
        )
    rules = data.pop("emulator", {}).get("rules", {}) if isinstance(data.get("emulator"), dict) else {}
    if rules:
        data["emulator_rules"] = _bool_map(rules, str(path))
    base = path.parent
    for key in ("token_file", "admin_password_file", "ca_file"):
        if key in data:
            data[key] = str((base / data[key]).resolve())
    return _typed(data, str(path))


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    names = (
        "target",
        "url",
        "scim_url",
        "token",
        "token_file",
        "admin_login",
        "admin_password",
        "admin_password_file",
        "dialect",
        "capture",
        "reports",
        "workers",
        "tags",
        "timeout",
        "ca_file",
        "time_budget",
        "groups",
    )
    values: dict[str, Any] = {
        n: env[ENV_PREFIX + n.upper()] for n in names if env.get(ENV_PREFIX + n.upper())
    }
    if env.get(ENV_PREFIX + "EMULATOR_RULES"):
        values["emulator_rules"] = _parse_rules(env[ENV_PREFIX + "EMULATOR_RULES"])
    return _typed(values, "the environment")


def _parse_rules(text: str) -> dict[str, bool]:
    """ "a,b=false" -> {"a": True, "b": False}"""
    rules: dict[str, bool] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, _, value = item.partition("=")
        rules[name.strip()] = _as_bool(value or "true", f"emulator rule {name}")
    return rules


def _typed(values: dict[str, Any], where: str) -> dict[str, Any]:
    typed = dict(values)
    if "capture" in typed:
        typed["capture"] = _as_bool(typed["capture"], f"capture in {where}")
    if "reports" in typed:
        typed["reports"] = Path(typed["reports"])
    if "groups" in typed:
        typed["groups"] = _groups(typed["groups"], where)
    for key, kind in (("workers", int), ("timeout", float), ("time_budget", float)):
        if key in typed:
            try:
                typed[key] = kind(typed[key])
            except (TypeError, ValueError):
                raise HarnessError(f"{key} in {where} must be a number, not {typed[key]!r}") from None
    return typed


def _groups(value: Any, where: str) -> str:
    """`groups = true|false|auto` (TOML booleans, or the words from the environment)."""
    if isinstance(value, str) and value.strip().lower() == "auto":
        return "auto"
    try:
        return "true" if _as_bool(value, "groups") else "false"
    except HarnessError:
        raise HarnessError(f"groups in {where} must be true, false or auto, not {value!r}") from None


def _bool_map(data: Mapping[str, Any], where: str) -> dict[str, bool]:
    return {str(k): _as_bool(v, f"emulator rule {k} in {where}") for k, v in data.items()}


def _as_bool(value: Any, what: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise HarnessError(f"{what} must be true or false, not {value!r}")


def _read_secret_files(values: dict[str, Any]) -> dict[str, Any]:
    values = dict(values)
    for secret in SECRET_KEYS:
        path = values.pop(f"{secret}_file", None)
        if path and not values.get(secret):
            try:
                values[secret] = Path(path).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise HarnessError(f"cannot read {secret}_file {path}: {exc.strerror}") from None
    return values
