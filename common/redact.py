"""Redaction of secrets from anything that is stored or shown: headers, URLs, bodies, JSON, log lines.

Three rules, applied everywhere (captures, HAR, Allure attachments, logs):

1. Credential headers (Authorization, Proxy-Authorization, X-Cybozu-Authorization, Cookie, Set-Cookie, ...)
   lose their whole value.
2. Every known secret value is replaced wherever it appears, also in the encoded forms it travels in
   (base64, percent-encoding, JSON escaping), and inside any base64 word that decodes to text containing it
   (`base64("admin:" + password)` is caught without knowing the login).
3. JSON members named like a credential ("token", "secret", "password", ...) lose their string value, so a
   token created mid-run by the admin API is hidden even before anyone registers it as a secret.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

REDACTED = "[REDACTED]"

SENSITIVE_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "x-cybozu-authorization",
        "x-cybozu-api-token",
        "x-api-key",
        "cookie",
        "set-cookie",
    }
)

# Compared lower-cased without "_" and "-": "secret_token", "secretToken" and "Secret-Token" all match.
SENSITIVE_JSON_KEYS = frozenset(
    {
        "token",
        "secret",
        "password",
        "passwd",
        "secrettoken",
        "apitoken",
        "accesstoken",
        "refreshtoken",
        "idtoken",
        "bearertoken",
        "clientsecret",
        "adminpassword",
    }
)

# Long enough to skip ordinary words, short enough to catch base64("a:b") of realistic credentials.
_BASE64_WORD = re.compile(r"[A-Za-z0-9+/_-]{8,}={0,2}")


def is_sensitive_key(key: str) -> bool:
    return key.lower().replace("_", "").replace("-", "") in SENSITIVE_JSON_KEYS


def _encoded_forms(secret: str) -> set[str]:
    raw = secret.encode()
    forms = {
        secret,
        quote(secret, safe=""),
        quote_plus(secret),
        json.dumps(secret)[1:-1],
        base64.b64encode(raw).decode(),
        base64.urlsafe_b64encode(raw).decode(),
    }
    forms |= {form.rstrip("=") for form in forms}
    return {form for form in forms if form}


# A secret this short ("x", "test") would also match inside ordinary words and garble every message, so such
# a secret is replaced only where it stands as a whole word (credential headers and JSON members go whole).
SHORT_SECRET_LENGTH = 8


def _form_pattern(form: str) -> str:
    if len(form) >= SHORT_SECRET_LENGTH:
        return re.escape(form)
    return rf"(?<![A-Za-z0-9_]){re.escape(form)}(?![A-Za-z0-9_])"


class Redactor:
    """Replaces secrets with "[REDACTED]". Thread-safe: secrets can be added while other threads redact."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._secrets: frozenset[str] = frozenset()
        self._pattern: re.Pattern[str] | None = None
        self._shortest = 0
        self._floor = 0
        for secret in secrets:
            self.add(secret)

    @property
    def secrets(self) -> frozenset[str]:
        return self._secrets

    def add(self, secret: str | None) -> None:
        """Registers one more secret value (a token created mid-run, say). Empty values are ignored."""
        if not secret or secret in self._secrets:
            return
        with self._lock:
            secrets = self._secrets | {secret}
            forms = set().union(*(_encoded_forms(s) for s in secrets))
            # Longest first, so a secret's base64 form is replaced whole rather than around an inner match.
            alternation = "|".join(_form_pattern(f) for f in sorted(forms, key=len, reverse=True))
            # The lengths first: a reader that sees the new pattern sees them too (a new secret lowers them).
            self._shortest = min(len(s) for s in secrets)
            self._floor = min(len(form) for form in forms)
            self._pattern = re.compile(alternation)
            self._secrets = secrets

    def text(self, value: str) -> str:
        pattern, secrets, shortest = self._pattern, self._secrets, self._shortest
        if pattern is None or len(value) < self._floor:
            # Shorter than every form of every secret (a base64 word holding one is longer than the secret).
            return value
        value = pattern.sub(REDACTED, value)
        return _BASE64_WORD.sub(
            lambda m: REDACTED if _decodes_to_secret(m.group(), secrets, shortest) else m.group(), value
        )

    def headers(self, headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
        """Returns a redacted copy; repeated headers are joined with ", " as HTTP allows."""
        pairs = headers.items() if isinstance(headers, Mapping) else headers
        redacted: dict[str, str] = {}
        for name, value in pairs:
            clean = REDACTED if name.lower() in SENSITIVE_HEADERS else self.text(str(value))
            redacted[name] = f"{redacted[name]}, {clean}" if name in redacted else clean
        return redacted

    def json(self, obj: Any) -> Any:
        """A redacted copy of a JSON-like value: credential members by name, secrets in every string."""
        if isinstance(obj, Mapping):
            return {
                self.text(str(key)): REDACTED
                if is_sensitive_key(str(key)) and isinstance(value, str | int | float) and value != ""
                else self.json(value)
                for key, value in obj.items()
            }
        if isinstance(obj, list | tuple):
            return [self.json(item) for item in obj]
        if isinstance(obj, str):
            return self.text(obj)
        return obj

    def body(self, value: str) -> str:
        """Redacts a message body; JSON bodies also lose credential members (re-serialised if changed)."""
        if not value:
            return value
        stripped = value.lstrip()
        if stripped[:1] in ("{", "["):
            try:
                parsed = json.loads(value)
            except ValueError:
                parsed = None
            if parsed is not None:
                redacted = self.json(parsed)
                if redacted != parsed:
                    return json.dumps(redacted, ensure_ascii=False)
        return self.text(value)


def _decodes_to_secret(word: str, secrets: frozenset[str], shortest: int = 0) -> bool:
    padded = word + "=" * (-len(word) % 4)
    if len(padded) // 4 * 3 < shortest:
        # Too short to hold the shortest secret: 4 base64 characters make at most 3 bytes, and a decoded
        # character takes at least one. Most words of a message (ids, names, dates) end here, undecoded.
        return False
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        try:
            decoded = decode(padded).decode("utf-8", errors="ignore")
        except (binascii.Error, ValueError):
            continue
        if any(secret in decoded for secret in secrets):
            return True
    return False
