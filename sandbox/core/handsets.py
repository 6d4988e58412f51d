"""Simulated handsets with a will of their own: per address (a number, a PSID, a user id), what
the handset can receive on each channel, how it behaves (delivers after N virtual seconds,
reads after M or never, is switched off until a time, fails with a code, never sends receipts)
and a persona that answers by itself (fixed replies, keywords, echoing a code, tapping a
suggestion). Ordinary addresses have no profile and keep the sandbox's plain behaviour: a
message waits until someone marks it (or `auto_deliver`).

This module is the model and the book that holds the profiles (pure); `handset_life` acts on
them, `magic` holds the built-in numbers, `sandbox.control.handsets` parses what a user gives.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from sandbox.core.clock import iso

Failure = Literal["rejected", "undeliverable"]
Source = Literal["api", "file", "magic"]
ANY_CHANNEL = "*"  # the behaviour of every channel a profile does not name


@dataclass(frozen=True, slots=True)
class Behaviour:
    """How a handset treats messages on one channel."""

    has: bool = True  # False: the app is not installed / not RCS-capable / no PSID: rejected
    deliver_after: float | None = None  # virtual s after sending; None: not on its own
    read_after: float | None = None  # virtual s after delivery; None: never read
    fail: Failure | None = None  # every message fails so (after deliver_after, or at once)
    error_code: int | None = None  # the code of `has: false` or `fail` (else the channel's)
    receipts: bool = True  # False: delivered and read are never reported (the DLR never comes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "has": self.has,
            "deliver_after": self.deliver_after,
            "read_after": self.read_after,
            "fail": self.fail,
            "error_code": self.error_code,
            "receipts": self.receipts,
        }


ORDINARY = Behaviour()


@dataclass(frozen=True, slots=True)
class Rule:
    """One line of a persona: when a delivered message matches, the user answers.

    ``match``: None answers everything; else a regular expression searched in the message's
    text (case-insensitive: `STOP`, `^yes\\b`). ``reply``: the answer's text, where `{code}` is
    the first run of 4 to 8 digits of the message (the OTP flow) and `{text}` its whole text.
    ``tap``: instead of text, tap a suggestion of the message: `first`, or the text of one.
    ``read``: mark the message read before answering. ``after``: virtual s after delivery."""

    match: str | None = None
    reply: str | None = None
    tap: str | None = None
    read: bool = False
    after: float = 0.0

    def matches(self, text: str | None) -> bool:
        if self.match is None:
            return True
        return text is not None and re.search(self.match, text, re.IGNORECASE) is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "match": self.match,
            "reply": self.reply,
            "tap": self.tap,
            "read": self.read,
            "after": self.after,
        }


CODE = re.compile(r"(?<![0-9])([0-9]{4,8})(?![0-9])")


def fill(template: str, text: str | None) -> str:
    """A persona reply with `{code}` and `{text}` filled from the message it answers."""
    found = CODE.search(text or "")
    return template.replace("{code}", found.group(1) if found else "").replace("{text}", text or "")


@dataclass(frozen=True, slots=True)
class Handset:
    address: str
    channels: dict[str, Behaviour] = field(default_factory=dict)
    offline_until: float | None = None  # switched off: messages wait (or expire by TTL)
    persona: tuple[Rule, ...] = ()
    label: str | None = None
    source: Source = "api"

    def behaviour(self, channel: str) -> Behaviour:
        return self.channels.get(channel) or self.channels.get(ANY_CHANNEL) or ORDINARY

    def to_dict(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "label": self.label,
            "channels": {name: b.to_dict() for name, b in self.channels.items()},
            "offline_until": None if self.offline_until is None else iso(self.offline_until),
            "persona": [r.to_dict() for r in self.persona],
            "source": self.source,
        }


def book_key(address: str) -> str:
    """Profiles are found as messages address them: an email address in lower case (as the
    email channel compares addresses), anything else as it is written."""
    return address.lower() if "@" in address else address


class HandsetBook:
    """The profiles of this sandbox: those set through the control API or the fixture, over
    those of the `--handsets` file, over the built-in magic numbers."""

    def __init__(self, magic: dict[str, Handset]) -> None:
        self.magic = magic
        self.from_file: dict[str, Handset] = {}
        self.profiles: dict[str, Handset] = {}
        # Told of every change (persistence keeps API profiles across restarts).
        self.on_change: Callable[[str, Handset | None], None] | None = None

    def get(self, address: str) -> Handset | None:
        key = book_key(address)
        return self.profiles.get(key) or self.magic.get(key)

    def all(self) -> list[Handset]:
        return sorted(self.profiles.values(), key=lambda h: h.address)

    def put(self, handset: Handset) -> None:
        self.profiles[book_key(handset.address)] = handset
        if self.on_change is not None and handset.source == "api":
            self.on_change(handset.address, handset)

    def remove(self, address: str) -> bool:
        address = book_key(address)
        gone = self.profiles.pop(address, None)
        if gone is None:
            return False
        restored = self.from_file.get(address)
        if restored is not None:
            self.profiles[address] = restored
        if self.on_change is not None:
            self.on_change(address, None)
        return True

    def load_file(self, handsets: list[Handset]) -> None:
        self.from_file = {book_key(h.address): h for h in handsets}
        self.profiles.update(self.from_file)

    def reset(self) -> None:
        """Profiles set at run time go; those of the `--handsets` file come back as given."""
        dropped = [a for a, h in self.profiles.items() if h.source == "api"]
        self.profiles = dict(self.from_file)
        if self.on_change is not None:
            for address in dropped:
                self.on_change(address, None)
