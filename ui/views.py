"""How the inbox shows a message: pure functions from the model to what templates print.

Nothing here builds HTML; templates do that with autoescape on. The one rule that escaping
cannot give is which URLs may go into ``src``/``href``: only absolute http(s) URLs do, anything
else (``javascript:``, ``data:``, relative paths) is shown as inert text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import quote, urlsplit

from sandbox.core.channel import MEDIA_KINDS, Channel
from sandbox.core.checks import is_http_url
from sandbox.core.clock import iso
from sandbox.core.models import Message


def safe_url(value: Any) -> str | None:
    """``value`` if it is an absolute http(s) URL a browser will read the same way, else None."""
    if not is_http_url(value) or len(value) > 4000:
        return None
    assert isinstance(value, str)
    return value


def pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False, default=str)


ViewKind = Literal[
    "text", "media", "location", "template", "custom", "reaction", "cards", "tap", "data"
]


@dataclass(slots=True)
class Media:
    kind: str  # one of MEDIA_KINDS
    url: str | None  # safe to use in src/href, or None
    raw_url: str | None  # what was sent, shown as text when it is not safe
    caption: str | None = None
    name: str | None = None
    file: str = ""  # what to call it in a placeholder: its name, else its URL's last segment


@dataclass(slots=True)
class Chip:
    """A suggestion chip the person can tap as the user (by its postback data)."""

    text: str
    type: str
    postback: str
    index: int  # its position among the message's chips (what a tap names: postbacks repeat)
    detail: str | None = None  # the URL, number or place an action opens


@dataclass(slots=True)
class Card:
    title: str | None
    text: str | None
    media: Media
    chips: list[Chip]


@dataclass(slots=True)
class ContentView:
    kind: ViewKind
    text: str | None = None
    media: Media | None = None
    title: str | None = None  # template name, reaction emoji, ...
    data: Any = None  # shown pretty-printed
    fields: list[tuple[str, str]] = field(default_factory=list)
    cards: list[Card] = field(default_factory=list)
    chips: list[Chip] = field(default_factory=list)  # the message's own suggestion chips


def _media(kind: str, value: Any) -> Media:
    obj = value if isinstance(value, dict) else {}
    raw = obj.get("url")
    caption = obj.get("caption")
    name = obj.get("name")
    return Media(
        kind,
        safe_url(raw),
        raw if isinstance(raw, str) else None,
        caption if isinstance(caption, str) else None,
        name if isinstance(name, str) else None,
        file_name(name, raw),
    )


def file_name(name: Any, url: Any) -> str:
    if isinstance(name, str) and name:
        return name
    if not isinstance(url, str):
        return ""
    try:
        path = urlsplit(url).path
    except ValueError:
        return ""
    return path.rstrip("/").rsplit("/", 1)[-1][:80]


# The chips of one message by identity -> their position in the channel's own order.
Order = dict[int, int]


def chip_order(m: Message, channel: Channel | None) -> Order:
    if channel is None or channel.suggestions is None or m.direction != "outbound":
        return {}
    return {id(s): i for i, s in enumerate(channel.suggestions(m))}


def chips(value: Any, order: Order) -> list[Chip]:
    """Suggestion chips from a `suggestions` array, skipping what is not one."""
    out: list[Chip] = []
    for s in value if isinstance(value, list) else []:
        if not isinstance(s, dict) or not isinstance(s.get("postback_data"), str):
            continue
        if id(s) not in order:
            continue
        detail = next(
            (str(s[k]) for k in ("url", "phone_number", "pin_label", "title") if k in s), None
        )
        out.append(
            Chip(
                str(s.get("text") or ""),
                str(s.get("type")),
                s["postback_data"],
                order[id(s)],
                detail,
            )
        )
    return out


def _card(value: Any, order: Order) -> Card:
    obj = value if isinstance(value, dict) else {}
    title, text = obj.get("title"), obj.get("text")
    media = _media("image", {"url": obj.get("media_url"), "caption": obj.get("media_description")})
    return Card(
        title if isinstance(title, str) else None,
        text if isinstance(text, str) else None,
        media,
        chips(obj.get("suggestions"), order),
    )


def content_view(m: Message, channel: Channel | None = None) -> ContentView:
    """What a bubble shows, with the message's own suggestion chips (RCS) under it."""
    order = chip_order(m, channel)
    view = _content(m, order)
    view.chips = chips((m.options or {}).get("suggestions"), order)
    return view


def _content(m: Message, order: Order) -> ContentView:
    c = m.content
    t = m.message_type
    if t == "card" and isinstance(c.get("card"), dict):
        return ContentView("cards", cards=[_card(c["card"], order)], data=c["card"])
    if t == "carousel" and isinstance(c.get("carousel"), dict):
        cards = c["carousel"].get("cards")
        items = cards if isinstance(cards, list) else []
        return ContentView("cards", cards=[_card(x, order) for x in items], data=c["carousel"])
    if t == "text" and isinstance(c.get("text"), str):
        return ContentView("text", text=c["text"])
    if t in MEDIA_KINDS:
        return ContentView("media", media=_media(t, c.get(t)))
    if t == "location" and isinstance(c.get("location"), dict):
        loc = c["location"]
        fields = [(k, str(loc[k])) for k in ("lat", "long", "name", "address") if k in loc]
        return ContentView("location", fields=fields, data=loc)
    if t == "template" and isinstance(c.get("template"), dict):
        tpl = c["template"]
        params = tpl.get("parameters")
        fields = [
            (f"{{{{{i}}}}}", str(p))
            for i, p in enumerate(params if isinstance(params, list) else [], start=1)
        ]
        return ContentView("template", title=str(tpl.get("name")), fields=fields, data=tpl)
    if t == "reaction" and isinstance(c.get("reaction"), dict):
        r = c["reaction"]
        return ContentView("reaction", title=str(r.get("emoji") or r.get("action")), data=r)
    if t in ("reply", "button") and isinstance(c.get(t), dict):
        # The user tapped a suggestion or a button: show what it said and what it sends.
        tap = c[t]
        said = tap.get("title") if t == "reply" else tap.get("text")
        sends = tap.get("id") if t == "reply" else tap.get("payload")
        return ContentView("tap", title=str(said or t), text=str(sends or ""), data=tap)
    if t == "custom":
        return ContentView("custom", data=c.get("custom"))
    return ContentView("data", title=t, data=c)


# Status ticks as the handset apps draw them: one grey tick sent, two delivered, two blue read.
TICKS: dict[str, tuple[str, str]] = {
    "submitted": ("✓", "Submitted"),
    "delivered": ("✓✓", "Delivered"),
    "read": ("✓✓", "Read"),
    "rejected": ("✕", "Rejected"),
    "undeliverable": ("✕", "Undeliverable"),
    "revoked": ("⊘", "Revoked: never shown on the handset"),
    "received": ("", "Received"),
}


def ticks(status: str) -> tuple[str, str]:
    return TICKS.get(status, ("?", status))


# What the simulated user can send from the composer, per channel (a subset of what the
# control API accepts: the kinds a person types by hand).
COMPOSER_KINDS = ("text", "html", "image", "audio", "video", "file", "location")


def composer_kinds(channel: Channel) -> list[str]:
    return [k for k in COMPOSER_KINDS if k in channel.inbound_types]


# -- times ----------------------------------------------------------------------------------
def _as_datetime(value: Any) -> datetime | None:
    """A virtual time as the models (epoch seconds) or the control API (ISO 8601) give it."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def iso_time(value: Any) -> str:
    """The full ISO form (for `datetime` and `title`), whichever form ``value`` came in."""
    if isinstance(value, str):
        return value
    return "" if _as_datetime(value) is None else iso(float(value))


def human_time(value: Any, seconds: bool = True) -> str:
    """`2 Dec 02:07:23`: what a person reads all day (the year is on the clock)."""
    when = _as_datetime(value)
    if when is None:
        return "" if value is None else str(value)
    return f"{when.day} {when:%b %H:%M:%S}" if seconds else f"{when.day} {when:%b %H:%M}"


def day_of(value: Any) -> str:
    when = _as_datetime(value)
    return "" if when is None else f"{when:%Y-%m-%d}"


def day_label(value: Any) -> str:
    """`Wed 2 Dec 2026`: a conversation's date separator and the clock's date."""
    when = _as_datetime(value)
    return "" if when is None else f"{when:%a} {when.day} {when:%b %Y}"


@dataclass(slots=True)
class DayBreak:
    day: str  # YYYY-MM-DD, for <time datetime>
    label: str


def with_days(messages: list[Message]) -> list[tuple[DayBreak | None, Message]]:
    """Each message with the date separator to draw before it: before the first one shown and
    wherever the virtual day changes (after `until idle` jumps a day, say)."""
    out: list[tuple[DayBreak | None, Message]] = []
    last = None
    for m in messages:
        day = day_of(m.created_at)
        out.append((DayBreak(day, day_label(m.created_at)) if day != last else None, m))
        last = day
    return out


# -- the webhook ledger and the timers ------------------------------------------------------
@dataclass(slots=True)
class DeliveryFacts:
    channel: str | None
    to: str | None
    label: str  # the kind and event, once when they are the same word ("inbound")


def _address(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for key in ("number", "id", "address", "email"):
            if isinstance(value.get(key), str):
                return str(value[key])
    return None


def delivery_facts(d: Any) -> DeliveryFacts:
    """Channel and recipient of a delivery (as the control API lists it), read from its
    payload: v1 bodies carry `channel` and `to`, v0.1 bodies `to: {type, number}`."""
    obj = d if isinstance(d, dict) else {}
    body = obj.get("payload")
    payload: dict[str, Any] = body if isinstance(body, dict) else {}
    to = payload.get("to")
    channel = payload.get("channel")
    if not isinstance(channel, str):
        typed = to if isinstance(to, dict) else payload.get("from")
        channel = typed.get("type") if isinstance(typed, dict) else None
    kind, event = str(obj.get("kind") or ""), str(obj.get("event") or "")
    label = kind if kind == event or not event else f"{kind} {event}".strip()
    return DeliveryFacts(channel if isinstance(channel, str) else None, _address(to), label)


RECENT_ATTEMPTS = 5  # what an expanded delivery lists; earlier ones fold into a <details>


def split_attempts(attempts: Any) -> tuple[list[Any], list[Any]]:
    """(earlier, recent): the last few attempts shown, the rest folded away."""
    items = attempts if isinstance(attempts, list) else []
    cut = max(0, len(items) - RECENT_ATTEMPTS)
    return items[:cut], items[cut:]


def timer_link(kind: str, ref: str | None) -> str | None:
    """Where what a timer acts on lives in the inbox (its `ref` by kind)."""
    if not ref:
        return None
    if kind in ("webhook-retry", "webhook-delay"):
        return f"/webhooks/{quote(ref, safe='')}"  # its own page: no ledger page to guess
    if kind == "failover":
        return f"/failover/dispatch/{quote(ref, safe='')}"
    return f"/messages/{quote(ref, safe='')}"


def _shown_char(ch: str) -> str:
    """A character as it can be seen: an invisible one by its code point."""
    return ch if ch.isprintable() and not ch.isspace() else f"U+{ord(ch):04X}"


def encoding_facts(m: Message, channel: Channel | None) -> tuple[str, str] | None:
    """How an outbound message goes out, from its channel's `details` (SMS: "UCS-2 · 2 parts
    — because of 'é'"), with its length for a tooltip; None for a channel without them."""
    if channel is None or channel.details is None or m.direction != "outbound":
        return None
    facts = channel.details(m)
    encoding, parts = facts.get("encoding"), facts.get("parts")
    if not isinstance(encoding, str) or not isinstance(parts, int):
        return None
    text = f"{encoding} · {parts} part{'' if parts == 1 else 's'}"
    because = facts.get("ucs2_because")
    if isinstance(because, list) and because:
        text += " — because of " + ", ".join(f"\u2018{_shown_char(str(c))}\u2019" for c in because)
    chars = facts.get("characters")
    return text, f"{chars} characters" if isinstance(chars, int) else text
