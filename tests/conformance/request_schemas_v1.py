"""`POST /v1/messages` request bodies, one schema per channel and message type
(https://developer.vonage.com/en/api/messages#SendMessage), in our own compact form.

Each variant is a flat object schema (no `allOf`): the spec's `allOf` of a content schema, a
channel's options and the common fields is folded into one `properties` map, which reads the
same and lets a generator walk it. Unknown fields stay allowed, as in the spec.
"""

from __future__ import annotations

from tests.conformance.request_schemas_parts import (
    ALPHA_SENDER,
    BCP47,
    BSUID,
    CAPTION,
    E164,
    EMAIL_ADDRESS,
    EMAIL_SENDER,
    NUMBER,
    RCS_AGENT,
    SUBJECT,
    Schema,
    array,
    enum,
    integer,
    obj,
    string,
    text,
    url,
)
from tests.conformance.request_schemas_rich import rcs_card, rcs_carousel, suggestions

COMMON: Schema = {
    # v1 allows 100 characters (v0.1 allowed 40).
    "client_ref": string(maxLength=100),
    "webhook_url": url(),
    "webhook_version": enum("v0.1", "v1"),
}
# developer.vonage.com/en/messages/concepts/message-types: every message names its channel,
# its type, both ends, and the content property named after the type.
REQUIRED = ("channel", "message_type", "to", "from")


def variant(
    channel: str, kind: str, fields: Schema, required: tuple[str, ...], **kw: object
) -> Schema:
    props: Schema = {"channel": enum(channel), "message_type": enum(kind), **COMMON, **fields}
    return obj(props, (*REQUIRED, *required), **kw)


def media(hi_url: int = 2000, lo_url: int = 1, **extra: Schema) -> Schema:
    return obj({"url": url(lo_url, hi_url), **extra}, ("url",))


# --- SMS (https://developer.vonage.com/en/messages/concepts/sms) --------------------------------
SMS_FIELDS: Schema = {
    "to": NUMBER,
    "from": {"anyOf": [string(pattern=E164), string(pattern=ALPHA_SENDER)]},
    # A duration in seconds; the spec gives no upper bound.
    # The spec sets no upper bound; the Python SDK's is a week, and so is the sandbox's.
    "ttl": integer(1, 604800),
    "sms": obj(
        {
            "encoding_type": enum("text", "unicode", "auto"),
            "content_id": string(),
            "entity_id": string(),
        }
    ),
    # Added in 2025 (SMS guide; the SDKs' SmsOptions).
    "trusted_recipient": {"type": "boolean"},
    "pool_id": string(minLength=1),
}

# --- MMS (https://developer.vonage.com/en/messages/concepts/mms) --------------------------------
MMS_FIELDS: Schema = {
    "to": NUMBER,
    # E.164, or the US short code MMS is sent from (v0.1 spec: "A US shortcode").
    "from": {"anyOf": [string(pattern=E164), string(pattern="^[0-9]{5,6}$")]},
    "ttl": integer(300, 259200),
    # Group MMS (2025): the other participants' numbers.
    "mms": obj({"participants": array(NUMBER, lo=1)}),
}
MMS_MEDIA = media(caption=CAPTION)
MMS_CONTENT_ITEM = obj(
    {"type": enum("image", "audio", "video", "vcard", "file"), "url": url(), "caption": CAPTION},
    ("type", "url"),
)

# --- RCS (https://developer.vonage.com/en/messages/concepts/rcs) --------------------------------
RCS_FIELDS: Schema = {
    "to": NUMBER,
    "from": string(minLength=1, pattern=RCS_AGENT),
    # The spec's range. The Python SDK checks 20-259200 and the Java SDK 300-2592000: the
    # spec and the Java SDK agree, so the spec stands.
    "ttl": integer(300, 2592000),
    "rcs": obj(
        {
            "category": enum(
                "authentication", "transaction", "promotion", "service-request", "acknowledgement"
            ),
            "card_orientation": enum("VERTICAL", "HORIZONTAL"),
            "image_alignment": enum("LEFT", "RIGHT"),
            "card_width": enum("SMALL", "MEDIUM"),
        }
    ),
    "trusted_recipient": {"type": "boolean"},
}

# --- WhatsApp (https://developer.vonage.com/en/messages/concepts/whatsapp) ----------------------
WA_FIELDS: Schema = {
    # A number, or a business-scoped user id (WhatsApp BSUID guide, 2026).
    "to": {"anyOf": [NUMBER, string(pattern=BSUID)]},
    "from": string(pattern=E164),
    "context": obj({"message_uuid": string(minLength=1)}, ("message_uuid",)),
}
STICKER = {
    # "Must contain either a URL or an ID, but not both" (WhatsApp stickers guide).
    "oneOf": [
        obj({"url": url()}, ("url",), **{"not": {"required": ["id"]}}),
        obj({"id": string(minLength=1)}, ("id",), **{"not": {"required": ["url"]}}),
    ]
}
REACTION = {
    "oneOf": [
        obj({"action": enum("react"), "emoji": string(minLength=1)}, ("action", "emoji")),
        obj({"action": enum("unreact")}, ("action",)),
    ]
}
WA_TEMPLATE_OPTIONS = obj(
    {"locale": string(pattern=BCP47), "policy": enum("deterministic")}, ("locale",)
)

# --- Messenger (https://developer.vonage.com/en/messages/concepts/messenger) --------------------
MESSENGER_ID = string(minLength=1, maxLength=50)
MESSENGER_FIELDS: Schema = {
    "to": MESSENGER_ID,
    "from": MESSENGER_ID,
    # "If `message_tag` is used, then an additional `tag` for that type is mandatory."
    "messenger": {
        "anyOf": [
            obj({"category": enum("response", "update"), "tag": string()}),
            obj({"category": enum("message_tag"), "tag": string(minLength=1)}, ("category", "tag")),
        ]
    },
}

# --- Viber (https://developer.vonage.com/en/messages/concepts/viber) ----------------------------
VIBER_BLOCK: Schema = {
    "category": enum("transaction", "promotion"),
    "ttl": integer(30, 259200),
    "type": string(),
}
VIBER_ACTION = obj({"url": url(), "text": string(minLength=1, maxLength=30)}, ("url", "text"))
VIBER_FIELDS: Schema = {"to": NUMBER, "from": string(minLength=1, maxLength=50)}
VIBER_WITH_BUTTON = {**VIBER_FIELDS, "viber_service": obj({**VIBER_BLOCK, "action": VIBER_ACTION})}
VIBER_VIDEO_BLOCK = obj(
    {
        **VIBER_BLOCK,
        # spec defect: `minimum`/`maximum` on a string constrain nothing; the seconds (1-600)
        # and megabytes (1-200) are written as patterns over the decimal digits instead.
        "duration": string(pattern="^([1-9][0-9]?|[1-5][0-9]{2}|600)$"),
        "file_size": string(pattern="^([1-9][0-9]?|1[0-9]{2}|200)$"),
    },
    ("duration", "file_size"),
)

# --- Email (https://developer.vonage.com/en/messages/concepts/email, GA 2026) -------------------
EMAIL_PERSON = obj({"address": string(pattern=EMAIL_ADDRESS), "name": string()}, ("address",))
EMAIL_FIELDS: Schema = {
    "to": string(pattern=EMAIL_ADDRESS),
    "from": string(pattern=EMAIL_SENDER),
    "email": obj(
        {
            # A header line: no control character, at most RFC 5322's 998 characters.
            "subject": string(minLength=1, maxLength=998, pattern=SUBJECT),
            "importance": enum("High", "Normal", "Low"),
            "priority": enum("Non-Urgent", "Normal", "Urgent"),
            # The Node SDK's email types (email is not in the 1.11 file) enumerate it.
            "sensitivity": enum("Personal", "Private", "Company-Confidential"),
            "cc": array(EMAIL_PERSON),
            "bcc": array(EMAIL_PERSON),
        },
        ("subject",),
    ),
}
EMAIL_PART = {
    "oneOf": [
        obj({"type": enum("text"), "text": text()}, ("type", "text")),
        obj({"type": enum("html"), "body": text()}, ("type", "body")),
    ]
}


def v1_variants() -> dict[str, Schema]:
    """Every (channel, message_type) a v1 send may carry, by `channel.message_type`."""
    c = "custom"
    custom = {c: {"type": "object"}}
    out: dict[str, Schema] = {
        "sms.text": variant("sms", "text", {**SMS_FIELDS, "text": text(1000)}, ("text",)),
        "mms.text": variant("mms", "text", {**MMS_FIELDS, "text": text()}, ("text",)),
        "mms.content": variant(
            "mms", "content", {**MMS_FIELDS, "content": array(MMS_CONTENT_ITEM, lo=1)}, ("content",)
        ),
        "rcs.text": variant(
            "rcs",
            "text",
            {**RCS_FIELDS, "text": text(3072), "suggestions": suggestions(11)},
            ("text",),
        ),
        "rcs.custom": variant("rcs", c, {**RCS_FIELDS, **custom}, (c,)),
        "rcs.card": rcs_card(variant, RCS_FIELDS),
        "rcs.carousel": rcs_carousel(variant, RCS_FIELDS),
        "whatsapp.text": variant("whatsapp", "text", {**WA_FIELDS, "text": text(4096)}, ("text",)),
        "whatsapp.image": variant(
            "whatsapp", "image", {**WA_FIELDS, "image": media(caption=CAPTION)}, ("image",)
        ),
        "whatsapp.audio": variant(
            "whatsapp", "audio", {**WA_FIELDS, "audio": media(2000, 10)}, ("audio",)
        ),
        "whatsapp.video": variant(
            "whatsapp", "video", {**WA_FIELDS, "video": media(caption=CAPTION)}, ("video",)
        ),
        "whatsapp.file": variant(
            "whatsapp",
            "file",
            {**WA_FIELDS, "file": media(caption=CAPTION, name=string())},
            ("file",),
        ),
        "whatsapp.template": variant(
            "whatsapp",
            "template",
            {
                **WA_FIELDS,
                "template": obj(
                    {"name": string(minLength=1), "parameters": array(string())}, ("name",)
                ),
                "whatsapp": WA_TEMPLATE_OPTIONS,
            },
            ("template", "whatsapp"),
        ),
        "whatsapp.sticker": variant(
            "whatsapp", "sticker", {**WA_FIELDS, "sticker": STICKER}, ("sticker",)
        ),
        "whatsapp.reaction": variant(
            "whatsapp", "reaction", {**WA_FIELDS, "reaction": REACTION}, ("reaction", "context")
        ),
        "whatsapp.custom": variant("whatsapp", c, {**WA_FIELDS, **custom}, (c,)),
        "messenger.text": variant(
            "messenger", "text", {**MESSENGER_FIELDS, "text": text(640)}, ("text",)
        ),
        "viber_service.text": variant(
            "viber_service", "text", {**VIBER_WITH_BUTTON, "text": text(1000)}, ("text",)
        ),
        "viber_service.image": variant(
            "viber_service",
            "image",
            {**VIBER_WITH_BUTTON, "image": media(caption=CAPTION)},
            ("image",),
            # An image with an action button needs its caption (Viber guide: the button
            # goes under the caption).
            anyOf=[
                obj({"viber_service": obj({}, **{"not": {"required": ["action"]}})}),
                obj({"image": obj({}, ("caption",))}),
            ],
        ),
        "viber_service.video": variant(
            "viber_service",
            "video",
            {
                **VIBER_FIELDS,
                # spec defect: the video object requires `duration` and `file_size`, which the
                # spec itself (and every Vonage example) puts in `viber_service`; required there.
                "video": obj(
                    {"url": url(), "caption": CAPTION, "thumb_url": url(hi=1000)},
                    ("url", "thumb_url"),
                ),
                "viber_service": VIBER_VIDEO_BLOCK,
            },
            ("video", "viber_service"),
        ),
        "viber_service.file": variant(
            "viber_service",
            "file",
            {
                **VIBER_FIELDS,
                "viber_service": obj(VIBER_BLOCK),
                # spec defect: "the URL ... or the path for the location of the file": Viber
                # fetches the file from where it is, so it is a URL like every other media URL.
                "file": obj({"url": url(), "name": string(maxLength=25)}, ("url",)),
            },
            ("file",),
        ),
        "email.text": variant("email", "text", {**EMAIL_FIELDS, "text": text()}, ("text", "email")),
        "email.html": variant(
            "email",
            "html",
            {**EMAIL_FIELDS, "html": obj({"body": text()}, ("body",))},
            ("html", "email"),
        ),
        "email.content": variant(
            "email",
            "content",
            {**EMAIL_FIELDS, "content": array(EMAIL_PART, lo=1)},
            ("content", "email"),
        ),
    }
    for kind in ("image", "vcard", "audio", "video", "file"):
        out[f"mms.{kind}"] = variant("mms", kind, {**MMS_FIELDS, kind: MMS_MEDIA}, (kind,))
    for kind in ("image", "video", "file"):
        out[f"rcs.{kind}"] = variant("rcs", kind, {**RCS_FIELDS, kind: media()}, (kind,))
    for kind in ("image", "audio", "video", "file"):
        # Messenger audio: the spec's 10-2000 characters.
        lo = 10 if kind == "audio" else 1
        out[f"messenger.{kind}"] = variant(
            "messenger", kind, {**MESSENGER_FIELDS, kind: media(2000, lo)}, (kind,)
        )
    return dict(sorted(out.items()))


def patch_body() -> Schema:
    """`PATCH /v1/messages/{message_uuid}`
    (https://developer.vonage.com/en/api/messages#UpdateMessage)."""
    return {
        "oneOf": [
            # Stricter than the spec, on purpose (docs/compatibility.md): a replying indicator
            # means something only with `read`, and a key it does not have (`shwo`) would change
            # nothing without a word, so both are refused.
            obj(
                {"status": enum("revoked")},
                ("status",),
                **{"not": {"required": ["replying_indicator"]}},
            ),
            obj(
                {
                    "status": enum("read"),
                    # The WhatsApp typing indicator (2026 WhatsApp guide).
                    "replying_indicator": obj(
                        {"show": {"type": "boolean"}, "type": enum("text")},
                        ("show",),
                        additionalProperties=False,
                    ),
                },
                ("status",),
            ),
        ]
    }


__all__ = ["E164", "patch_body", "v1_variants"]
