"""Python ``vonage`` 4.x, unmodified, over the sandbox's TLS listener: the app changes only
``api_host`` and trusts the certificate through REQUESTS_CA_BUNDLE (what a user exports)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import vonage_jwt
from vonage import Auth, HttpClientOptions, Vonage
from vonage_http_client.errors import AuthenticationError, HttpRequestError
from vonage_messages import (
    MessengerText,
    MmsImage,
    Sms,
    ViberText,
    WhatsappImage,
    WhatsappTemplate,
    WhatsappText,
)

from sandbox.sdk_clients import vonage_client
from sandbox.webhooks.signing import payload_hash
from tests.receiver import receiver
from tests.sdk.conftest import API_KEY, API_SECRET, APP_ID, TlsLive
from tests.sdk.kinds import IMAGE, N_FROM, N_TO, check_kinds

pytestmark = pytest.mark.e2e


def messages_for(kind_prefix: str) -> dict[str, Any]:
    """Each kind built with the SDK's own model classes, as in the SDK's README."""
    image = {"url": IMAGE["url"], "caption": IMAGE["caption"]}
    return {
        "sms": Sms(to=N_TO, from_=N_FROM, text="Hello SMS", client_ref=f"{kind_prefix}-sms"),
        "mms_image": MmsImage(
            to=N_TO, from_=N_FROM, image=image, client_ref=f"{kind_prefix}-mms_image"
        ),
        "whatsapp_text": WhatsappText(
            to=N_TO, from_=N_FROM, text="Hello WhatsApp", client_ref=f"{kind_prefix}-whatsapp_text"
        ),
        "whatsapp_image": WhatsappImage(
            to=N_TO, from_=N_FROM, image=image, client_ref=f"{kind_prefix}-whatsapp_image"
        ),
        "whatsapp_template": WhatsappTemplate(
            to=N_TO,
            from_=N_FROM,
            template={"name": "verify_code", "parameters": ["1234"]},
            whatsapp={"locale": "en_GB", "policy": "deterministic"},
            client_ref=f"{kind_prefix}-whatsapp_template",
        ),
        "messenger_text": MessengerText(
            to="1234567890",
            from_="0987654321",
            text="Hello Messenger",
            client_ref=f"{kind_prefix}-messenger_text",
        ),
        "viber_text": ViberText(
            to=N_TO,
            from_="16273",
            text="Hello Viber",
            viber_service={"category": "transaction", "ttl": 600},
            client_ref=f"{kind_prefix}-viber_text",
        ),
    }


@pytest.fixture
def trust(live: TlsLive, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the README tells a user: export REQUESTS_CA_BUNDLE=<the sandbox's cert.pem>."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", live.ca_path)


def jwt_client(live: TlsLive, private_key_file: str) -> Vonage:
    return Vonage(
        Auth(application_id=APP_ID, private_key=private_key_file),
        HttpClientOptions(api_host=live.tls_host),
    )


def basic_client(live: TlsLive) -> Vonage:
    return Vonage(
        Auth(api_key=API_KEY, api_secret=API_SECRET), HttpClientOptions(api_host=live.tls_host)
    )


@pytest.mark.usefixtures("trust")
@pytest.mark.parametrize("auth", ["jwt", "basic"])
def test_every_kind_over_tls(live: TlsLive, private_key_file: str, auth: str) -> None:
    client = jwt_client(live, private_key_file) if auth == "jwt" else basic_client(live)
    sent = {
        kind: client.messages.send(message).message_uuid
        for kind, message in messages_for(f"py4-{auth}").items()
    }
    check_kinds(
        live,
        sent,
        application_id=APP_ID if auth == "jwt" else None,
        api_key=API_KEY if auth == "basic" else None,
        client_ref_prefix=f"py4-{auth}",
    )
    # Both listeners serve one runtime: the plain-HTTP control API sees the TLS sends.
    assert live.control("GET", "/messages?limit=1")["total"] == len(sent)


@pytest.mark.usefixtures("trust")
def test_wrong_credentials_raise_the_sdks_authentication_error(live: TlsLive) -> None:
    client = Vonage(
        Auth(api_key=API_KEY, api_secret="not-the-secret"),
        HttpClientOptions(api_host=live.tls_host),
    )
    with pytest.raises(AuthenticationError) as info:
        client.messages.send(Sms(to=N_TO, from_=N_FROM, text="Hello SMS"))
    assert info.value.response.status_code == 401
    assert info.value.response.json()["title"]


@pytest.mark.usefixtures("trust")
def test_failover_send(live: TlsLive, private_key_file: str) -> None:
    client = jwt_client(live, private_key_file)
    response = client.messages.send(
        WhatsappText(to=N_TO, from_=N_FROM, text="primary"),
        failover=[Sms(to=N_TO, from_=N_FROM, text="fallback sms")],
    )
    primary = live.control("GET", f"/messages/{response.message_uuid}")
    assert (primary["channel"], primary["text"]) == ("whatsapp", "primary")
    assert live.control("GET", "/messages?channel=sms")["total"] == 0
    live.mark(response.message_uuid, "rejected")
    (sms,) = live.control("GET", "/messages?channel=sms")["messages"]
    assert (sms["to"], sms["from"], sms["text"]) == (N_TO, N_FROM, "fallback sms")
    (workflow,) = live.control("GET", "/workflows")["workflows"]
    assert [s["message_uuid"] for s in workflow["steps"]] == [
        response.message_uuid,
        sms["message_uuid"],
    ]


@pytest.mark.usefixtures("trust")
def test_invalid_send_surfaces_as_http_request_error_with_our_problem_body(
    live: TlsLive, private_key_file: str
) -> None:
    client = jwt_client(live, private_key_file)
    # The SDK checks `to` only for SMS/MMS/Viber: a WhatsApp `to` that is no number gets
    # through to the sandbox, which refuses it as Vonage does (422, Invalid recipient).
    bad = WhatsappText(to="not-a-number", from_=N_FROM, text="Hello WhatsApp")
    with pytest.raises(HttpRequestError) as info:
        client.messages.send(bad)
    err = info.value
    assert type(err) is HttpRequestError  # 422: the generic class, not a subclass
    assert err.response.status_code == 422
    body = err.response.json()
    assert err.response.headers["content-type"].startswith("application/problem+json")
    assert {"type", "title", "detail"} <= set(body)
    # The SDK puts our whole problem body into its message.
    assert json.dumps(body, indent=4) in str(err)
    assert "422 response from https://" in str(err)
    # The same body, sent by hand, is refused the same way.
    direct = live.http.post(
        "/v1/messages",
        json=bad.model_dump(by_alias=True, exclude_none=True),
        headers={"Authorization": "Basic " + _basic()},
    )
    assert direct.status_code == 422
    assert {k: v for k, v in direct.json().items() if k != "instance"} == {
        k: v for k, v in body.items() if k != "instance"
    }


def _basic() -> str:
    import base64

    return base64.b64encode(f"{API_KEY}:{API_SECRET}".encode()).decode()


@pytest.mark.usefixtures("trust")
def test_vonage_jwt_verifies_the_sandboxs_webhooks(live: TlsLive, private_key_file: str) -> None:
    with receiver() as rec:
        live.control("PUT", "/config", {"status_url": rec.at("/status")})
        client = jwt_client(live, private_key_file)
        uuid = client.messages.send(Sms(to=N_TO, from_=N_FROM, text="Hello SMS")).message_uuid
        live.mark(uuid, "delivered")
        live.control("POST", "/inbound", {"channel": "sms", "from": N_TO, "text": "STOP"})
        live.control("POST", "/settle")
    secret = live.signature_secret
    received = rec.received
    statuses = [r.json.get("status") for r in received if r.path == "/status"]
    assert statuses == ["submitted", "delivered"]
    assert len(received) >= 2
    for item in received:
        assert vonage_jwt.verify_signature(item.token, secret) is True
        claims = _claims(item.token)
        assert claims["payload_hash"] == payload_hash(item.body)
        assert vonage_jwt.verify_signature(item.token, secret[::-1]) is False


def _claims(token: str) -> dict[str, Any]:
    import jwt

    return dict(jwt.decode(token, options={"verify_signature": False}))


@pytest.mark.parametrize("auth", ["jwt", "basic"])
def test_sdk_clients_helper_trusts_the_sandbox_for_its_host_only(
    live: TlsLive, private_key_file: str, auth: str
) -> None:
    # No REQUESTS_CA_BUNDLE change: the machine-wide bundle stays, and does not know our CA.
    make: Callable[[], Any] = (
        (
            lambda: vonage_client(
                live.tls_url, ca_path=live.ca_path, api_key=API_KEY, api_secret=API_SECRET
            )
        )
        if auth == "basic"
        else (
            lambda: vonage_client(
                live.tls_url,
                ca_path=live.ca_path,
                application_id=APP_ID,
                private_key=private_key_file,
            )
        )
    )
    uuid = make().messages.send(Sms(to=N_TO, from_=N_FROM, text="Hello SMS")).message_uuid
    assert live.control("GET", f"/messages/{uuid}")["text"] == "Hello SMS"


def test_without_trust_the_sdk_refuses_the_certificate(live: TlsLive) -> None:
    """The certificate really is checked: without the CA the SDK fails to connect."""
    import requests

    with pytest.raises(requests.exceptions.SSLError):
        basic_client(live).messages.send(Sms(to=N_TO, from_=N_FROM, text="Hello SMS"))
    assert live.control("GET", "/messages")["total"] == 0


def test_sdk_clients_helper_over_plain_http(live: TlsLive) -> None:
    client = vonage_client(live.url, api_key=API_KEY, api_secret=API_SECRET)
    uuid = client.messages.send(Sms(to=N_TO, from_=N_FROM, text="Hello SMS")).message_uuid
    assert live.control("GET", f"/messages/{uuid}")["api_key"] == API_KEY


@pytest.mark.usefixtures("trust")
def test_mark_whatsapp_message_read(live: TlsLive, private_key_file: str) -> None:
    """The SDK's PATCH /v1/messages/{uuid} {"status": "read"} on an inbound message."""
    inbound = live.control(
        "POST",
        "/inbound",
        {"channel": "whatsapp", "from": N_TO, "to": N_FROM, "text": "Hi",
         "application_id": APP_ID},
    )  # fmt: skip
    assert inbound["status"] != "read"
    client = jwt_client(live, private_key_file)
    assert client.messages.mark_whatsapp_message_read(inbound["message_uuid"]) is None
    assert live.control("GET", f"/messages/{inbound['message_uuid']}")["status"] == "read"


@pytest.mark.usefixtures("trust")
def test_marking_read_needs_jwt_as_on_vonage(live: TlsLive) -> None:
    inbound = live.control(
        "POST", "/inbound", {"channel": "whatsapp", "from": N_TO, "to": N_FROM, "text": "Hi"}
    )
    with pytest.raises(AuthenticationError):
        basic_client(live).messages.mark_whatsapp_message_read(inbound["message_uuid"])
    assert live.control("GET", f"/messages/{inbound['message_uuid']}")["status"] != "read"
