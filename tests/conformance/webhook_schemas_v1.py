"""Messages API v1 `message-status` webhook bodies, one schema per channel.

Structure from https://developer.vonage.com/en/api/messages#message-status (the SMS, MMS,
RCS, WhatsApp, Messenger and Viber variants), failover's `workflow` object from
https://developer.vonage.com/messages/guides/failover-message, the error object from
https://developer.vonage.com/api-errors/messages, and email (not in the published
definitions yet) from Vonage's email guides.
"""

from __future__ import annotations

from tests.conformance.webhook_schemas_common import (
    COUNT,
    ID_ADDRESS,
    NUMBER_ADDRESS,
    STRING,
    USAGE,
    UUID,
    Schema,
    all_of,
    document,
    enum,
    obj,
)

BASE_STATUSES = ("submitted", "delivered", "rejected", "undeliverable")
# Channels whose handsets report `read` as well.
READ_CHANNELS = ("rcs", "whatsapp", "messenger", "viber_service")

# A WhatsApp business-scoped user id (2026): country, a dot, optional `ENT.`, alphanumerics.
BSUID: Schema = {"type": "string", "pattern": r"^[A-Z]{2}\.(ENT\.)?[A-Za-z0-9]{1,128}$"}
EMAIL: Schema = {"type": "string", "format": "email"}
# `Display Name <address>` is also a sender on a verified domain.
EMAIL_SENDER: Schema = {
    "type": "string",
    "pattern": r"^([^<>]*<)?[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+>?$",
}

ERROR: Schema = obj(
    {
        # The error's page: `#` and the code; developer.nexmo.com and `messages-olympus` are
        # the older spelling of the same page.
        "type": {
            "type": "string",
            "format": "uri",
            "pattern": r"^https://developer\.(vonage|nexmo)\.com/api-errors/messages(-olympus)?#"
            r"[0-9]{4}$",
        },
        # The code, as a string of its digits.
        "title": {"type": "string", "pattern": "^[0-9]{4}$"},
        # Vonage's error list states each error as `<name> - <what it means>`, and `detail`
        # carries that text: a bare name (`Unroutable`) tells a developer nothing to act on.
        "detail": {"type": "string", "pattern": r"\S\s+-\s+\S"},
        "instance": {"type": "string", "minLength": 1},
    },
    # spec defect: no member is marked required, though the object exists to describe the
    # failure and every published sample has all four; without them it describes nothing.
    ("type", "title", "detail", "instance"),
)

WORKFLOW: Schema = obj(
    {
        "workflow_id": {"type": "string", "minLength": 1},
        "items_number": COUNT,
        "items_total": COUNT,
    },
    # spec defect: none of the three is marked required; a failover callback names the
    # workflow, the item and the count in the guide's every example.
    ("workflow_id", "items_number", "items_total"),
)

DESTINATION: Schema = obj({"network_code": STRING})


def _status(channel: str, to: Schema, frm: Schema, extra: dict[str, Schema]) -> Schema:
    statuses = BASE_STATUSES + (("read",) if channel in READ_CHANNELS else ())
    return document(
        f"v1 message-status ({channel})",
        obj(
            {
                "message_uuid": UUID,
                "to": to,
                "from": frm,
                "timestamp": STRING,
                # spec defect: the RCS, WhatsApp, Messenger and Viber variants are an allOf of
                # the base enum (no `read`) and an enum of `read` alone, which nothing can
                # satisfy; the union (the base statuses plus `read`) is what was meant.
                "status": enum(*statuses),
                "channel": {"type": "string", "const": channel},
                "client_ref": STRING,
                "error": ERROR,
                "usage": USAGE,
                "workflow": WORKFLOW,
                **extra,
            },
            ("message_uuid", "channel", "to", "from", "timestamp", "status"),
        ),
    )


WHATSAPP_USER: Schema = obj({"wa_id": STRING, "user_id": STRING, "parent_user_id": STRING})

WHATSAPP_STATUS_BLOCK: Schema = obj(
    {
        "pricing": obj(
            {
                "type": enum("regular", "free_customer_service", "free_entry_point"),
                "pricing_model": enum("PMP", "CBP"),
                "category": enum(
                    "authentication",
                    "authentication_international",
                    "marketing",
                    "utility",
                    "service",
                    "referral_conversion",
                    "marketing_lite",
                ),
            }
        ),
        "conversation": obj(
            {
                "id": STRING,
                "origin": obj(
                    {
                        "type": enum(
                            "marketing",
                            "utility",
                            "authentication",
                            "referral_conversion",
                            "service",
                        )
                    }
                ),
            }
        ),
        # 2026: the user the message went to, by number or business-scoped user id.
        "recipient": WHATSAPP_USER,
        "waba_id": STRING,
    }
)

STATUS_V1: dict[str, Schema] = {
    "sms": _status(
        "sms",
        NUMBER_ADDRESS,
        STRING,
        {"destination": DESTINATION, "sms": obj({"count_total": COUNT})},
    ),
    "mms": _status("mms", NUMBER_ADDRESS, STRING, {"destination": DESTINATION}),
    "rcs": _status("rcs", NUMBER_ADDRESS, STRING, {"destination": DESTINATION}),
    "whatsapp": _status(
        "whatsapp",
        # spec defect: `to` is a 7-15 character number there, which predates WhatsApp's
        # business-scoped user ids (2026); a message may now go to one of those.
        {"anyOf": [NUMBER_ADDRESS, BSUID]},
        STRING,
        {"whatsapp": WHATSAPP_STATUS_BLOCK, "profile": obj({"username": STRING})},
    ),
    "messenger": _status("messenger", ID_ADDRESS, ID_ADDRESS, {}),
    "viber_service": _status("viber_service", NUMBER_ADDRESS, STRING, {}),
    "email": _status("email", EMAIL, EMAIL_SENDER, {}),
}


# -- inbound-message ---------------------------------------------------------------------
# Structure from https://developer.vonage.com/en/api/messages#inbound-message; the content
# objects are in webhook_schemas_v1_inbound.


def envelope(
    channel: str,
    to: Schema,
    frm: Schema,
    extra: dict[str, Schema],
    required: tuple[str, ...] = ("message_type",),
) -> Schema:
    """What every inbound body of ``channel`` carries, whatever its message type."""
    return obj(
        {
            "channel": {"type": "string", "const": channel},
            "message_uuid": UUID,
            "to": to,
            "from": frm,
            "timestamp": STRING,
            **extra,
        },
        ("channel", "message_uuid", "to", "from", "timestamp", *required),
    )


def with_self(schema: Schema) -> Schema:
    """WhatsApp bodies link to the message itself."""
    return all_of(schema, obj({"_self": obj({"href": STRING})}))
