"""Messages API v1 `inbound-message` webhook bodies, one schema per channel and message type.

Structure from https://developer.vonage.com/en/api/messages#inbound-message (each channel's
variants and their content objects), RCS taps from https://developer.vonage.com/en/messages/
guides/rcs, the 2026 WhatsApp sender and username from Vonage's WhatsApp guides, and email
(not in the published definitions yet) from Vonage's email guides.
"""

from __future__ import annotations

from tests.conformance.webhook_schemas_common import (
    COUNT,
    ID_ADDRESS,
    NUMBER,
    NUMBER_ADDRESS,
    STRING,
    URL,
    USAGE,
    UUID,
    Schema,
    all_of,
    const,
    document,
    enum,
    media,
    obj,
)
from tests.conformance.webhook_schemas_v1 import (
    EMAIL,
    EMAIL_SENDER,
    WHATSAPP_USER,
    envelope,
    with_self,
)


def text(max_length: int | None = None) -> Schema:
    body: Schema = {"type": "string"}
    if max_length is not None:
        body["maxLength"] = max_length
    return obj({"message_type": const("text"), "text": body}, ("text",))


def content(kind: str, item: Schema) -> Schema:
    """A message whose content is the object named after its type."""
    return obj({"message_type": const(kind), kind: item}, (kind,))


def located(**more: Schema) -> Schema:
    return content("location", obj({"lat": NUMBER, "long": NUMBER, **more}, ("lat", "long")))


UNSUPPORTED: Schema = obj({"message_type": const("unsupported")}, ("message_type",))
NAMED = {"name": STRING}
# Audio URLs are 10 to 2,000 characters wherever the definitions give audio a length.
AUDIO_URL: Schema = {"type": "string", "format": "uri", "minLength": 10, "maxLength": 2000}
REPLY: Schema = content("reply", obj({"id": STRING, "title": STRING}, ("id", "title")))

# -- SMS -----------------------------------------------------------------------------------
SMS_ENVELOPE = envelope(
    "sms",
    NUMBER_ADDRESS,
    STRING,
    {
        # spec defect: the SMS variant has no `message_type` at all, yet Vonage's SDK stubs
        # and every other channel carry one; optional here, and `text` when present.
        "message_type": enum("text"),
        "sms": obj({"num_messages": COUNT, "keyword": STRING}),
        "usage": USAGE,
        "origin": obj({"network_code": STRING}),
    },
    required=("text",),
)
SMS = {"text": all_of(SMS_ENVELOPE, obj({"text": STRING}, ("text",)))}

# -- MMS -----------------------------------------------------------------------------------
# More than one attachment: every one is also listed in `content`.
ATTACHMENTS: Schema = {
    "type": "array",
    "items": obj({"type": enum("image", "audio", "video", "vcard", "file"), "url": STRING}),
}
MMS_ENVELOPE = envelope("mms", NUMBER_ADDRESS, STRING, {"origin": obj({"network_code": STRING})})
_MMS_CONTENT: dict[str, Schema] = {
    "text": text(640),
    "image": content(
        "image",
        media(URL, name=STRING, caption={"type": "string", "minLength": 1, "maxLength": 3000}),
    ),
    "vcard": content("vcard", media(URL, **NAMED)),
    "audio": content("audio", media(AUDIO_URL, **NAMED)),
    "video": content("video", media(URL, **NAMED)),
    "file": content("file", media(URL, name=STRING, caption=STRING)),
}
MMS = {
    kind: all_of(MMS_ENVELOPE, part, obj({"content": ATTACHMENTS}) if kind != "text" else {})
    for kind, part in _MMS_CONTENT.items()
}
# A user's message of several attachments: the first names the type, `content` lists all.
MMS["content"] = all_of(
    MMS["image"], obj({"content": {**ATTACHMENTS, "minItems": 2}}, ("content",))
)

# -- RCS -----------------------------------------------------------------------------------
RCS_ENVELOPE = envelope("rcs", STRING, STRING, {"context_status": enum("none")})
RCS: dict[str, Schema] = {
    "text": text(3072),
    **{k: content(k, media(URL, **NAMED)) for k in ("image", "video", "audio", "file", "vcard")},
    "location": located(),
    "reply": REPLY,
    # spec defect: RCS `button` requires a `reply` member it never defines; the button's
    # own object, `button {payload, text}`, is what is required.
    "button": content("button", obj({"payload": STRING, "text": STRING}, ("payload", "text"))),
}
RCS = {k: all_of(RCS_ENVELOPE, v) for k, v in RCS.items()}

# -- WhatsApp ------------------------------------------------------------------------------
HOME_OR_WORK = enum("home", "work")
CONTACT: Schema = obj(
    {
        "addresses": {
            "type": "array",
            "items": obj(
                {
                    **{k: STRING for k in ("city", "country", "country_code", "state", "street")},
                    "postal_code": STRING,
                    "type": HOME_OR_WORK,
                }
            ),
        },
        "birthday": STRING,
        "emails": {"type": "array", "items": obj({"email": STRING, "type": HOME_OR_WORK})},
        "name": obj(
            {
                k: STRING
                for k in (
                    "formatted_name",
                    "first_name",
                    "last_name",
                    "middle_name",
                    "prefix",
                    "suffix",
                )
            }
        ),
        "phones": {"type": "array", "items": obj({"phone": STRING, "type": HOME_OR_WORK})},
        "urls": {"type": "array", "items": obj({"url": STRING, "type": HOME_OR_WORK})},
    }
)
REFERRAL: Schema = obj(
    {
        **{k: STRING for k in ("body", "headline", "source_id", "source_type", "source_url")},
        "media_type": enum("image", "video"),
        **{k: STRING for k in ("image_url", "video_url", "thumbnail_url", "ctwa_clid")},
    },
    ("body", "headline", "source_id", "source_type", "source_url"),
)
WHATSAPP_ENVELOPE = envelope(
    "whatsapp",
    NUMBER_ADDRESS,
    STRING,
    {
        "profile": obj({"name": STRING, "username": STRING}, ("name",)),
        "context_status": enum("none", "available", "unavailable"),
        "context": obj(
            {"message_uuid": UUID, "message_from": STRING}, ("message_uuid", "message_from")
        ),
        "provider_message": STRING,
        "whatsapp": obj(
            {
                "referral": REFERRAL,
                "whatsapp_referred_product": obj(
                    {"catalog_id": STRING, "product_retailer_id": STRING},
                    ("catalog_id", "product_retailer_id"),
                ),
                # 2026: who wrote, by number or business-scoped user id.
                "sender": WHATSAPP_USER,
            }
        ),
    },
    required=("message_type", "context_status"),
)
WHATSAPP: dict[str, Schema] = {
    "text": text(),
    "image": content("image", media(URL, name=STRING, caption=STRING)),
    "video": content("video", media(URL, **NAMED)),
    "file": content("file", media(URL, name=STRING, caption=STRING)),
    "audio": content("audio", media(AUDIO_URL, **NAMED)),
    "location": located(name=STRING, address=STRING),
    # spec defect: `contacts` requires a `button` member; the array of contacts is meant.
    "contacts": content("contacts", {"type": "array", "items": CONTACT}),
    "reply": all_of(REPLY, obj({"reply": obj({"description": STRING})})),
    "button": content(
        "button",
        obj(
            {
                # spec defect: `payload` is typed an object while the definition's own
                # sample is a string of JSON; either is taken.
                "payload": {"type": ["object", "string"]},
                "text": STRING,
                "subtype": STRING,
            },
            ("payload",),
        ),
    ),
    "order": content(
        "order",
        obj(
            {
                "catalog_id": STRING,
                "product_items": {
                    "type": "array",
                    "items": obj(
                        {
                            k: STRING
                            for k in ("product_retailer_id", "quantity", "item_price", "currency")
                        }
                    ),
                },
            },
            ("catalog_id", "product_items"),
        ),
    ),
    "sticker": content("sticker", media(URL)),
    "reaction": content(
        "reaction",
        {
            "type": "object",
            "oneOf": [
                obj({"action": const("react"), "emoji": STRING}, ("action", "emoji")),
                obj({"action": const("unreact")}, ("action",)),
            ],
        },
    ),
    "unsupported": UNSUPPORTED,
}
WHATSAPP = {k: with_self(all_of(WHATSAPP_ENVELOPE, v)) for k, v in WHATSAPP.items()}

# -- Messenger and Viber -------------------------------------------------------------------
MESSENGER_ENVELOPE = envelope("messenger", ID_ADDRESS, ID_ADDRESS, {})
MESSENGER: dict[str, Schema] = {
    "text": text(),
    **{k: content(k, media(URL)) for k in ("image", "video", "file")},
    "audio": content("audio", media(AUDIO_URL)),
    "unsupported": UNSUPPORTED,
}
MESSENGER = {k: all_of(MESSENGER_ENVELOPE, v) for k, v in MESSENGER.items()}

VIBER_ENVELOPE = envelope(
    "viber_service", ID_ADDRESS, STRING, {"context": obj({"message_uuid": STRING})}
)
VIBER: dict[str, Schema] = {
    "text": text(),
    **{k: content(k, media(URL)) for k in ("image", "video", "file")},
}
VIBER = {k: all_of(VIBER_ENVELOPE, v) for k, v in VIBER.items()}

# -- Email ---------------------------------------------------------------------------------
EMAIL_ENVELOPE = envelope("email", EMAIL, EMAIL_SENDER, {"email": obj({"subject": STRING})})
EMAIL_INBOUND: dict[str, Schema] = {
    "text": all_of(EMAIL_ENVELOPE, text()),
    "html": all_of(EMAIL_ENVELOPE, content("html", obj({"body": STRING}, ("body",)))),
}

INBOUND_V1: dict[str, dict[str, Schema]] = {
    channel: {
        kind: document(f"v1 inbound-message ({channel}, {kind})", s) for kind, s in by.items()
    }
    for channel, by in {
        "sms": SMS,
        "mms": MMS,
        "rcs": RCS,
        "whatsapp": WHATSAPP,
        "messenger": MESSENGER,
        "viber_service": VIBER,
        "email": EMAIL_INBOUND,
    }.items()
}
