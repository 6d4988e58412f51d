"""The SDK clients built by :mod:`sandbox.sdk_clients` parse their private key once, not for
every JWT (the SDKs hand PyJWT the PEM text on each request, ~40 ms of RSA key checks), and the
tokens they sign are the same RS256 tokens: a sandbox under strict auth, holding the
application's public key, verifies every one and refuses those of another key."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import jwt.algorithms
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from vonage_http_client.errors import AuthenticationError
from vonage_jwt import JwtClient
from vonage_messages import Sms

from sandbox import sdk_clients
from sandbox.sdk_clients import vonage_client
from tests.harness import Live, live_sandbox
from tests.helpers import rsa_pair
from tests.sdk.conftest import APP_ID
from tests.sdk.kinds import N_FROM, N_TO
from tests.sdk.toolchain import ROOT, run_json

pytestmark = pytest.mark.e2e


@pytest.fixture
def parsed() -> Iterator[list[bytes]]:
    """Every PEM handed to cryptography's ``load_pem_private_key`` while the test runs: by
    PyJWT's ``RSAAlgorithm.prepare_key`` (the name it imported) or by ``sandbox.sdk_clients``
    (through the module). The per-process cache of parsed keys starts empty."""
    seen: list[bytes] = []
    original = serialization.load_pem_private_key

    def counting(data: bytes, *args: Any, **kwargs: Any) -> Any:
        seen.append(bytes(data))
        return original(data, *args, **kwargs)

    sdk_clients._rsa_private_key.cache_clear()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(serialization, "load_pem_private_key", counting)
        mp.setattr(jwt.algorithms, "load_pem_private_key", counting)
        yield seen
    sdk_clients._rsa_private_key.cache_clear()


@pytest.fixture
def strict() -> Iterator[tuple[Live, str, str]]:
    """A sandbox that verifies JWT signatures, with APP_ID's public key registered; the
    matching private and public PEM."""
    private, public = rsa_pair("key-reuse")
    with live_sandbox(strict_auth=True) as live:
        live.control("PUT", f"/applications/{APP_ID}", {"public_key": public})
        yield live, private, public


def send(client: Any, n: int) -> tuple[str, str]:
    """Send SMS number ``n``; its message uuid and the Authorization header it went with."""
    answer = client.messages.send(Sms(to=N_TO, from_=N_FROM, text=f"code {n}"))
    header = client.http_client.last_request.headers["Authorization"]
    return answer.message_uuid, header.decode() if isinstance(header, bytes) else header


def check_token(header: str, public: str) -> dict[str, Any]:
    """An RS256 token, as the SDK makes them, that verifies with ``public``; its claims."""
    scheme, token = header.split(" ", 1)
    assert scheme == "Bearer"
    head = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert head == {"alg": "RS256", "typ": "JWT"}
    claims: dict[str, Any] = jwt.decode(token, public, algorithms=["RS256"])
    assert claims["application_id"] == APP_ID
    return claims


@pytest.mark.parametrize("given", ["text", "path"])
def test_vonage_client_parses_the_key_once_and_every_token_verifies(
    strict: tuple[Live, str, str], parsed: list[bytes], given: str, tmp_path: Path
) -> None:
    live, private, public = strict
    key: str = private
    if given == "path":  # the SDK reads the file itself; the bytes it read are what is parsed
        (tmp_path / "private.key").write_text(private)
        key = str(tmp_path / "private.key")
    first = vonage_client(live.url, application_id=APP_ID, private_key=key)
    second = vonage_client(live.url, application_id=APP_ID, private_key=key)  # a test later
    sent = [send(first, n) for n in range(3)] + [send(second, n) for n in range(3, 5)]

    assert parsed.count(private.encode()) == 1, f"parsed {parsed.count(private.encode())} times"
    jtis = {check_token(header, public)["jti"] for _, header in sent}
    assert len(jtis) == len(sent)  # a fresh token per request, as before
    for uuid, _ in sent:  # accepted under strict auth, i.e. the signature verified
        assert live.message(uuid)["application_id"] == APP_ID


def test_a_token_signed_with_another_key_is_still_refused(strict: tuple[Live, str, str]) -> None:
    live, _, _ = strict
    other, _ = rsa_pair("key-reuse-other")
    client = vonage_client(live.url, application_id=APP_ID, private_key=other)
    with pytest.raises(AuthenticationError):
        client.messages.send(Sms(to=N_TO, from_=N_FROM, text="from the wrong key"))
    assert live.control("GET", "/messages")["messages"] == []


def test_anything_unexpected_leaves_the_sdk_as_it_was(parsed: list[bytes]) -> None:
    sdk_clients._reuse_parsed_key(None)  # no _jwt_client (another SDK version, Basic auth)
    sdk_clients._reuse_parsed_key(object())  # no _private_key

    ec_pem = (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    not_rsa = JwtClient(APP_ID, ec_pem)
    sdk_clients._reuse_parsed_key(not_rsa)
    assert not_rsa._private_key == ec_pem  # RS256 cannot use it; the SDK reports that itself

    broken = JwtClient(APP_ID, "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----")
    sdk_clients._reuse_parsed_key(broken)
    assert isinstance(broken._private_key, str)
    assert len(parsed) == 2  # tried once each, nothing else


# Run inside the vonage 3.x venv (its own interpreter; the 4.x in .venv has the same name),
# with the checkout on PYTHONPATH: sandbox.sdk_clients imports nothing but the SDK.
VONAGE3_SENDS = r"""
import json, sys
import jwt.algorithms
from cryptography.hazmat.primitives import serialization

cfg = json.load(sys.stdin)
seen = []
original = serialization.load_pem_private_key

def counting(data, *args, **kwargs):
    seen.append(bytes(data))
    return original(data, *args, **kwargs)

serialization.load_pem_private_key = counting
jwt.algorithms.load_pem_private_key = counting

import vonage
from sandbox.sdk_clients import vonage3_client

client = vonage3_client(cfg["url"], application_id=cfg["app"], private_key=cfg["key"])
body = {"channel": "sms", "message_type": "text", "to": cfg["to"], "from": cfg["from"]}
uuids = [client.messages.send_message({**body, "text": f"v3 {n}"})["message_uuid"]
         for n in range(3)]
print(json.dumps({"version": vonage.__version__, "uuids": uuids,
                  "parses": seen.count(cfg["key"].encode()),
                  "token": client._create_jwt_auth_string().decode()}))
"""


def test_vonage3_client_parses_the_key_once_too(
    strict: tuple[Live, str, str], vonage3_python: Path
) -> None:
    live, private, public = strict
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    config = {"url": live.url, "app": APP_ID, "key": private, "to": N_TO, "from": N_FROM}
    out = run_json([str(vonage3_python), "-c", VONAGE3_SENDS], env, config)
    assert out["version"].startswith("3."), out["version"]
    assert out["parses"] == 1, out
    check_token(out["token"], public)
    for uuid in out["uuids"]:
        assert live.message(uuid)["application_id"] == APP_ID
