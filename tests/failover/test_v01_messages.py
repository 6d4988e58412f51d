"""`POST /v0.1/messages`: the nested 2018 format, its 400s and its webhooks."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness import live_sandbox
from tests.helpers import bearer
from tests.receiver import receiver

N1, N2 = "447700900000", "447700900001"

# The exact bodies the 2018 `nexmo` Node beta sends for each channel.
BETA_BODIES: list[dict[str, Any]] = [
    {
        "to": {"type": "sms", "number": N1},
        "from": {"type": "sms", "number": N2},
        "message": {"content": {"type": "text", "text": "Hello from nexmo beta"}},
    },
    {
        "to": {"type": "mms", "number": N1},
        "from": {"type": "mms", "number": N2},
        "message": {
            "content": {
                "type": "image",
                "image": {"url": "https://example.com/i.jpg", "caption": "a picture"},
            }
        },
    },
    {
        "to": {"type": "whatsapp", "number": N1},
        "from": {"type": "whatsapp", "number": N2},
        "message": {"content": {"type": "text", "text": "Hello WhatsApp"}},
    },
    {
        "to": {"type": "whatsapp", "number": N1},
        "from": {"type": "whatsapp", "number": N2},
        "message": {
            "content": {
                "type": "template",
                "template": {
                    "name": "whatsapp:hsm:technology:nexmo:verify",
                    "parameters": [{"default": "Nexmo Verification"}, {"default": "64873"}],
                },
            },
            "whatsapp": {"policy": "deterministic", "locale": "en-GB"},
        },
    },
    {
        "to": {"type": "messenger", "id": "1234567890"},
        "from": {"type": "messenger", "id": "0987654321"},
        "message": {
            "content": {"type": "text", "text": "Hello Messenger"},
            "messenger": {"category": "message_tag", "tag": "CONFIRMED_EVENT_UPDATE"},
        },
    },
    {
        "to": {"type": "viber_service_msg", "number": N1},
        "from": {"type": "viber_service_msg", "id": "16273"},
        "message": {
            "content": {"type": "text", "text": "Hello Viber"},
            "viber_service_msg": {"category": "transaction", "ttl": 600},
        },
    },
]


@pytest.mark.parametrize("body", BETA_BODIES, ids=lambda b: b["to"]["type"])
def test_beta_bodies_are_accepted_and_report_in_v01(body: dict[str, Any]) -> None:
    with receiver() as rec, live_sandbox(status_url=rec.at("/s")) as sb:
        r = sb.http.post(
            "/v0.1/messages?", json=body, headers={"Authorization": bearer("beta", exp=None)}
        )
        assert r.status_code == 202, r.text
        uuid = r.json()["message_uuid"]
        stored = sb.control("GET", f"/messages/{uuid}")
        assert stored["api"] == "v0.1"
        content = body["message"]["content"]
        assert stored[content["type"]] == content[content["type"]]
        sb.mark(uuid, "delivered")
        statuses = rec.bodies("/s")
        assert [s["status"] for s in statuses] == ["submitted", "delivered"]
        assert statuses[0]["to"] == body["to"] and statuses[0]["from"] == body["from"]
        assert "channel" not in statuses[0]


def test_application_version_overrides_the_v01_default() -> None:
    with receiver() as rec, live_sandbox(status_url=rec.at("/s")) as sb:
        sb.control("PUT", "/applications/beta", {"webhook_version": "v1"})
        sb.http.post(
            "/v0.1/messages", json=BETA_BODIES[0], headers={"Authorization": bearer("beta")}
        )
        sb.control("POST", "/settle")
        (status,) = rec.bodies("/s")
        assert status["channel"] == "sms" and status["to"] == N1


@pytest.mark.parametrize(
    ("body", "bad"),
    [
        ({**BETA_BODIES[0], "to": {"type": "telegram", "number": N1}}, "to.type"),
        ({**BETA_BODIES[0], "to": {"type": "sms", "number": "+44"}}, "to.number"),
        ({**BETA_BODIES[0], "from": {"type": "whatsapp", "number": N2}}, "from.type"),
        (
            {**BETA_BODIES[0], "message": {"content": {"type": "text", "text": ""}}},
            "message.content.text",
        ),
        (
            {**BETA_BODIES[0], "message": {"content": {"type": "image", "image": {"url": "u"}}}},
            "message.content.type",
        ),
        (
            {
                **BETA_BODIES[4],
                "message": {
                    "content": {"type": "text", "text": "x"},
                    "messenger": {"category": "message_tag"},
                },
            },
            "message.messenger.tag",
        ),
        (
            {
                **BETA_BODIES[5],
                "message": {
                    "content": {"type": "text", "text": "x"},
                    "viber_service_msg": {"ttl": 1},
                },
            },
            "message.viber_service_msg.ttl",
        ),
        (
            {
                **BETA_BODIES[2],
                "message": {
                    "content": {"type": "text", "text": "x"},
                    "whatsapp": {"policy": "fallback"},
                },
            },
            "message.whatsapp.policy",
        ),
        ({**BETA_BODIES[0], "client_ref": "r" * 41}, "client_ref"),
        ({"to": N1, "from": N2, "message": "hi"}, "to"),
    ],
)
def test_v01_errors_are_400_invalid_params(body: dict[str, Any], bad: str) -> None:
    with live_sandbox() as sb:
        r = sb.http.post("/v0.1/messages", json=body, headers={"Authorization": bearer()})
        assert r.status_code == 400, r.text
        problem = r.json()
        assert problem["type"] == "https://www.nexmo.com/messages/Errors#InvalidParams"
        assert problem["title"] == "Your request parameters didn't validate."
        assert problem["detail"].startswith("Found errors validating")
        assert bad in {p["name"] for p in problem["invalid_parameters"]}, problem


def test_v01_bad_json_is_400() -> None:
    with live_sandbox() as sb:
        r = sb.http.post(
            "/v0.1/messages",
            content=b"{",
            headers={"Authorization": bearer(), "Content-Type": "application/json"},
        )
        assert r.status_code == 400
        assert r.headers["content-type"] == "application/problem+json"
