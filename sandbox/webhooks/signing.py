"""Signed webhooks, `Authorization: Bearer <HS256 JWT>`, as Vonage signs them
(https://developer.vonage.com/en/getting-started/concepts/webhooks#decoding-signed-webhooks).

Claims: `iat` (real time, never ahead: the Python verifier refuses a token from the future),
`jti`, `iss: "Vonage"`, `payload_hash` (hex SHA-256 of the exact body bytes sent), `api_key`,
`application_id` when an application is involved. No `exp`: it is optional, and a token that
expired while a retry waited would be refused for no good reason.
"""

from __future__ import annotations

import hashlib
import secrets

from sandbox.core.ids import new_uuid


def generate_secret() -> str:
    """A random secret of 48 characters (more than 32 bytes), URL-safe so it can be typed."""
    return secrets.token_urlsafe(36)


def payload_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def sign(
    body: bytes,
    secret: str,
    *,
    now: float,
    api_key: str,
    application_id: str | None,
) -> str:
    import jwt  # loaded on the first webhook (see sandbox.asgi.auth)

    claims: dict[str, object] = {
        "iat": int(now),
        "jti": new_uuid(),
        "iss": "Vonage",
        "payload_hash": payload_hash(body),
        "api_key": api_key,
    }
    if application_id is not None:
        claims["application_id"] = application_id
    return jwt.encode(claims, secret, algorithm="HS256")
