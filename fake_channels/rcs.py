"""RCS (Rich Communication Services): an agent id -> a number; text, media, rich cards and
carousels with suggestion chips; `read` receipts; an outbound message can be revoked while it
is not yet delivered.

Shapes and limits: Vonage's RCS guides (https://developer.vonage.com/en/messages/guides/rcs)
and the Messages API spec's RCS branches; the RCS agent id pattern is the official SDKs'.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sandbox.core.channel import NETWORK_CODE, Channel
from sandbox.core.checks import (
    Issue,
    check_enum,
    check_string,
    check_url,
    object_at,
)
from sandbox.core.models import Message, StatusChange

AGENT_ID = re.compile(r"^[a-zA-Z0-9\-_&]+\Z")  # alphanumerics, `-`, `_`, `&`; no spaces
TEXT_MAX = 3072
TTL_RANGE = (300, 2_592_000)  # the spec's; by default the provider tries for 30 days
CATEGORIES = ("authentication", "transaction", "promotion", "service-request", "acknowledgement")
SUGGESTIONS_MAX = 11  # message-level suggestion chips
CARD_SUGGESTIONS_MAX = 4
CAROUSEL_CARDS = (2, 10)
CARD_TITLE_MAX = 200
CARD_TEXT_MAX = 2000
SUGGESTION_TEXT_MAX = 25
MEDIA_HEIGHTS = ("SHORT", "MEDIUM", "TALL")

# Suggestion type -> (required fields, optional fields) beyond `type`, `text`, `postback_data`.
SUGGESTION_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "reply": ((), ()),
    "dial": (("phone_number",), ("fallback_url",)),
    "view_location": (("latitude", "longitude", "pin_label"), ("fallback_url",)),
    "share_location": ((), ()),
    "open_url": (("url",), ("description",)),
    "open_url_in_webview": (("url",), ("description", "view_mode")),
    "create_calendar_event": (("start_time", "end_time", "title"), ("description", "fallback_url")),
}
# Taps on these come back as inbound `reply`; on every other kind (actions) as `button`.
REPLY_SUGGESTIONS = ("reply",)


def _coordinate(value: Any, bound: float) -> bool:
    """A number, or a string of one (the SDKs send strings), within +-bound."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return False
    try:
        number = float(value)
    except ValueError:
        return False
    return -bound <= number <= bound


def _suggestion(issues: list[Issue], value: Any, name: str) -> None:
    obj = object_at(issues, value, name)
    if obj is None:
        return
    kind = obj.get("type")
    if not isinstance(kind, str) or kind not in SUGGESTION_FIELDS:
        check_enum(issues, kind, f"{name}.type", tuple(SUGGESTION_FIELDS), required=True)
        return
    check_string(issues, obj.get("text"), f"{name}.text", max_len=SUGGESTION_TEXT_MAX)
    check_string(issues, obj.get("postback_data"), f"{name}.postback_data")
    required, optional = SUGGESTION_FIELDS[kind]
    for field in required:
        value = obj.get(field)
        if field in ("latitude", "longitude"):
            bound = 90 if field == "latitude" else 180
            if not _coordinate(value, bound):
                issues.append(
                    Issue(1150, f"{name}.{field}", f"must be a number from -{bound} to {bound}.")
                )
        elif field == "url":
            check_url(issues, value, f"{name}.url")
        else:
            check_string(issues, value, f"{name}.{field}")
    for field in optional:
        if field == "view_mode":
            check_enum(issues, obj.get(field), f"{name}.view_mode", ("FULL", "TALL", "HALF"))
        elif field == "fallback_url" and field in obj:
            check_url(issues, obj.get(field), f"{name}.{field}")
        elif field in obj:
            check_string(issues, obj.get(field), f"{name}.{field}", min_len=0)


def _suggestions(issues: list[Issue], value: Any, name: str, most: int) -> None:
    if value is None:
        return
    if not isinstance(value, list) or not value:
        issues.append(Issue(1150, name, "must be a non-empty array of suggestions."))
        return
    if len(value) > most:
        issues.append(Issue(1150, name, f"must hold at most {most} suggestions."))
    for i, item in enumerate(value):
        _suggestion(issues, item, f"{name}[{i}]")


def _card_object(issues: list[Issue], value: Any, name: str) -> Mapping[str, Any]:
    obj = object_at(issues, value, name)
    if obj is None:
        return {}
    # Vonage's rich-card guide: "each card object must include title, text, media_url".
    for key, most in (("title", CARD_TITLE_MAX), ("text", CARD_TEXT_MAX)):
        check_string(issues, obj.get(key), f"{name}.{key}", max_len=most)
    check_url(issues, obj.get("media_url"), f"{name}.media_url")
    check_enum(issues, obj.get("media_height"), f"{name}.media_height", MEDIA_HEIGHTS)
    if "media_description" in obj:
        check_string(issues, obj.get("media_description"), f"{name}.media_description", min_len=0)
    if "thumbnail_url" in obj:
        check_url(issues, obj.get("thumbnail_url"), f"{name}.thumbnail_url")
    if "media_force_refresh" in obj and not isinstance(obj.get("media_force_refresh"), bool):
        issues.append(Issue(1150, f"{name}.media_force_refresh", "must be true or false."))
    _suggestions(issues, obj.get("suggestions"), f"{name}.suggestions", CARD_SUGGESTIONS_MAX)
    return obj


def _layout(body: Mapping[str, Any]) -> Mapping[str, Any]:
    block = body.get("rcs")
    return block if isinstance(block, Mapping) else {}


def _card(channel: Channel, body: Mapping[str, Any], issues: list[Issue]) -> None:
    _card_object(issues, body.get("card"), "card")
    # The guide: a card message "must include an rcs object specifying card_orientation", and
    # image_alignment goes with horizontal cards.
    rcs = _layout(body)
    orientation = rcs.get("card_orientation")
    if orientation is None:
        issues.append(Issue(1110, "rcs.card_orientation", "is required for a card message."))
    elif orientation == "HORIZONTAL" and rcs.get("image_alignment") is None:
        issues.append(Issue(1110, "rcs.image_alignment", "is required for a horizontal card."))


def _carousel(channel: Channel, body: Mapping[str, Any], issues: list[Issue]) -> None:
    obj = object_at(issues, body.get("carousel"), "carousel")
    if obj is None:
        return
    cards = obj.get("cards")
    lo, hi = CAROUSEL_CARDS
    if not isinstance(cards, list) or not lo <= len(cards) <= hi:
        issues.append(Issue(1150, "carousel.cards", f"must be an array of {lo} to {hi} cards."))
        return
    for i, card in enumerate(cards):
        _card_object(issues, card, f"carousel.cards[{i}]")


LAYOUT = {
    "card_orientation": ("VERTICAL", "HORIZONTAL"),
    "image_alignment": ("LEFT", "RIGHT"),
    "card_width": ("SMALL", "MEDIUM"),
}


def _options(block: Mapping[str, Any], name: str, issues: list[Issue]) -> None:
    check_enum(issues, block.get("category"), f"{name}.category", CATEGORIES, code=1110)
    for key, allowed in LAYOUT.items():
        check_enum(issues, block.get(key), f"{name}.{key}", allowed, code=1110)


def _message(body: Mapping[str, Any], issues: list[Issue]) -> None:
    if "suggestions" in body:
        if body.get("message_type") not in ("text", "card", "carousel"):
            issues.append(
                Issue(1150, "suggestions", "go only with text, card and carousel messages.")
            )
        else:
            _suggestions(issues, body.get("suggestions"), "suggestions", SUGGESTIONS_MAX)
    if "trusted_recipient" in body and not isinstance(body.get("trusted_recipient"), bool):
        issues.append(Issue(1150, "trusted_recipient", "must be true or false."))


def suggestions_of(message: Message) -> list[dict[str, Any]]:
    """Every suggestion chip of an outbound RCS message: the cards' chips card by card, then
    the message's own, in the order a handset shows them (what a tap by index refers to)."""
    out: list[dict[str, Any]] = []
    options = message.options or {}
    content = message.content
    cards: list[Any] = []
    if isinstance(content.get("card"), Mapping):
        cards = [content["card"]]
    elif isinstance(content.get("carousel"), Mapping):
        cards = list(content["carousel"].get("cards") or [])
    for card in cards:
        if isinstance(card, Mapping):
            out.extend(s for s in card.get("suggestions") or [] if isinstance(s, dict))
    out.extend(s for s in options.get("suggestions") or [] if isinstance(s, dict))
    return out


def tap(suggestion: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The inbound message a tap on ``suggestion`` sends: a suggested reply comes back as
    `reply` {id, title}, a suggested action as `button` {payload, text}."""
    if suggestion.get("type") in REPLY_SUGGESTIONS:
        return "reply", {"id": suggestion.get("postback_data"), "title": suggestion.get("text")}
    return "button", {"payload": suggestion.get("postback_data"), "text": suggestion.get("text")}


def _status_extras(message: Message, change: StatusChange) -> dict[str, Any]:
    return {"destination": {"network_code": NETWORK_CODE}}


def _inbound_extras(message: Message, self_base: str) -> dict[str, Any]:
    return {"context_status": "none"}  # RCS inbound messages carry no context


RCS = Channel(
    name="rcs",
    v01_name="rcs",  # no 2018 API knows it: v01_outbound_types stays empty
    label="RCS",
    to_kind="number",
    from_kind="id",
    outbound_types=("text", "image", "video", "file", "custom", "card", "carousel"),
    inbound_types=(
        "text",
        "image",
        "video",
        "audio",
        "file",
        "vcard",
        "location",
        "reply",
        "button",
    ),
    default_ttl=30 * 86400.0,
    has_read=True,
    text_limit=TEXT_MAX,
    price="0.0200",
    option_block="rcs",
    ttl_range=TTL_RANGE,
    content_checks={"card": _card, "carousel": _carousel},
    options_check=_options,
    from_patterns=(AGENT_ID,),
    message_fields=("suggestions", "trusted_recipient"),
    message_check=_message,
    revocable=True,
    suggestions=suggestions_of,
    tap=tap,
    status_extras=_status_extras,
    inbound_extras=_inbound_extras,
)
