"""`POST /v0.1/messages` (https://developer.vonage.com/en/api/messages-olympus, the 2018 beta)
and `POST /v0.1/dispatch` (https://developer.vonage.com/en/api/dispatch) request bodies, one
schema per channel and content type, in our own compact form."""

from __future__ import annotations

from tests.conformance.request_schemas_parts import (
    BCP47,
    CAPTION,
    E164,
    Schema,
    array,
    enum,
    integer,
    obj,
    string,
    text,
    url,
)

# `to`/`from` hold a number or an id of 1-50 characters; numbers are E.164 digits.
NUMBER = string(minLength=1, maxLength=50, pattern=E164)
ID = string(minLength=1, maxLength=50)
# What each v0.1 channel addresses by: (to, from).
ADDRESSES: dict[str, tuple[str, str]] = {
    "sms": ("number", "number"),
    "mms": ("number", "number"),
    "whatsapp": ("number", "number"),
    "viber_service_msg": ("number", "id"),
    "messenger": ("id", "id"),
}


def end(channel: str, key: str) -> Schema:
    return obj({"type": enum(channel), key: NUMBER if key == "number" else ID}, ("type", key))


def content(kind: str, fields: Schema, required: tuple[str, ...]) -> Schema:
    return obj({"type": enum(kind), **fields}, ("type", *required))


def media(**extra: Schema) -> Schema:
    return obj({"url": url(), **extra}, ("url",))


# spec defect: Dispatch's TemplateProperty makes `parameters` `{default}` objects, while the
# Messages v0.1 spec that Dispatch says it reflects (and Vonage's snippets) use strings. The
# 2018 nexmo beta SDK sends `{"default": ...}` objects (docs/compatibility.md): both go.
PARAMETER = {"anyOf": [string(), obj({"default": string()}, ("default",))]}
TEMPLATE = obj({"name": string(minLength=1), "parameters": array(PARAMETER)}, ("name",))
# What each channel may send (the v0.5 spec's `message` oneOf), and each content's schema.
CONTENTS: dict[str, dict[str, Schema]] = {
    "sms": {"text": content("text", {"text": text(1000)}, ("text",))},
    "mms": {
        "image": content("image", {"image": media(caption=CAPTION)}, ("image",)),
        "vcard": content("vcard", {"vcard": media()}, ("vcard",)),
    },
    "whatsapp": {
        "text": content("text", {"text": text(4096)}, ("text",)),
        "template": content("template", {"template": TEMPLATE}, ("template",)),
        "image": content("image", {"image": media(caption=CAPTION)}, ("image",)),
        "video": content("video", {"video": media()}, ("video",)),
        "audio": content("audio", {"audio": media()}, ("audio",)),
        "file": content("file", {"file": media(caption=CAPTION)}, ("file",)),
    },
    "viber_service_msg": {
        "text": content("text", {"text": text(1000)}, ("text",)),
        "image": content("image", {"image": media()}, ("image",)),
        "template": content("template", {"template": TEMPLATE}, ("template",)),
    },
    "messenger": {
        kind: content(kind, {kind: media()}, (kind,))
        for kind in ("image", "video", "audio", "file")
    }
    | {"text": content("text", {"text": text(640)}, ("text",))},
}
MESSENGER_BLOCK = {
    # "If `message_tag` is used, then an additional `tag` for that type is mandatory."
    "anyOf": [
        obj({"category": enum("response", "update"), "tag": string()}),
        obj({"category": enum("message_tag"), "tag": string(minLength=1)}, ("category", "tag")),
    ]
}
WHATSAPP_TEMPLATE_BLOCK = obj(
    {"locale": string(pattern=BCP47), "policy": enum("deterministic")}, ("locale",)
)


def viber_block(ttl_max: int) -> Schema:
    return obj(
        {
            "category": enum("transaction", "promotion"),
            "ttl": integer(30, ttl_max),
            "type": string(),
        }
    )


def message(channel: str, kind: str, ttl_max: int) -> Schema:
    props: Schema = {"content": CONTENTS[channel][kind]}
    required: tuple[str, ...] = ("content",)
    if channel == "messenger":
        props["messenger"] = MESSENGER_BLOCK
    if channel == "viber_service_msg":
        props["viber_service_msg"] = viber_block(ttl_max)
    if channel == "whatsapp" and kind == "template":
        props["whatsapp"] = WHATSAPP_TEMPLATE_BLOCK
        required = ("content", "whatsapp")
    return obj(props, required)


def v01_variant(channel: str, kind: str, ttl_max: int = 259200) -> Schema:
    to, frm = ADDRESSES[channel]
    return obj(
        {
            "to": end(channel, to),
            "from": end(channel, frm),
            "message": message(channel, kind, ttl_max),
            # v0.1 allowed 40 characters.
            "client_ref": string(maxLength=40),
        },
        ("to", "from", "message"),
    )


def v01_variants() -> dict[str, Schema]:
    return {f"{c}.{k}": v01_variant(c, k) for c, kinds in CONTENTS.items() for k in kinds}


# spec defect: neither field is marked required, but a failover condition without a status
# to wait for or a time to wait has no meaning in Vonage's Dispatch workflow guide, whose every
# example gives both; the sandbox requires both (docs/compatibility.md).
FAILOVER = obj(
    {
        "expiry_time": integer(15, 86400),
        "condition_status": enum("delivered", "read"),
    },
    ("expiry_time", "condition_status"),
)
SMS_FAILOVER = obj(
    {"expiry_time": integer(15, 86400), "condition_status": enum("delivered")},
    ("expiry_time", "condition_status"),
)
# Dispatch sends through the same channels; its spec lists sms, viber_service_msg, messenger
# and whatsapp, and Vonage's own failover snippets use mms too.
DISPATCH_CHANNELS = ("sms", "mms", "whatsapp", "viber_service_msg", "messenger")


def dispatch_items() -> dict[str, Schema]:
    """Every workflow item, without and with its `failover` condition."""
    out: dict[str, Schema] = {}
    for channel in DISPATCH_CHANNELS:
        for kind in CONTENTS[channel]:
            # Dispatch bounds Viber's ttl at 86400 (its own spec), not 259200.
            plain = v01_variant(channel, kind, ttl_max=86400)
            plain["not"] = {"required": ["failover"]}
            out[f"last.{channel}.{kind}"] = plain
            step = v01_variant(channel, kind, ttl_max=86400)
            # "SMS supports only delivered" (Dispatch overview); MMS has no read receipts either.
            condition = FAILOVER if channel not in ("sms", "mms") else SMS_FAILOVER
            step["properties"]["failover"] = condition
            step["required"] = [*step["required"], "failover"]
            out[f"step.{channel}.{kind}"] = step
    return out


def dispatch_body(refs: dict[str, Schema], most: int = 10) -> Schema:
    """`{template, workflow}`: "All messages but the last must contain a failover attribute;
    the last must not." JSON Schema cannot name "the last item", so the workflow is one of
    its possible lengths, each spelled out with `prefixItems`."""
    steps = {"oneOf": [s for n, s in refs.items() if n.startswith("step.")]}
    lasts = {"oneOf": [s for n, s in refs.items() if n.startswith("last.")]}
    lengths = [
        {"prefixItems": [steps] * (n - 1) + [lasts], "minItems": n, "maxItems": n}
        for n in range(2, most + 1)
    ]
    return obj(
        {
            "template": enum("failover"),
            "workflow": {"type": "array", "oneOf": lengths},
        },
        # spec defect: nothing is required in `createWorkflow`, though a request without its
        # template or workflow asks for nothing; both are required here.
        ("template", "workflow"),
    )
