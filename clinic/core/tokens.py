"""Secret links and device tokens: only a token's SHA-256 is stored, so a copy of the database
does not open questionnaire links, check-in links, calendar feeds or monitors."""

from __future__ import annotations

import hashlib


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
