"""Shared test helpers: keys, tokens and request bodies. No fixtures here (see conftest)."""

from __future__ import annotations

import base64
import time
import uuid
from functools import lru_cache
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

BASIC = "Basic " + base64.b64encode(b"abcd1234:s3cr3tS3cr3t").decode()


@lru_cache(maxsize=4)
def rsa_pair(name: str = "app") -> tuple[str, str]:
    """(private PEM PKCS#8, public PEM) for a test application."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def app_jwt(
    application_id: str = "aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab",
    *,
    key: str | None = None,
    exp: int | bool | None = True,
    **claims: Any,
) -> str:
    """A Bearer token as the SDKs make one: application_id, iat, jti (+ exp = iat + 900)."""
    now = int(time.time())
    body: dict[str, Any] = {"application_id": application_id, "iat": now, "jti": str(uuid.uuid4())}
    if exp is True:
        body["exp"] = now + 900
    elif isinstance(exp, int) and not isinstance(exp, bool):
        body["exp"] = exp
    body.update(claims)
    return jwt.encode(body, key or rsa_pair("app")[0], algorithm="RS256")


def bearer(*args: Any, **kwargs: Any) -> str:
    return "Bearer " + app_jwt(*args, **kwargs)


# One accepted request per channel and message type.
N1, N2 = "447700900000", "447700900001"
V1_EXAMPLES: list[dict[str, Any]] = [
    {
        "channel": "sms",
        "message_type": "text",
        "to": N1,
        "from": N2,
        "text": "Hello",
        "client_ref": "abc123",
        "webhook_url": "https://example.com/status",
        "webhook_version": "v1",
        "ttl": 90000,
        "sms": {"encoding_type": "auto"},
    },
    {"channel": "sms", "message_type": "text", "to": N1, "from": "Vonage", "text": "Alpha"},
    {"channel": "mms", "message_type": "text", "to": N1, "from": N2, "text": "MMS text"},
    {
        "channel": "mms",
        "message_type": "image",
        "to": N1,
        "from": N2,
        "image": {"url": "https://example.com/image.jpg", "caption": "a picture"},
        "ttl": 600,
    },
    {
        "channel": "mms",
        "message_type": "vcard",
        "to": N1,
        "from": "12345",
        "vcard": {"url": "https://example.com/contact.vcf"},
    },
    {
        "channel": "mms",
        "message_type": "audio",
        "to": N1,
        "from": N2,
        "audio": {"url": "https://example.com/audio.mp3"},
    },
    {
        "channel": "mms",
        "message_type": "video",
        "to": N1,
        "from": N2,
        "video": {"url": "https://example.com/video.mp4"},
    },
    {
        "channel": "mms",
        "message_type": "file",
        "to": N1,
        "from": N2,
        "file": {"url": "https://example.com/file.pdf"},
    },
    {
        "channel": "mms",
        "message_type": "content",
        "to": N1,
        "from": N2,
        "content": [
            {"type": "image", "url": "https://example.com/a.jpg"},
            {"type": "file", "url": "https://example.com/b.pdf", "caption": "b"},
        ],
    },
    {
        "channel": "whatsapp",
        "message_type": "text",
        "to": N1,
        "from": N2,
        "text": "Hi WA",
        "context": {"message_uuid": "aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab"},
    },
    {
        "channel": "whatsapp",
        "message_type": "image",
        "to": N1,
        "from": N2,
        "image": {"url": "https://example.com/image.jpg", "caption": "a picture"},
    },
    {
        "channel": "whatsapp",
        "message_type": "audio",
        "to": N1,
        "from": N2,
        "audio": {"url": "https://example.com/audio.mp3"},
    },
    {
        "channel": "whatsapp",
        "message_type": "video",
        "to": N1,
        "from": N2,
        "video": {"url": "https://example.com/video.mp4", "caption": "v"},
    },
    {
        "channel": "whatsapp",
        "message_type": "file",
        "to": N1,
        "from": N2,
        "file": {"url": "https://example.com/file.pdf", "caption": "f", "name": "f.pdf"},
    },
    {
        "channel": "whatsapp",
        "message_type": "template",
        "to": N1,
        "from": N2,
        "template": {"name": "verify_code", "parameters": ["1234"]},
        "whatsapp": {"locale": "en_GB", "policy": "deterministic"},
    },
    {
        "channel": "whatsapp",
        "message_type": "sticker",
        "to": N1,
        "from": N2,
        "sticker": {"url": "https://example.com/sticker.webp"},
    },
    {
        "channel": "whatsapp",
        "message_type": "sticker",
        "to": N1,
        "from": N2,
        "sticker": {"id": "13aaecab-2485-4255-a0a7-97a2ce5e4c4d"},
    },
    {
        "channel": "whatsapp",
        "message_type": "reaction",
        "to": N1,
        "from": N2,
        "reaction": {"action": "react", "emoji": "😀"},
        "context": {"message_uuid": "aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab"},
    },
    {
        "channel": "whatsapp",
        "message_type": "reaction",
        "to": N1,
        "from": N2,
        "reaction": {"action": "unreact"},
        "context": {"message_uuid": "aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab"},
    },
    {
        "channel": "whatsapp",
        "message_type": "custom",
        "to": N1,
        "from": N2,
        "custom": {"type": "location", "location": {"longitude": -0.13, "latitude": 51.5}},
    },
    {
        "channel": "messenger",
        "message_type": "text",
        "to": "1234567890",
        "from": "0987654321",
        "text": "Hello Messenger",
        "messenger": {"category": "message_tag", "tag": "CONFIRMED_EVENT_UPDATE"},
    },
    {
        "channel": "messenger",
        "message_type": "image",
        "to": "1234567890",
        "from": "0987654321",
        "image": {"url": "https://example.com/image.jpg"},
    },
    {
        "channel": "messenger",
        "message_type": "audio",
        "to": "1234567890",
        "from": "0987654321",
        "audio": {"url": "https://example.com/audio.mp3"},
    },
    {
        "channel": "messenger",
        "message_type": "video",
        "to": "1234567890",
        "from": "0987654321",
        "video": {"url": "https://example.com/video.mp4"},
    },
    {
        "channel": "messenger",
        "message_type": "file",
        "to": "1234567890",
        "from": "0987654321",
        "file": {"url": "https://example.com/file.pdf"},
    },
    {
        "channel": "viber_service",
        "message_type": "text",
        "to": N1,
        "from": "16273",
        "text": "Hello Viber",
        "viber_service": {"category": "transaction", "ttl": 600},
    },
    {
        "channel": "viber_service",
        "message_type": "image",
        "to": N1,
        "from": "16273",
        "image": {"url": "https://example.com/image.jpg", "caption": "Buy"},
        "viber_service": {
            "category": "promotion",
            "action": {"url": "https://example.com", "text": "Open"},
        },
    },
    {
        "channel": "viber_service",
        "message_type": "video",
        "to": N1,
        "from": "16273",
        "video": {
            "url": "https://example.com/video.mp4",
            "thumb_url": "https://example.com/thumb.jpg",
        },
        "viber_service": {"duration": "59", "file_size": "10"},
    },
    {
        "channel": "viber_service",
        "message_type": "file",
        "to": N1,
        "from": "16273",
        "file": {"url": "https://example.com/file.pdf", "name": "file.pdf"},
    },
]


def sms(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "sms",
        "message_type": "text",
        "to": N1,
        "from": N2,
        "text": "Hello",
    }
    body.update(overrides)
    return body
