"""RCS rich cards, carousels and suggestion chips (2025-2026): not in the 1.11 OpenAPI file;
shapes from Vonage's RCS guides (https://developer.vonage.com/en/messages/guides/rcs/
rcs-rich-cards, /rcs-suggestions) and the SDKs' RCS classes."""

from __future__ import annotations

from collections.abc import Callable

from tests.conformance.request_schemas_parts import Schema, array, enum, obj, string, url

CHIP = {"text": string(minLength=1, maxLength=25), "postback_data": string(minLength=1)}


def coordinate(bound: int, whole: str) -> Schema:
    """A number or a string of one (the SDKs send strings). The spec gives no range; the
    sandbox refuses what is no place on Earth (|latitude| <= 90, |longitude| <= 180)."""
    number = {"type": "number", "minimum": -bound, "maximum": bound}
    text = string(pattern=f"^-?0*({whole})(\\.[0-9]+)?$|^-?0*{bound}(\\.0+)?$")
    return {"anyOf": [number, text]}


LATITUDE = coordinate(90, "[0-8]?[0-9]")
LONGITUDE = coordinate(180, "1[0-7][0-9]|[0-9]?[0-9]")


def chip(kind: str, fields: Schema | None = None, required: tuple[str, ...] = ()) -> Schema:
    props = {"type": enum(kind), **CHIP, **(fields or {})}
    return obj(props, ("type", "text", "postback_data", *required))


SUGGESTION: Schema = {
    "oneOf": [
        chip("reply"),
        chip("dial", {"phone_number": string(minLength=1)}, ("phone_number",)),
        chip(
            "view_location",
            {
                "latitude": LATITUDE,
                "longitude": LONGITUDE,
                "pin_label": string(minLength=1),
            },
            ("latitude", "longitude", "pin_label"),
        ),
        chip("share_location"),
        chip("open_url", {"url": url(), "description": string()}, ("url",)),
        chip(
            "open_url_in_webview",
            {"url": url(), "description": string(), "view_mode": enum("FULL", "TALL", "HALF")},
            ("url",),
        ),
        chip(
            "create_calendar_event",
            {
                "start_time": string(minLength=1),
                "end_time": string(minLength=1),
                "title": string(minLength=1),
                "description": string(),
            },
            ("start_time", "end_time", "title"),
        ),
    ]
}


def suggestions(most: int) -> Schema:
    return array(SUGGESTION, lo=1, hi=most)


def card(extra: Schema | None = None) -> Schema:
    return obj(
        {
            "title": string(minLength=1, maxLength=200),
            "text": string(minLength=1, maxLength=2000),
            "media_url": url(),
            "media_height": enum("SHORT", "MEDIUM", "TALL"),
            "media_description": string(),
            "thumbnail_url": url(),
            "media_force_refresh": {"type": "boolean"},
            "suggestions": suggestions(4),
            **(extra or {}),
        },
        # spec defect: only media_url is marked required; Vonage's rich-card guide says each
        # card "must include title, text, media_url", and so does the sandbox.
        ("title", "text", "media_url"),
    )


Variant = Callable[..., Schema]


def rcs_card(variant: Variant, fields: Schema) -> Schema:
    # "image_alignment is required when horizontal; media_height when vertical": the card's
    # layout decides what is required, so the variant is one of three shapes.
    horizontal = obj(
        {
            "rcs": obj(
                {"card_orientation": enum("HORIZONTAL")}, ("card_orientation", "image_alignment")
            )
        },
        ("rcs",),
    )
    vertical = obj(
        {
            "rcs": obj({"card_orientation": enum("VERTICAL")}, ("card_orientation",)),
            "card": obj({}, ("media_height",)),
        },
        ("rcs",),
    )
    # spec defect: the spec leaves card_orientation optional; the rich-card guide says a card
    # message "must include an rcs object specifying card_orientation" (the sandbox agrees).
    return variant(
        "rcs",
        "card",
        {**fields, "card": card(), "suggestions": suggestions(11)},
        ("card", "rcs"),
        anyOf=[horizontal, vertical],
    )


def rcs_carousel(variant: Variant, fields: Schema) -> Schema:
    return variant(
        "rcs",
        "carousel",
        {
            **fields,
            "carousel": obj({"cards": array(card(), lo=2, hi=10)}, ("cards",)),
            "suggestions": suggestions(11),
        },
        ("carousel",),
    )
