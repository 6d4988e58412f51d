"""Authentication: Basic and RS256 JWT, open by default, strict on request."""

from __future__ import annotations

import base64
import time
import uuid

import jwt
import pytest

from sandbox.settings import Settings
from tests.conftest import Api
from tests.helpers import app_jwt, bearer, rsa_pair, sms

UNAUTH = "https://developer.vonage.com/api-errors/#unathorized"


def assert_401(r) -> None:  # type: ignore[no-untyped-def]
    assert r.status_code == 401, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["type"] == UNAUTH
    assert body["instance"] == r.headers["x-nexmo-trace-id"]


def test_missing_header(api: Api) -> None:
    r = api.send_v1(sms(), auth=None)
    assert_401(r)
    assert r.json()["title"] == "Unauthorised"
    assert r.json()["detail"] == "Request header 'Authorization' missing"


@pytest.mark.parametrize(
    "header",
    [
        "Basic",
        "Basic !!!not-base64!!!",
        "Basic " + base64.b64encode(b"nocolon").decode(),
        "Basic " + base64.b64encode(b":secret").decode(),
        "Bearer",
        "Bearer not.a.jwt",
        "Token abc",
        "Digest x",
        "Bearer "
        + jwt.encode({"application_id": "a", "iat": 1, "jti": "j"}, "k" * 32, algorithm="HS256"),
        "Bearer "
        + jwt.encode({"iat": int(time.time()), "jti": "j"}, rsa_pair("app")[0], algorithm="RS256"),
        "Bearer "
        + jwt.encode({"application_id": "a", "jti": "j"}, rsa_pair("app")[0], algorithm="RS256"),
        "Bearer "
        + jwt.encode(
            {"application_id": "a", "iat": int(time.time())}, rsa_pair("app")[0], algorithm="RS256"
        ),
    ],
)
def test_malformed_credentials(api: Api, header: str) -> None:
    assert_401(api.send_v1(sms(), auth=header))
    assert api.get("/_sandbox/messages").json()["total"] == 0


def test_expired_and_not_yet_valid_tokens(api: Api) -> None:
    assert_401(api.send_v1(sms(), auth=bearer(exp=int(time.time()) - 120)))
    assert_401(api.send_v1(sms(), auth=bearer(nbf=int(time.time()) + 600)))


def test_nexmo_beta_token_without_exp_is_fine(api: Api) -> None:
    assert api.send_v1(sms(), auth=bearer(exp=None)).status_code == 202


def test_open_mode_registers_unknown_application(api: Api) -> None:
    app_id = str(uuid.uuid4())
    assert api.send_v1(sms(), auth=bearer(app_id)).status_code == 202
    assert api.get(f"/_sandbox/applications/{app_id}").json()["application_id"] == app_id


def test_registered_public_key_is_verified_even_in_open_mode(api: Api) -> None:
    _, public = rsa_pair("app")
    other_private, _ = rsa_pair("other")
    api.put("/_sandbox/applications/keyed", json={"public_key": public})
    assert api.send_v1(sms(), auth=bearer("keyed")).status_code == 202
    r = api.send_v1(sms(), auth=bearer("keyed", key=other_private))
    assert_401(r)
    assert "signature" in r.json()["detail"]


@pytest.fixture
def strict() -> Settings:
    return Settings(clock="manual", strict_auth=True, accounts=("abcd1234:s3cr3tS3cr3t",))


def test_strict_mode(strict: Settings) -> None:
    from sandbox.app import create_app

    with Api(create_app(strict)) as api:
        _, public = rsa_pair("app")
        # Unknown application: refused; registered with its key: accepted; forged: refused.
        assert_401(api.send_v1(sms(), auth=bearer("strict-app")))
        api.put("/_sandbox/applications/strict-app", json={"public_key": public})
        assert api.send_v1(sms(), auth=bearer("strict-app")).status_code == 202
        assert_401(api.send_v1(sms(), auth=bearer("strict-app", key=rsa_pair("other")[0])))
        # A token signed by the right key but expired is refused too.
        assert_401(
            api.send_v1(sms(), auth="Bearer " + app_jwt("strict-app", exp=int(time.time()) - 100))
        )
        # Basic against the configured accounts.
        assert api.send_v1(sms()).status_code == 202
        wrong = "Basic " + base64.b64encode(b"abcd1234:wrong").decode()
        assert_401(api.send_v1(sms(), auth=wrong))
        unknown = "Basic " + base64.b64encode(b"zzzz:s3cr3t").decode()
        assert_401(api.send_v1(sms(), auth=unknown))


def test_strict_mode_can_be_switched_at_run_time(api: Api) -> None:
    api.put("/_sandbox/config", json={"strict_auth": True})
    assert_401(api.send_v1(sms(), auth=bearer("fresh-app")))
    api.post("/_sandbox/reset", json={})
    assert api.send_v1(sms(), auth=bearer("fresh-app")).status_code == 202


def test_basic_secret_is_checked_once_known(api: Api) -> None:
    good = "Basic " + base64.b64encode(b"key1:secret1").decode()
    bad = "Basic " + base64.b64encode(b"key1:other").decode()
    assert api.send_v1(sms(), auth=good).status_code == 202
    assert_401(api.send_v1(sms(), auth=bad))
