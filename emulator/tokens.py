"""Provisioning API tokens: the value is shown once, only its SHA-256 is kept, checks take constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from scim_harness.emulator.state import EmulatorState, iso, parse_iso
from scim_harness.emulator.store import TokenRecord

SEED_TOKEN_NOTES = "seeded at start (--token)"


class TokenCheck(StrEnum):
    valid = "valid"
    missing = "missing"
    unknown = "unknown"
    expired = "expired"
    disabled = "disabled"


@dataclass
class CreatedToken:
    record: TokenRecord
    value: str


def hash_token(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


class TokenService:
    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    def create(self, validity_days: int | None, notes: str, *, value: str | None = None) -> CreatedToken:
        """Raises ValueError for a validity period or notes Kintone's dialog would not take."""
        assumptions = self.state.assumptions
        if validity_days is not None and (
            isinstance(validity_days, bool) or not isinstance(validity_days, int)
        ):
            raise ValueError("validity_days must be an integer number of days or null")
        if validity_days not in assumptions.token_validity_days_choices:
            choices = ", ".join(
                "null" if c is None else str(c) for c in assumptions.token_validity_days_choices
            )
            raise ValueError(f"validity_days must be one of: {choices}")
        if not isinstance(notes, str) or len(notes) > assumptions.token_notes_max:
            raise ValueError(f"notes must be a string of at most {assumptions.token_notes_max} characters")
        if assumptions.max_tokens is not None and len(self.state.db.tokens()) >= assumptions.max_tokens:
            raise ValueError(f"at most {assumptions.max_tokens} API tokens can exist at once")
        value = value or secrets.token_urlsafe(32)
        now = self.state.now()
        record = TokenRecord(
            id=uuid.uuid4().hex,
            token_hash=hash_token(value),
            notes=notes,
            created_at=iso(now),
            expires_at=None if validity_days is None else iso(now + timedelta(days=validity_days)),
            enabled=True,
        )
        self.state.db.insert_token(record)
        return CreatedToken(record=record, value=value)

    def seed(self) -> None:
        seed = self.state.config.seed_token
        if seed and not any(
            hmac.compare_digest(t.token_hash, hash_token(seed)) for t in self.state.db.tokens()
        ):
            self.create(None, SEED_TOKEN_NOTES, value=seed)

    def check(self, authorization: str | None) -> TokenCheck:
        scheme, _, value = (authorization or "").strip().partition(" ")
        value = value.strip()
        if scheme.lower() != "bearer" or not value:
            return TokenCheck.missing
        presented = hash_token(value)
        match: TokenRecord | None = None
        # Compare against every stored hash so the time taken does not depend on which one matches.
        for token in self.state.db.tokens():
            if hmac.compare_digest(token.token_hash, presented):
                match = token
        if match is None:
            return TokenCheck.unknown
        if not match.enabled:
            return TokenCheck.disabled
        if match.expires_at is not None and parse_iso(match.expires_at) <= self.state.now():
            return TokenCheck.expired
        return TokenCheck.valid

    def accepts(self, authorization: str | None) -> bool:
        rules = self.state.rules
        if rules.accept_invalid_tokens:
            return True
        outcome = self.check(authorization)
        return (
            outcome is TokenCheck.valid
            or (outcome is TokenCheck.expired and rules.accept_expired_tokens)
            or (outcome is TokenCheck.disabled and rules.accept_disabled_tokens)
        )
