"""Request authentication as Vonage does it
(https://developer.vonage.com/en/getting-started/concepts/authentication): Basic or an RS256 JWT.

Default mode accepts any well-formed credentials and registers an unknown application or API
key on first use, so an app works against the sandbox with whatever keys it already has. When an
application has a public key registered, its tokens are verified even in default mode.
``strict`` mode verifies every JWT against the application's key and every Basic pair against
the configured accounts. Expiry (`exp`, `nbf`) is judged by the real clock in both modes:
SDKs stamp tokens with real time, and virtual time may be hours ahead.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from sandbox.core.engine import Engine
from sandbox.core.errors import Unauthorized
from sandbox.core.models import Sender

# Tokens stamped a moment ahead by a client clock that runs slightly fast are still fine.
LEEWAY_SECONDS = 30


class Authenticator:
    def __init__(self, engine: Engine, wall: Callable[[], float]) -> None:
        self.engine = engine
        self.wall = wall

    @property
    def strict(self) -> bool:
        return self.engine.config.strict_auth

    def authenticate(self, header: str | None, *, allow_basic: bool = True) -> Sender:
        if not header:
            raise _unauthorised("Request header 'Authorization' missing")
        scheme, _, credentials = header.strip().partition(" ")
        scheme = scheme.lower()
        credentials = credentials.strip()
        if scheme == "bearer" and credentials:
            return self._bearer(credentials)
        if scheme == "basic" and credentials:
            if not allow_basic:
                raise Unauthorized("This endpoint accepts only a Bearer JWT.")
            return self._basic(credentials)
        raise Unauthorized("The Authorization header must be 'Basic ...' or 'Bearer <JWT>'.")

    # -- Basic -------------------------------------------------------------------------------
    def _basic(self, credentials: str) -> Sender:
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise Unauthorized("The Basic credentials are not valid base64.") from None
        api_key, sep, api_secret = decoded.partition(":")
        if not sep or not api_key or not api_secret:
            raise Unauthorized("Basic credentials must be api_key:api_secret.")
        accounts = self.engine.store.accounts
        account = accounts.get(api_key)
        if account is None or account.api_secret is None:
            if self.strict:
                raise Unauthorized()
            self.engine.account(api_key, {"api_secret": api_secret})
        elif account.api_secret != api_secret:
            raise Unauthorized()
        else:
            # The account's own string, not this request's copy: every stored message and
            # webhook record of the account then shares one (bench/memory.py).
            api_key = account.api_key
        return Sender(api_key=api_key)

    # -- JWT ---------------------------------------------------------------------------------
    def _bearer(self, token: str) -> Sender:
        import jwt  # with cryptography, a tenth of the sandbox's import time: only when used

        try:
            header = jwt.get_unverified_header(token)
            claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise Unauthorized("The JWT could not be decoded.") from None
        if header.get("alg") != "RS256":
            raise Unauthorized("The JWT must be signed with RS256.")
        application_id = claims.get("application_id")
        if not isinstance(application_id, str) or not application_id:
            raise Unauthorized("The JWT has no application_id claim.")
        if not application_id.isascii() and not _is_text(application_id):
            # A lone surrogate (valid JSON, not text) would be stored and break every reader.
            raise Unauthorized("The JWT's application_id claim is not valid text.")
        if not isinstance(claims.get("iat"), int | float) or isinstance(claims.get("iat"), bool):
            raise Unauthorized("The JWT has no iat claim.")
        if not claims.get("jti"):
            raise Unauthorized("The JWT has no jti claim.")
        now = self.wall()
        exp, nbf = claims.get("exp"), claims.get("nbf")
        if exp is not None and (not isinstance(exp, int | float) or exp + LEEWAY_SECONDS < now):
            raise Unauthorized("The JWT has expired.")
        if nbf is not None and (not isinstance(nbf, int | float) or nbf - LEEWAY_SECONDS > now):
            raise Unauthorized("The JWT is not valid yet (nbf).")

        app = self.engine.application(application_id, create=not self.strict)
        if app is None:
            raise Unauthorized(f"Unknown application {application_id}.")
        if app.public_key:
            try:
                jwt.decode(
                    token,
                    app.public_key,
                    algorithms=["RS256"],
                    leeway=LEEWAY_SECONDS,
                    options={"verify_iat": False},
                )
            except jwt.InvalidSignatureError:
                raise Unauthorized(
                    "The JWT signature does not match the application's public key."
                ) from None
            except (jwt.PyJWTError, ValueError, TypeError):
                raise Unauthorized("The JWT could not be verified.") from None
        elif self.strict:
            raise Unauthorized(f"Application {application_id} has no public key registered.")
        return Sender(application_id=application_id, api_key=app.api_key)


def _is_text(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _unauthorised(detail: str) -> Unauthorized:
    # What production answered when the header is missing (node-sdk issue #869).
    err = Unauthorized(detail)
    err.title = "Unauthorised"
    return err
