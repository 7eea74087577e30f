"""Keeps the secret token out of everything the simulator prints or logs."""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "***"
# A secret this short ("x", "test") would also match inside ordinary words and garble error codes such as
# "WebExceptionProtocolError"; such a secret is masked only where it stands as a whole word.
SHORT_SECRET_LENGTH = 8


def mask_secrets(text: str, secrets: Iterable[str | None]) -> str:
    for secret in secrets:
        if not secret:
            continue
        if len(secret) >= SHORT_SECRET_LENGTH:
            text = text.replace(secret, MASK)
        else:
            text = re.sub(rf"(?<![A-Za-z0-9_]){re.escape(secret)}(?![A-Za-z0-9_])", MASK, text)
    return text
