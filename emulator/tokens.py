"""Provisioning API tokens: the value is shown once, only its SHA-256 is kept, checks take constant time.

Which tokens are valid and what the creation dialog takes are Kintone's rules (kintone_rules); this module
keeps the values secret.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from scim_harness.emulator import kintone_rules
from scim_harness.emulator.kintone_rules import TokenStatus
from scim_harness.emulator.state import EmulatorState, iso, parse_iso
from scim_harness.emulator.store import TokenRecord

SEED_TOKEN_NOTES = "seeded at start (--token)"


@dataclass
class CreatedToken:
    record: TokenRecord
    value: str


def hash_token(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


class TokenService:
    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    def create(self, validity_days: object, notes: object, *, value: str | None = None) -> CreatedToken:
        """Raises ValueError for a validity period or notes Kintone's dialog would not take."""
        db = self.state.db
        problem = kintone_rules.token_request_problem(
            validity_days, notes, db.tokens.count(), self.state.assumptions
        )
        if problem is not None:
            raise ValueError(problem)
        value = value or secrets.token_urlsafe(32)
        now = self.state.now()
        record = TokenRecord(
            id=uuid.uuid4().hex,
            token_hash=hash_token(value),
            notes=str(notes),
            created_at=iso(now),
            expires_at=None if validity_days is None else iso(now + timedelta(days=int(validity_days))),  # type: ignore[call-overload]
            enabled=True,
        )
        db.tokens.insert(record)
        return CreatedToken(record=record, value=value)

    def seed(self) -> None:
        seed = self.state.config.seed_token
        if seed and self.find(seed) is None:
            self.create(None, SEED_TOKEN_NOTES, value=seed)

    def find(self, value: str) -> TokenRecord | None:
        """The stored token with this value. Every stored hash is compared, so the time taken does not depend
        on which one matches."""
        presented = hash_token(value)
        match: TokenRecord | None = None
        for token in self.state.db.tokens.all():
            if hmac.compare_digest(token.token_hash, presented):
                match = token
        return match

    def check(self, authorization: str | None) -> TokenStatus:
        scheme, _, value = (authorization or "").strip().partition(" ")
        value = value.strip()
        if scheme.lower() != "bearer" or not value:
            return TokenStatus.missing
        match = self.find(value)
        if match is None:
            return TokenStatus.unknown
        expires_at = parse_iso(match.expires_at) if match.expires_at is not None else None
        return kintone_rules.token_status(match.enabled, expires_at, self.state.now())

    def accepts(self, authorization: str | None) -> bool:
        return kintone_rules.token_accepted(self.check(authorization), self.state.rules)
