"""Validation answers as Vonage gives them: 422 problem+json, the right type, and every bad
parameter named."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from tests.conftest import Api
from tests.helpers import BASIC, N1, N2, sms

BASE = "https://developer.vonage.com/api-errors/messages#"


def problem(api: Api, body: Any) -> dict[str, Any]:
    r = api.send_v1(body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    data: dict[str, Any] = r.json()
    assert data["instance"] == r.headers["x-nexmo-trace-id"]
    assert {"type", "title", "detail", "instance"} <= set(data)
    return data


def names(data: dict[str, Any]) -> set[str]:
    return {p["name"] for p in data.get("invalid_parameters", [])}


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b"", b"[1,2]", b'"text"', b"\xff\xfe\x00", b"[" * 100_000 + b"]" * 100_000],
)
def test_invalid_json(api: Api, raw: bytes) -> None:
    r = api.post(
        "/v1/messages",
        content=raw,
        headers={"Authorization": BASIC, "Content-Type": "application/json"},
    )
    assert r.status_code == 422
    assert r.json()["type"] == "https://developer.vonage.com/api-errors#invalid-json"
    assert r.json()["title"] == "The request body did not contain valid JSON"


@pytest.mark.parametrize(
    ("body", "code", "bad"),
    [
        (sms(channel="telegram"), 1100, {"channel"}),
        (sms(channel="line"), 1100, {"channel"}),
        (
            {
                **sms(channel="messenger", to="123", **{"from": "456"}),
                "messenger": {"category": "sometimes"},
            },
            1110,
            {"messenger.category"},
        ),
        (
            {
                **sms(channel="messenger", to="123", **{"from": "456"}),
                "messenger": {"category": "message_tag"},
            },
            1110,
            {"messenger.tag"},
        ),
        (
            {**sms(channel="whatsapp"), "whatsapp": {"policy": "fallback"}},
            1110,
            {"whatsapp.policy"},
        ),
        (
            {
                "channel": "whatsapp",
                "message_type": "template",
                "to": N1,
                "from": N2,
                "template": {"name": "t"},
            },
            1110,
            {"whatsapp.locale"},
        ),
        (
            {**sms(channel="viber_service", **{"from": "16273"}), "viber_service": {"ttl": 5}},
            1110,
            {"viber_service.ttl"},
        ),
        (
            {**sms(channel="viber_service", **{"from": "16273"}), "viber_service": "promo"},
            1110,
            {"viber_service"},
        ),
        ({**sms(), "sms": {"encoding_type": "morse"}}, 1110, {"sms.encoding_type"}),
        (sms(**{"from": "+447700900001"}), 1120, {"from"}),
        (sms(**{"from": "this sender is far too long"}), 1120, {"from"}),
        (sms(channel="viber_service", **{"from": "x" * 51}), 1120, {"from"}),
        (sms(**{"from": 447700900001}), 1120, {"from"}),
        (sms(to="+447700900000"), 1130, {"to"}),
        (sms(to="00447700900000"), 1130, {"to"}),
        (sms(to="12345"), 1130, {"to"}),
        (sms(to=447700900000), 1130, {"to"}),
        (sms(channel="messenger", to="", **{"from": "1"}), 1130, {"to"}),
        (sms(message_type="image", image={"url": "https://x"}), 1140, {"message_type"}),
        (
            sms(channel="messenger", message_type="template", to="1", **{"from": "2"}),
            1140,
            {"message_type"},
        ),
        (
            sms(channel="viber_service", message_type="audio", **{"from": "1"}),
            1140,
            {"message_type"},
        ),
        ({k: v for k, v in sms().items() if k != "text"}, 1150, {"text"}),
        ({k: v for k, v in sms().items() if k != "to"}, 1150, {"to"}),
        ({k: v for k, v in sms().items() if k != "message_type"}, 1150, {"message_type"}),
        ({k: v for k, v in sms().items() if k != "channel"}, 1150, {"channel"}),
        (sms(text="x" * 1001), 1150, {"text"}),
        (sms(channel="messenger", to="1", text="x" * 641, **{"from": "2"}), 1150, {"text"}),
        (sms(channel="whatsapp", text="x" * 4097), 1150, {"text"}),
        (sms(channel="viber_service", text="x" * 1001, **{"from": "2"}), 1150, {"text"}),
        (sms(text=""), 1150, {"text"}),
        (sms(text=None), 1150, {"text"}),
        (sms(text=["a"]), 1150, {"text"}),
        (sms(channel="whatsapp", message_type="image", image={}), 1150, {"image.url"}),
        (
            sms(channel="whatsapp", message_type="image", image={"url": "h" * 2001}),
            1150,
            {"image.url"},
        ),
        (
            sms(
                channel="whatsapp",
                message_type="image",
                image={"url": "https://x", "caption": "c" * 3001},
            ),
            1150,
            {"image.caption"},
        ),
        (sms(channel="whatsapp", message_type="image", image="https://x"), 1150, {"image"}),
        (
            sms(channel="whatsapp", message_type="reaction", reaction={"action": "react"}),
            1150,
            {"reaction.emoji", "context.message_uuid"},
        ),
        (
            sms(channel="whatsapp", message_type="sticker", sticker={"url": "u", "id": "i"}),
            1150,
            {"sticker"},
        ),
        (
            sms(channel="mms", message_type="content", content=[{"type": "gif", "url": "u"}]),
            1150,
            {"content[0].type"},
        ),
        (sms(webhook_version="v2"), 1150, {"webhook_version"}),
        (sms(webhook_url="ftp://example.com"), 1150, {"webhook_url"}),
        (sms(ttl="soon"), 1150, {"ttl"}),
        (sms(channel="mms", ttl=10), 1150, {"ttl"}),
        (sms(failover=[]), 1150, {"failover"}),
        (sms(failover=[sms(text="")]), 1150, {"failover[0].text"}),
        (sms(client_ref="r" * 101), 1060, {"client_ref"}),
        (sms(client_ref=12), 1060, {"client_ref"}),
    ],
)
def test_error_classes(api: Api, body: dict[str, Any], code: int, bad: set[str]) -> None:
    data = problem(api, body)
    assert data["type"] == f"{BASE}{code}", data
    assert names(data) >= bad, data
    assert api.get("/_sandbox/messages").json()["total"] == 0


def test_every_bad_field_is_named(api: Api) -> None:
    data = problem(
        api,
        {
            "channel": "whatsapp",
            "message_type": "image",
            "to": N1,
            "from": N2,
            "image": {"url": "", "caption": ""},
        },
    )
    assert names(data) == {"image.url", "image.caption"}
    assert data["title"] == "Invalid params"


def test_highest_priority_class_answers(api: Api) -> None:
    data = problem(api, sms(to="+44", **{"from": "+44"}, text=""))
    assert data["type"] == f"{BASE}1130"
    assert names(data) == {"to"}


def _garbage(rng: random.Random, depth: int = 0) -> Any:
    kind = rng.randrange(9 if depth < 4 else 6)
    return [
        lambda: None,
        lambda: rng.random() * 1e308,
        lambda: rng.randrange(-(2**70), 2**70),
        lambda: bool(rng.randrange(2)),
        lambda: "x" * rng.randrange(0, 5000),
        lambda: "\u0000\ud7ff\U0001f600",
        lambda: [_garbage(rng, depth + 1) for _ in range(rng.randrange(3))],
        lambda: {
            k: _garbage(rng, depth + 1)
            for k in rng.sample(
                [
                    "channel",
                    "message_type",
                    "to",
                    "from",
                    "text",
                    "image",
                    "client_ref",
                    "whatsapp",
                    "sms",
                    "failover",
                    "context",
                    "ttl",
                    "webhook_url",
                ],
                3,
            )
        },
        lambda: {
            "channel": rng.choice(
                ["sms", "mms", "whatsapp", "messenger", "viber_service", 1, None]
            ),
            "message_type": rng.choice(["text", "image", "custom", "content", None, 3]),
            "to": rng.choice([N1, "", None, 1]),
            "from": rng.choice([N2, "x", None]),
            "text": _garbage(rng, depth + 1),
            "image": _garbage(rng, depth + 1),
            "content": _garbage(rng, depth + 1),
            "custom": _garbage(rng, depth + 1),
            "failover": _garbage(rng, depth + 1),
        },
    ][kind]()


def test_any_body_gets_an_answer_never_a_500(api: Api) -> None:
    rng = random.Random(1234)
    statuses = set()
    for _ in range(400):
        body = _garbage(rng)
        raw = json.dumps(body).encode()
        r = api.post(
            "/v1/messages",
            content=raw,
            headers={"Authorization": BASIC, "Content-Type": "application/json"},
        )
        assert r.status_code in (202, 422), (r.status_code, raw[:200], r.text)
        assert r.headers["content-type"] in ("application/json", "application/problem+json")
        statuses.add(r.status_code)
    assert 422 in statuses


def test_oversized_body_is_413(api: Api) -> None:
    r = api.post(
        "/v1/messages",
        content=b'{"text":"' + b"x" * (2 * 1024 * 1024) + b'"}',
        headers={"Authorization": BASIC, "Content-Type": "application/json"},
    )
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"
