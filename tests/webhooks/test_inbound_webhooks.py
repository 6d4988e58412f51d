"""Inbound webhooks: what the app receives when a simulated user writes."""

from __future__ import annotations

from typing import Any

import pytest
from vonage_jwt import verify_signature

from tests.harness import live_sandbox
from tests.helpers import bearer, sms
from tests.receiver import receiver

USER, APP = "447700900000", "447700900001"

CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "sms",
        {"text": "stop all messages"},
        {"sms": {"num_messages": "1", "keyword": "STOP"}, "text": "stop all messages"},
    ),
    (
        "mms",
        {"message_type": "image", "image": {"url": "https://example.com/cat.jpg"}},
        {"image": {"url": "https://example.com/cat.jpg"}},
    ),
    (
        "whatsapp",
        {"text": "hello", "profile": {"name": "Jane"}},
        {"profile": {"name": "Jane"}, "context_status": "none", "text": "hello"},
    ),
    (
        "messenger",
        {
            "from": "1234567890",
            "to": "0987654321",
            "message_type": "video",
            "video": {"url": "https://example.com/v.mp4"},
        },
        {"video": {"url": "https://example.com/v.mp4"}},
    ),
    ("viber_service", {"to": "16273", "text": "hi viber"}, {"text": "hi viber"}),
]


@pytest.mark.parametrize(("channel", "extra", "expected"), CASES, ids=[c[0] for c in CASES])
def test_inbound_v1_for_every_channel(
    channel: str, extra: dict[str, Any], expected: dict[str, Any]
) -> None:
    with receiver() as rec, live_sandbox(inbound_url=rec.at("/inbound")) as sb:
        body = {"channel": channel, "from": USER, "to": APP, **extra}
        created = sb.control("POST", "/inbound", body)
        (got,) = rec.received
        payload = got.json
        assert payload["channel"] == channel
        assert payload["message_uuid"] == created["message_uuid"]
        assert payload["from"] == body["from"] and payload["to"] == body["to"]
        assert payload["message_type"] == body.get("message_type", "text")
        for key, value in expected.items():
            assert payload[key] == value, key
        secret = sb.control("GET", "/config")["signature_secret"]
        assert verify_signature(got.token, secret)
        assert sb.webhooks(kind="inbound")[0]["state"] == "delivered"


def test_inbound_v01_shapes() -> None:
    with receiver() as rec, live_sandbox(inbound_url=rec.at("/in")) as sb:
        sb.control("PUT", "/config", {"webhook_version": "v0.1"})
        sb.control(
            "POST",
            "/inbound",
            {"channel": "viber_service", "from": USER, "to": "16273", "text": "v"},
        )
        sb.control("POST", "/inbound", {"channel": "sms", "from": USER, "to": APP, "text": "s"})
        viber, text = rec.bodies()
        assert viber["from"] == {"type": "viber_service_msg", "number": USER}
        assert viber["to"] == {"type": "viber_service_msg", "id": "16273"}
        assert viber["message"] == {"content": {"type": "text", "text": "v"}}
        assert text["message"]["sms"] == {"num_messages": "1"}
        assert text["usage"]["currency"] == "EUR"


def test_whatsapp_reply_context_and_self_link() -> None:
    with receiver() as rec, live_sandbox(inbound_url=rec.at("/in")) as sb:
        out = sb.send(sms(channel="whatsapp", to=USER, **{"from": APP})).json()["message_uuid"]
        sb.control(
            "POST",
            "/inbound",
            {"channel": "whatsapp", "from": USER, "text": "re", "context": {"message_uuid": out}},
        )
        (payload,) = rec.bodies("/in")
        assert payload["to"] == APP  # defaulted from the conversation
        assert payload["context_status"] == "available"
        assert payload["context"] == {"message_uuid": out, "message_from": APP}
        assert payload["_self"]["href"] == f"{sb.url}/v1/messages/{payload['message_uuid']}"


def test_inbound_goes_to_the_application_of_the_conversation() -> None:
    with receiver() as rec, live_sandbox(inbound_url=rec.at("/default")) as sb:
        sb.control(
            "PUT",
            "/applications/app-in",
            {"inbound_url": rec.at("/app"), "webhook_version": "v0.1"},
        )
        sb.send(sms(channel="whatsapp", to=USER, **{"from": APP}), auth=bearer("app-in"))
        sb.control(
            "POST",
            "/inbound",
            {"channel": "whatsapp", "from": USER, "to": APP, "text": "to the app"},
        )
        sb.control(
            "POST", "/inbound", {"channel": "sms", "from": USER, "to": APP, "text": "nobody's"}
        )
        assert [r.path for r in rec.received] == ["/app", "/default"]
        assert rec.received[0].json["message"]["content"]["text"] == "to the app"


def test_inbound_without_url_is_recorded() -> None:
    with live_sandbox() as sb:
        m = sb.control("POST", "/inbound", {"channel": "sms", "from": USER, "to": APP, "text": "x"})
        (hook,) = sb.webhooks(message_uuid=m["message_uuid"])
        assert (hook["kind"], hook["state"]) == ("inbound", "no_url")


@pytest.mark.parametrize(
    "body",
    [
        {
            "channel": "sms",
            "from": USER,
            "to": APP,
            "message_type": "image",
            "image": {"url": "https://x"},
        },
        {"channel": "telegram", "from": USER, "to": APP, "text": "x"},
        {"channel": "sms", "from": "+44", "to": APP, "text": "x"},
        {"channel": "sms", "from": USER, "to": APP, "text": ""},
        {
            "channel": "whatsapp",
            "from": USER,
            "to": APP,
            "message_type": "location",
            "location": {"lat": "north"},
        },
        {"channel": "sms", "from": USER, "text": "no app address known"},
    ],
)
def test_bad_inbound_is_refused(body: dict[str, Any]) -> None:
    with live_sandbox() as sb:
        r = sb.http.post("/_sandbox/inbound", json=body)
        assert r.status_code == 422, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["invalid_parameters"]
