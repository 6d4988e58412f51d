"""The message kinds every SDK test sends, and what the sandbox must hold for each.

The SDK scripts build these with the SDK's own classes (as an app would); the values here and
in the scripts are the same literals, and :func:`check_kinds` compares the sandbox's record.
"""

from __future__ import annotations

from typing import Any

N_TO, N_FROM = "447700900000", "447700900001"
IMAGE = {"url": "https://example.com/image.jpg", "caption": "a picture"}

# kind -> fields of the sandbox's message record (GET /_sandbox/messages/{uuid}).
KINDS: dict[str, dict[str, Any]] = {
    "sms": {
        "channel": "sms",
        "message_type": "text",
        "to": N_TO,
        "from": N_FROM,
        "text": "Hello SMS",
    },
    "mms_image": {
        "channel": "mms",
        "message_type": "image",
        "to": N_TO,
        "from": N_FROM,
        "image": IMAGE,
    },
    "whatsapp_text": {
        "channel": "whatsapp",
        "message_type": "text",
        "to": N_TO,
        "from": N_FROM,
        "text": "Hello WhatsApp",
    },
    "whatsapp_image": {
        "channel": "whatsapp",
        "message_type": "image",
        "to": N_TO,
        "from": N_FROM,
        "image": IMAGE,
    },
    "whatsapp_template": {
        "channel": "whatsapp",
        "message_type": "template",
        "to": N_TO,
        "from": N_FROM,
        "template": {"name": "verify_code", "parameters": ["1234"]},
    },
    "messenger_text": {
        "channel": "messenger",
        "message_type": "text",
        "to": "1234567890",
        "from": "0987654321",
        "text": "Hello Messenger",
    },
    "viber_text": {
        "channel": "viber_service",
        "message_type": "text",
        "to": N_TO,
        "from": "16273",
        "text": "Hello Viber",
    },
}


def check_kinds(
    live: Any,
    sent: dict[str, str],
    *,
    api: str = "v1",
    application_id: str | None = None,
    api_key: str | None = None,
    client_ref_prefix: str | None = None,
) -> None:
    """Every kind was sent (kind -> message_uuid) and the sandbox recorded it as sent."""
    assert sorted(sent) == sorted(KINDS), sent
    assert len(set(sent.values())) == len(KINDS), "message_uuids must be distinct"
    for kind, uuid in sent.items():
        record = live.control("GET", f"/messages/{uuid}")
        got = {k: record.get(k) for k in KINDS[kind]}
        assert got == KINDS[kind], f"{kind}: {got}"
        assert record["api"] == api
        assert record["direction"] == "outbound"
        assert record["application_id"] == application_id, kind
        assert record["api_key"] == api_key, kind
        if client_ref_prefix is not None:
            assert record.get("client_ref") == f"{client_ref_prefix}-{kind}", record
