"""Webhook bodies as Vonage emits them where the shape depends on version and channel: Dispatch
reports in v0.1 whatever the application says, RCS and email always in v1, the 2018 inbound
format has only its own types (others `unsupported`) and its own location shape, a WhatsApp
`provider_message` is a string, an MMS with several attachments lists them in `content`, and a
Dispatch step costs the same in its status webhooks and in the final report."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.failover.test_dispatch import dispatch, sms_item, whatsapp
from tests.harness import Live
from tests.helpers import sms

pytestmark = pytest.mark.e2e

USER, APP = "447700900000", "447700900001"


def bodies(sb: Live, **filters: Any) -> list[dict[str, Any]]:
    """Every webhook body the ledger holds (sent or not: `no_url` bodies are rendered too)."""
    sb.control("POST", "/settle")
    return [json.loads(w["body"]) for w in sb.webhooks(**filters)]


def test_dispatch_statuses_are_v01_under_a_v1_application(sb: Live) -> None:
    sb.control("PUT", "/applications/dispatch-app", {"webhook_version": "v1"})
    r = dispatch(sb, [whatsapp("delivered", 600), sms_item()])
    assert r.status_code == 202, r.text
    sb.advance(601)  # the WhatsApp step expires: the SMS goes
    statuses = bodies(sb, kind="status")
    assert len(statuses) == 2
    for body in statuses:
        assert isinstance(body["to"], dict) and "channel" not in body, body  # the v0.1 shape
        assert body["_links"]["workflow"]["dispatch_uuid"] == r.json()["dispatch_uuid"]


@pytest.mark.parametrize(
    ("channel", "frm", "to"),
    [("rcs", "SandboxAgent", USER), ("email", "shop@example.com", "ada@example.com")],
)
def test_channels_newer_than_v01_always_report_in_v1(
    sb: Live, channel: str, frm: str, to: str
) -> None:
    sb.control("PUT", "/config", {"webhook_version": "v0.1"})
    body = sms(channel=channel, to=to, **{"from": frm})
    if channel == "email":
        body["email"] = {"subject": "Hi"}
    r = sb.send(body)
    assert r.status_code == 202, r.text
    sb.control("POST", "/inbound", {"channel": channel, "from": to, "to": frm, "text": "a reply"})
    status, inbound = bodies(sb, kind="status")[0], bodies(sb, kind="inbound")[0]
    assert status["channel"] == channel and status["to"] == to
    assert inbound["channel"] == channel and inbound["text"] == "a reply"
    assert all(w["version"] == "v1" for w in sb.webhooks())


def test_v01_inbound_has_the_2018_types_and_location_shape(sb: Live) -> None:
    sb.control("PUT", "/config", {"webhook_version": "v0.1"})
    wa = {"channel": "whatsapp", "from": USER, "to": APP}
    sent = [
        {**wa, "message_type": "location", "location": {"lat": 51.5, "long": -0.12, "name": "X"}},
        {**wa, "message_type": "reaction", "reaction": {"action": "react", "emoji": "👍"}},
        {**wa, "message_type": "sticker", "sticker": {"url": "https://x/s.webp"}},
        {
            "channel": "viber_service",
            "from": USER,
            "to": "16273",
            "message_type": "image",
            "image": {"url": "https://x/i.png"},
        },
        {**wa, "message_type": "image", "image": {"url": "https://x/i.png"}},
    ]
    for body in sent:
        sb.control("POST", "/inbound", body)
    contents = [b["message"]["content"] for b in bodies(sb, kind="inbound")]
    assert contents == [
        {"type": "location", "location": {"latitude": "51.5", "longitude": "-0.12", "name": "X"}},
        {"type": "unsupported"},
        {"type": "unsupported"},
        {"type": "unsupported"},
        {"type": "image", "image": {"url": "https://x/i.png"}},
    ]


def test_provider_message_is_a_string(sb: Live) -> None:
    body = {"channel": "whatsapp", "from": USER, "to": APP, "text": "hi"}
    sb.control("POST", "/inbound", {**body, "provider_message": '{"raw": true}'})
    (webhook,) = bodies(sb, kind="inbound")
    assert webhook["provider_message"] == '{"raw": true}'
    r = sb.http.post("/_sandbox/inbound", json={**body, "provider_message": {"raw": True}})
    assert r.status_code == 422
    assert r.json()["invalid_parameters"] == [
        {"name": "provider_message", "reason": "must be a string."}
    ]


def test_an_mms_with_several_attachments_lists_them_in_content(sb: Live) -> None:
    attachments = [
        {"type": "image", "url": "https://x/a.jpg"},
        {"type": "video", "url": "https://x/b.mp4"},
    ]
    sb.control(
        "POST",
        "/inbound",
        {
            "channel": "mms",
            "from": USER,
            "to": APP,
            "message_type": "image",
            "image": {"url": "https://x/a.jpg"},
            "content": attachments,
        },
    )
    (webhook,) = bodies(sb, kind="inbound")
    assert webhook["message_type"] == "image"
    assert webhook["image"] == {"url": "https://x/a.jpg"}
    assert webhook["content"] == attachments
    bad = sb.http.post(
        "/_sandbox/inbound",
        json={
            "channel": "mms",
            "from": USER,
            "to": APP,
            "message_type": "image",
            "image": {"url": "https://x/a.jpg"},
            "content": [{"type": "gif", "url": "a"}],
        },
    )
    assert bad.status_code == 422
    names = {p["name"] for p in bad.json()["invalid_parameters"]}
    assert names == {"content[0].type", "content[0].url"}


@pytest.mark.parametrize("first_type", ["text", "template"])
def test_a_dispatch_step_costs_the_same_in_statuses_and_report(sb: Live, first_type: str) -> None:
    first = whatsapp("delivered", 600)
    if first_type == "template":
        first["message"]["content"] = {"type": "template", "template": {"name": "a:b"}}
        first["message"]["whatsapp"] = {"locale": "en-GB", "policy": "deterministic"}
    assert dispatch(sb, [first, sms_item()]).status_code == 202
    sb.advance(601)
    for m in sb.control("GET", "/messages")["messages"]:
        sb.mark(m["message_uuid"], "delivered")
    all_bodies = bodies(sb)
    (report,) = [b for b in all_bodies if "dispatch_uuid" in b and "template" in b]
    priced = {
        b["message_uuid"]: b["usage"]["price"]
        for b in all_bodies
        if "message_uuid" in b and "usage" in b
    }
    links = report["_links"]["messages"]
    assert len(links) == 2
    for link in links:
        assert link["usage"]["price"] == priced[link["message_uuid"]], link
    total = sum(float(link["usage"]["price"]) for link in links)
    assert float(report["usage"]["price"]) == pytest.approx(total)
    whatsapp_price = next(link for link in links if link["channel"] == "whatsapp")["usage"]
    assert whatsapp_price["price"] == ("0.0147" if first_type == "template" else "0")
