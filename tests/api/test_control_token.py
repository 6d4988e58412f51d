"""`--control-token` guards the control API and the inbox of a shared sandbox; under
`--strict-auth` the control API cannot weaken authentication without it."""

from __future__ import annotations

import httpx
import pytest

from sandbox.client import SandboxAPIError, SandboxClient
from tests.harness import live_sandbox
from tests.helpers import BASIC, bearer, rsa_pair, sms

pytestmark = pytest.mark.e2e
TOKEN = "s3cret-t0ken"


def test_the_control_api_and_the_inbox_need_the_token() -> None:
    with live_sandbox(control_token=TOKEN) as sb:
        refused = sb.http.get("/_sandbox/messages")
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["type"].endswith("#control-token")
        assert "--control-token" in refused.json()["detail"]
        wrong = sb.http.get("/_sandbox/messages", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        # Vonage's own routes keep Vonage's auth; health stays open for probes.
        assert sb.http.post("/v1/messages", json=sms(), headers={"Authorization": BASIC}).is_success
        assert sb.http.get("/_sandbox/health").status_code == 200
        good = {"Authorization": f"Bearer {TOKEN}"}
        assert sb.http.get("/_sandbox/messages", headers=good).json()["total"] == 1
        assert sb.http.post("/_sandbox/reset", json={}).status_code == 401
        # The inbox: refused, then opened once with ?token= (a cookie, dropped from the URL).
        assert sb.http.get("/").status_code == 401
        opened = sb.http.get("/webhooks?token=" + TOKEN + "&state=failed")
        assert opened.status_code == 303
        assert opened.headers["location"] == "/webhooks?state=failed"
        cookie = opened.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        with httpx.Client(base_url=sb.url, cookies=opened.cookies) as browser:
            assert browser.get("/").status_code == 200
            assert browser.get("/webhooks").status_code == 200  # reads the control API in turn
            assert browser.get("/_sandbox/messages").status_code == 200
        with httpx.Client(base_url=sb.url) as stranger:
            assert stranger.get("/?token=wrong").status_code == 401


def test_the_python_client_sends_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    with live_sandbox(control_token=TOKEN) as sb:
        with pytest.raises(SandboxAPIError) as refused:
            SandboxClient(sb.url).messages()
        assert refused.value.status_code == 401
        assert SandboxClient(sb.url, token=TOKEN).messages() == []
        monkeypatch.setenv("NEXMO_SANDBOX_CONTROL_TOKEN", TOKEN)
        assert SandboxClient(sb.url).clock().mode == "manual"


def test_strict_auth_cannot_be_weakened_through_the_control_api() -> None:
    _, public = rsa_pair("app")
    _, attacker = rsa_pair("other")
    with live_sandbox(strict_auth=True, accounts=("abcd1234:s3cr3tS3cr3t",)) as sb:
        # Registering trust where there was none still works (the usual set-up) ...
        sb.control("PUT", "/applications/locked-app", {"public_key": public})
        assert sb.send(sms(), auth=bearer("locked-app")).status_code == 202
        # ... but swapping the key, turning strict auth off or changing a secret does not.
        for method, path, body in (
            ("PUT", "/_sandbox/applications/locked-app", {"public_key": attacker}),
            ("PUT", "/_sandbox/config", {"strict_auth": False}),
            ("PUT", "/_sandbox/accounts/abcd1234", {"api_secret": "mine"}),
        ):
            r = sb.http.request(method, path, json=body)
            assert r.status_code == 403, (path, r.text)
            assert r.json()["type"].endswith("#strict-auth")
            assert "--control-token" in r.json()["detail"]
        assert (
            sb.send(sms(), auth=bearer("locked-app", key=rsa_pair("other")[0])).status_code == 401
        )
        # A reset keeps the keys, so "reset, then register a first key" swaps nothing.
        sb.control("POST", "/reset", {})
        assert (
            sb.http.put(
                "/_sandbox/applications/locked-app", json={"public_key": attacker}
            ).status_code
            == 403
        )
        assert sb.send(sms(), auth=bearer("locked-app")).status_code == 202
        assert sb.control("GET", "/config")["strict_auth"] is True


def test_with_the_token_strict_auth_can_be_changed_at_run_time() -> None:
    _, public = rsa_pair("app")
    _, other = rsa_pair("other")
    good = {"Authorization": f"Bearer {TOKEN}"}
    with live_sandbox(strict_auth=True, control_token=TOKEN) as sb:
        put = sb.http.put
        assert put("/_sandbox/applications/a", json={"public_key": public}, headers=good).is_success
        assert put("/_sandbox/applications/a", json={"public_key": other}, headers=good).is_success
        assert put("/_sandbox/config", json={"strict_auth": False}, headers=good).is_success


def test_what_signs_an_application_s_webhooks_is_locked_too() -> None:
    """A signature secret, and the account whose secret signs (api_key), cannot be swapped,
    not even after a reset."""
    with live_sandbox(strict_auth=True, accounts=("operator:op-secret",)) as sb:
        sb.control("PUT", "/applications/signed", {"signature_secret": "s" * 32})
        sb.control("PUT", "/applications/by-account", {"api_key": "operator"})
        sb.control("PUT", "/accounts/attacker", {"api_secret": "x", "signature_secret": "e" * 32})
        for path, body in (
            ("/_sandbox/applications/signed", {"signature_secret": "t" * 32}),
            ("/_sandbox/applications/by-account", {"api_key": "attacker"}),
        ):
            assert sb.http.put(path, json=body).status_code == 403, path
        sb.control("POST", "/reset", {"application_id": "signed"})
        r = sb.http.put("/_sandbox/applications/signed", json={"signature_secret": "t" * 32})
        assert r.status_code == 403, r.text
        assert sb.control("GET", "/applications/signed")["signature_secret"] == "s" * 32


def test_the_token_cookie_is_found_among_other_apps_cookies_and_redirects_stay_here() -> None:
    with live_sandbox(control_token=TOKEN) as sb:
        # Another app on localhost left a cookie SimpleCookie gives up on: ours still counts.
        cookie = f'ajs={{"id": 1}}; nexmo_sandbox_token={TOKEN}; other=1'
        assert sb.http.get("/_sandbox/messages", headers={"Cookie": cookie}).status_code == 200
        with httpx.Client(base_url=sb.url) as browser:
            r = browser.get(f"{sb.url}//evil.example/x?token={TOKEN}")
            assert r.status_code == 303
            assert r.headers["location"] == "/evil.example/x"  # a path here, not another site
