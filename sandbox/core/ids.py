"""Identifiers: random ones for new things, stable ones derived from other ids."""

from __future__ import annotations

import hashlib
import os


def new_uuid() -> str:
    """A random (version 4, RFC 4122) UUID as text: what ``str(uuid.uuid4())`` gives, without
    the UUID object in between (it was a third of the cost, and a send makes two)."""
    return _dashed(new_uuid_hex())


# The bytes come from os.urandom, as uuid4's do, but a few kilobytes at a time: a send makes
# two ids, and one getrandom system call each showed up as ~4 % of a loaded server's CPU
# (py-spy under wrk, bench/README.md). 4,096 bytes is 256 ids a call. They wait as 16-byte
# pieces in a list because list.pop() is atomic: the fixture's test thread and the server's
# thread both make ids, and neither may get a piece the other got (a refill racing another
# only adds more random pieces).
_BATCH = 4096
_pieces: list[bytes] = []


def _forget_pieces() -> None:
    """A forked child must not hand out the ids its parent is about to."""
    _pieces.clear()


os.register_at_fork(after_in_child=_forget_pieces)


def _piece() -> bytes:
    try:
        return _pieces.pop()
    except IndexError:
        raw = os.urandom(_BATCH)
        _pieces.extend(raw[i : i + 16] for i in range(16, _BATCH, 16))
        return raw[:16]


def new_uuid_hex() -> str:
    """The same as 32 hex characters (``uuid.uuid4().hex``)."""
    raw = bytearray(_piece())
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
