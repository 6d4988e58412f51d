"""Identifiers: random ones for new things, stable ones derived from other ids."""

from __future__ import annotations

import hashlib
import uuid as uuidlib


def new_uuid() -> str:
    return str(uuidlib.uuid4())


def stable_uuid(*parts: str) -> str:
    """A UUID-shaped id derived from other ids (an error instance, a conversation id), so the
    same message renders the same payload every time."""
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-4{digest[13:16]}-8{digest[17:20]}-{digest[20:32]}"
