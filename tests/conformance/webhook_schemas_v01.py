"""The 2018 webhook bodies: Messages API v0.1 status and inbound, and the Dispatch API's
per-message status and final report.

Structure from https://developer.vonage.com/en/api/messages-olympus (v0.1: the
`message-status` callback and the `inbound-message` webhook, with each channel's addresses
and content objects) and https://developer.vonage.com/en/api/dispatch (the `message-status`
and `final-report` callbacks).
"""

from __future__ import annotations

from tests.conformance.webhook_schemas_common import (
    ISO8601,
    PRICE,
    STRING,
    URL,
    USAGE,
    Schema,
    all_of,
    const,
    document,
    enum,
    media,
    obj,
)

STATUSES = ("submitted", "delivered", "read", "rejected", "undeliverable")
# `read` comes only from the channels whose apps report it.
NO_READ = ("sms", "mms")

# The v0.1 name of each channel, and which key (`number` or `id`) names the user's side and
# the app's side of a conversation: outbound `to` / inbound `from` is the user.
V01_NAME = {
    "sms": "sms",
    "mms": "mms",
    "whatsapp": "whatsapp",
    "messenger": "messenger",
    "viber_service": "viber_service_msg",
}
USER_KEY = {k: "id" if k == "messenger" else "number" for k in V01_NAME}
APP_KEY = {k: "number" if k in ("sms", "mms", "whatsapp") else "id" for k in V01_NAME}

# What a user could send each channel in the v0.1 inbound webhook; anything else arrives as
# `unsupported` (Viber had text only, WhatsApp no contacts, replies, orders or reactions).
V01_INBOUND_TYPES: dict[str, tuple[str, ...]] = {
    "sms": ("text",),
    "mms": ("text", "image"),
    "whatsapp": ("text", "image", "video", "audio", "file", "location", "unsupported"),
    "messenger": ("text", "image", "video", "audio", "file", "unsupported"),
    "viber_service": ("text", "unsupported"),
}
# The v0.1 inbound definition gives MMS its envelope only; Vonage's 2018 MMS pages name text
# and images. Other attachments may have arrived as themselves or as `unsupported`: nothing
# published says which, so either is taken.
V01_UNSTATED: dict[str, tuple[str, ...]] = {"mms": ("vcard", "audio", "video", "file")}

ADDRESS_VALUE: Schema = {"type": "string", "minLength": 1, "maxLength": 50}


def address(channel: str, key: str) -> Schema:
    return obj({"type": const(V01_NAME[channel]), key: ADDRESS_VALUE}, ("type", key))


def status_v01(channel: str) -> Schema:
    statuses = tuple(s for s in STATUSES if not (s == "read" and channel in NO_READ))
    return obj(
        {
            "message_uuid": STRING,
            "to": address(channel, USER_KEY[channel]),
            "from": address(channel, APP_KEY[channel]),
            "timestamp": ISO8601,
            "status": enum(*statuses),
            # spec defect: neither member is marked required; an error object without its
            # code and reason reports nothing.
            "error": obj({"code": {"type": "integer"}, "reason": STRING}, ("code", "reason")),
            "usage": USAGE,
            "client_ref": STRING,
        },
        ("message_uuid", "to", "from", "timestamp", "status"),
    )


STATUS_V01: dict[str, Schema] = {
    c: document(f"v0.1 message-status ({c})", status_v01(c)) for c in V01_NAME
}

# -- inbound -------------------------------------------------------------------------------


def _content(kind: str, item: Schema | None = None) -> Schema:
    props: dict[str, Schema] = {"type": const(kind)}
    if item is not None:
        props[kind] = item
    return obj(props, ("type", kind) if item is not None else ("type",))


def _text(max_length: int | None = None, min_length: int | None = None) -> Schema:
    body: Schema = {"type": "string"}
    if max_length is not None:
        body["maxLength"] = max_length
    if min_length is not None:
        body["minLength"] = min_length
    return obj({"type": const("text"), "text": body}, ("type", "text"))


CAPTIONED = {"caption": STRING}
V01_CONTENT: dict[str, dict[str, Schema]] = {
    "sms": {"text": _text()},
    # The MMS inbound variant gives only the envelope; its content objects are those of the
    # v0.1 media messages.
    "mms": {
        "text": _text(),
        "image": _content("image", media(URL, **CAPTIONED)),
        **{k: _content(k, media(URL)) for k in ("vcard", "audio", "video", "file")},
        "unsupported": _content("unsupported"),
    },
    "whatsapp": {
        "text": _text(4096, 1),
        "image": _content("image", media(URL, **CAPTIONED)),
        "video": _content("video", media(URL)),
        "audio": _content("audio", media(URL)),
        "file": _content("file", media(URL, **CAPTIONED)),
        # The 2018 WhatsApp location: `latitude` / `longitude`, both strings.
        "location": _content(
            "location",
            obj(
                {"latitude": STRING, "longitude": STRING, "name": STRING, "address": STRING},
                ("latitude", "longitude"),
            ),
        ),
        "unsupported": _content("unsupported"),
    },
    "messenger": {
        "text": _text(),
        **{k: _content(k, media(URL)) for k in ("image", "video", "audio", "file")},
        "unsupported": _content("unsupported"),
    },
    "viber_service": {"text": _text(1000), "unsupported": _content("unsupported")},
}


def inbound_v01(channel: str, kind: str) -> Schema:
    """The body a v0.1 application gets when a user sends ``kind`` on ``channel``: the 2018
    shape of that type, or `unsupported` for a type the 2018 API did not have."""
    shown = kind if kind in V01_INBOUND_TYPES[channel] else "unsupported"
    message: dict[str, Schema] = {"content": V01_CONTENT[channel][shown]}
    if kind in V01_UNSTATED.get(channel, ()):
        shown = "itself or unsupported"
        unsupported = _content("unsupported")
        message["content"] = {"anyOf": [V01_CONTENT[channel][kind], unsupported]}
    required: tuple[str, ...] = ("content",)
    top: dict[str, Schema] = {}
    if channel == "sms":
        message["sms"] = obj({"num_messages": STRING}, ("num_messages",))
        required = ("content", "sms")
        top["usage"] = obj({"currency": enum("EUR"), "price": PRICE}, ("currency", "price"))
    body = obj(
        {
            "message_uuid": STRING,
            "timestamp": ISO8601,
            # The user writes from its side to the app's.
            "to": address(channel, APP_KEY[channel]),
            "from": address(channel, USER_KEY[channel]),
            "message": obj(message, required),
            **top,
        },
        ("message_uuid", "timestamp", "to", "from", "message", *top),
    )
    return document(f"v0.1 inbound-message ({channel}, {kind} as {shown})", body)


# -- Dispatch ------------------------------------------------------------------------------

DISPATCH_LINK: Schema = obj(
    {
        "_links": obj(
            {"workflow": obj({"dispatch_uuid": STRING, "href": STRING}, ("dispatch_uuid", "href"))},
            ("workflow",),
        )
    },
    # spec defect: Dispatch's callback marks nothing required; a per-message status is the
    # v0.1 status (whose five members are required) and its link is what ties it to the
    # workflow, so both are required here.
    ("_links",),
)

DISPATCH_STATUS: dict[str, Schema] = {
    c: document(f"Dispatch message-status ({c})", all_of(status_v01(c), DISPATCH_LINK))
    for c in V01_NAME
}

DISPATCH_REPORT: Schema = document(
    "Dispatch final-report",
    obj(
        {
            "dispatch_uuid": STRING,
            "template": enum("failover"),
            "status": enum("completed", "error"),
            "timestamp": ISO8601,
            "usage": obj({"price": PRICE, "currency": enum("EUR")}),
            "_links": obj(
                {
                    "messages": {
                        "type": "array",
                        "items": obj(
                            {
                                "message_uuid": STRING,
                                "href": STRING,
                                # spec defect: `viber_sevice_msg` is a typo for
                                # `viber_service_msg`, the name every other 2018 schema uses.
                                "channel": enum(
                                    "messenger", "viber_service_msg", "sms", "whatsapp", "mms"
                                ),
                                "usage": USAGE,
                                "status": enum(*STATUSES),
                            },
                            ("message_uuid", "channel", "status"),
                        ),
                    }
                },
                ("messages",),
            ),
        },
        # spec defect: nothing is marked required, so `{}` would be a report; a report names
        # its workflow, template, outcome, time and messages in every published example.
        ("dispatch_uuid", "template", "status", "timestamp", "_links"),
    ),
)
