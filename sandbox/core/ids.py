"""Identifiers: random ones for new things, stable ones derived from other ids."""

from __future__ import annotations

import hashlib
import os


def new_uuid() -> str:
    """A random (version 4, RFC 4122) UUID as text: what ``str(uuid.uuid4())`` gives, without
    the UUID object in between (it was a third of the cost, and a send makes two)."""
    return _dashed(new_uuid_hex())


def new_uuid_hex() -> str:
    """The same as 32 hex characters (``uuid.uuid4().hex``)."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # the RFC 4122 variant
    return raw.hex()


def _dashed(h: str) -> str:
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def stable_uuid(*parts: str) -> str:
    """A UUID-shaped id derived from other ids (an error instance, a conversation id), so the
    same message renders the same payload every time."""
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-4{digest[13:16]}-8{digest[17:20]}-{digest[20:32]}"
