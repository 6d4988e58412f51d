"""The person behind a conversation: the end user's handset profile in words, and what its
editor starts from. A profile is read from the runtime's `HandsetBook` (the same one
`GET /_sandbox/handsets/{address}` answers from); every change goes through the control API,
from ``static/handsets.js``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.asgi.runtime import Runtime
from sandbox.core.channel import Channel
from sandbox.core.error_codes import ASYNC_ERRORS, DEFAULT_ERROR
from sandbox.core.handsets import ANY_CHANNEL, ORDINARY, Behaviour, Handset, Rule

SOURCES = {
    "api": "set here",
    "file": "from the --handsets file",
    "magic": "magic number",
}
ORDINARY_WORDS = "ordinary: waits until it is marked here (or by the auto_deliver setting)"


def span(seconds: float) -> str:
    """Virtual seconds as a person says them: 2 s, 90 s, 5 min, 1 h, 24 h."""
    if seconds < 120 or seconds % 60:
        return f"{seconds:g} s"
    if seconds < 7200 or seconds % 3600:
        return f"{seconds / 60:g} min"
    return f"{seconds / 3600:g} h"


def code_words(code: int) -> str:
    reason = ASYNC_ERRORS.get(code)
    return f"{code} {reason}" if reason else str(code)


def behaviour_words(b: Behaviour, channel: Channel | None) -> str:
    """What a handset does with each message on one channel (``channel`` None: on every
    channel the profile does not name)."""
    if not b.has:
        if b.error_code is not None:
            code = code_words(b.error_code)
        elif channel is not None:
            code = code_words(channel.missing_code)
        else:
            code = "each channel's own code"
        return f"not installed: rejected at once ({code})"
    parts: list[str] = []
    if b.fail is not None:
        code = code_words(b.error_code or DEFAULT_ERROR[b.fail])
        when = "at once" if not b.deliver_after else f"after {span(b.deliver_after)}"
        parts.append(f"{b.fail} {when} ({code})")
    elif b.deliver_after is None:
        parts.append("not delivered on its own (mark it here)")
    elif not b.receipts:
        parts.append(f"takes it after {span(b.deliver_after)}")
    else:
        parts.append(f"delivers after {span(b.deliver_after)}")
        if channel is not None and not channel.has_read:
            parts.append(f"never read ({channel.label} has no read receipts)")
        elif b.read_after is None:
            parts.append("never read")
        else:
            parts.append(f"read {span(b.read_after)} after delivery")
    if not b.receipts:
        parts.append("no receipts (the message stays submitted)")
    return ", ".join(parts)


def rule_words(rule: Rule) -> str:
    which = (
        "every delivered message"
        if rule.match is None
        else f"a delivered message matching /{rule.match}/"
    )
    acts: list[str] = []
    if rule.read:
        acts.append("reads it")
    if rule.tap is not None:
        first = rule.tap == "first"
        acts.append("taps the first suggestion" if first else f"taps the suggestion “{rule.tap}”")
    if rule.reply is not None:
        said = f"replies “{rule.reply}”"
        if "{code}" in rule.reply:
            said += " ({code}: the message's 4 to 8 digit code)"
        if rule.tap is not None:
            acts[-1] += f" (or, with nothing to tap, {said})"
        else:
            acts.append(said)
    when = "at once" if not rule.after else f"{span(rule.after)} after delivery"
    return f"On {which}: {', then '.join(acts)}, {when}."


@dataclass(frozen=True, slots=True)
class Line:
    """One channel's behaviour on the card."""

    name: str  # a channel name, or "*"
    label: str
    words: str


@dataclass(frozen=True, slots=True)
class Row:
    """One channel's row in the editor: what its fields start with (text, as typed)."""

    name: str  # a channel name, or "*"
    label: str
    has: str  # "" not set (as "*", or ordinary), "yes", "no"
    deliver_after: str
    read_after: str
    fail: str
    error_code: str
    receipts: bool


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _row(name: str, label: str, b: Behaviour | None) -> Row:
    shown = b or ORDINARY
    return Row(
        name=name,
        label=label,
        has="" if b is None else ("yes" if b.has else "no"),
        deliver_after=_number(shown.deliver_after),
        read_after=_number(shown.read_after),
        fail=shown.fail or "",
        error_code="" if shown.error_code is None else str(shown.error_code),
        receipts=shown.receipts,
    )


def editable(handset: Handset) -> dict[str, Any]:
    """The profile as a PUT body (what the JSON editor starts from)."""
    body = handset.to_dict()
    del body["address"], body["source"]
    return body


@dataclass(frozen=True, slots=True)
class Card:
    address: str
    handset: Handset | None
    source: str  # in words
    here: str  # what this conversation's channel does, in words
    lines: list[Line]
    offline: float | None
    offline_past: bool
    rules: list[str]
    rows: list[Row]
    persona: list[Rule]
    under: str | None  # what "back to …" returns to; None: no profile of its own to delete
    body: dict[str, Any]  # the PUT body the JSON editor starts from

    @property
    def ordinary(self) -> bool:
        return self.handset is None


def _under(rt: Runtime, handset: Handset) -> str | None:
    if handset.source != "api":
        return None
    if handset.address in rt.handsets.from_file:
        return "the --handsets file's profile"
    if handset.address in rt.handsets.magic:
        return "the magic number"
    return "ordinary"


def lines(rt: Runtime, handset: Handset) -> list[Line]:
    out = []
    for name, b in sorted(handset.channels.items(), key=lambda kv: kv[0] == ANY_CHANNEL):
        channel = rt.channels.get(name)
        if name == ANY_CHANNEL:
            label = "Every other channel" if len(handset.channels) > 1 else "Every channel"
        else:
            label = channel.label if channel else name
        out.append(Line(name, label, behaviour_words(b, channel)))
    return out


def card(rt: Runtime, channel: Channel, peer: str) -> Card:
    address = channel.address(peer)
    handset = rt.handsets.get(address)
    named = handset.channels if handset else {}
    rows = [_row(ANY_CHANNEL, "Every other channel", named.get(ANY_CHANNEL))]
    rows += [_row(c.name, c.label, named.get(c.name)) for c in rt.channels]
    if handset is None:
        return Card(
            address, None, "ordinary", ORDINARY_WORDS, [], None, False, [], rows, [], None, {}
        )
    offline = handset.offline_until
    return Card(
        address=address,
        handset=handset,
        source=SOURCES.get(handset.source, handset.source),
        here=behaviour_words(handset.behaviour(channel.name), channel),
        lines=lines(rt, handset),
        offline=offline,
        offline_past=offline is not None and offline <= rt.clock.now(),
        rules=[rule_words(r) for r in handset.persona],
        rows=rows,
        persona=list(handset.persona),
        under=_under(rt, handset),
        body=editable(handset),
    )
