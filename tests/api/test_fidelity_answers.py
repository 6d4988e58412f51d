"""What the sandbox answers on Vonage's paths, as Vonage answers: a trace id on every answer,
the common 405, 402 when an account's balance runs out, 429 past a send rate, and the
request rules of the spec (`format: url` fields, no nulls)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.failover.test_dispatch import dispatch, sms_item, whatsapp
from tests.harness import Live
from tests.helpers import BASIC, bearer, sms

pytestmark = pytest.mark.e2e

V1 = "https://developer.vonage.com/api-errors/messages"


def v01_sms() -> dict[str, Any]:
    return {
        "from": {"type": "sms", "number": "447700900001"},
        "to": {"type": "sms", "number": "447700900000"},
        "message": {"content": {"type": "text", "text": "hi"}},
    }


def test_every_answer_of_vonages_paths_carries_a_trace_id(sb: Live) -> None:
    answers = [
        sb.send(sms()),
        sb.send(v01_sms(), auth=bearer("trace-app"), path="/v0.1/messages"),
        dispatch(sb, [whatsapp("delivered", 600), sms_item()]),
        sb.send({"channel": "sms"}),  # 422
        sb.http.get("/v1/messages"),  # 405
    ]
    inbound = sb.control(
        "POST",
        "/inbound",
        {
            "channel": "whatsapp",
            "from": "447700900000",
            "to": "447700900001",
            "text": "hi",
            "application_id": "trace-app",
        },
    )
    answers.append(
        sb.http.patch(
            f"/v1/messages/{inbound['message_uuid']}",
            json={"status": "read"},
            headers={"Authorization": bearer("trace-app")},
        )
    )
    assert [r.status_code for r in answers] == [202, 202, 202, 422, 405, 202]
    ids = [r.headers.get("x-nexmo-trace-id") for r in answers]
    assert all(ids), ids
    assert len(set(ids)) == len(ids)  # one per answer
    # v1 answers carry a UUID (as in 2024 production answers), the 2018 APIs 32 hex digits.
    assert len(ids[0]) == 36 and len(ids[1]) == 32 and len(ids[2]) == 32
    # The control API is the sandbox's own: no Vonage trace id there.
    assert "x-nexmo-trace-id" not in sb.http.get("/_sandbox/health").headers


def test_a_wrong_method_is_vonages_common_405(sb: Live) -> None:
    r = sb.http.delete("/v1/messages")
    assert r.status_code == 405
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["type"] == "https://developer.vonage.com/api-errors#wrong-verb"
    assert body["title"] == "Request method not allowed"
    assert body["detail"] == "Request method 'DELETE' not supported"
    assert body["instance"] == r.headers["x-nexmo-trace-id"]


def test_an_account_whose_balance_runs_out_is_answered_402(sb: Live) -> None:
    account = sb.control("PUT", "/accounts/abcd1234", {"balance": "0.05"})
    assert account["balance"] == "0.0500"
    assert sb.send(sms()).status_code == 202  # SMS costs 0.0333
    listed = sb.control("GET", "/accounts")["accounts"]
    assert {
        "api_key": "abcd1234",
        "signature_secret": None,
        "balance": "0.0167",
        "rate_limit": None,
    } in listed
    r = sb.send(sms())
    assert r.status_code == 402, r.text
    assert r.json() == {
        "type": "https://developer.vonage.com/api-errors/#low-balance",
        "title": "Low balance",
        "detail": "This request could not be performed due to your account balance being low.",
        "instance": r.headers["x-nexmo-trace-id"],
    }
    # Nothing was accepted, and nothing charged.
    assert sb.control("GET", "/messages")["total"] == 1
    # A free message (a WhatsApp text, inside the care window) still goes while credit is left.
    free = sms(channel="whatsapp", **{"from": "447700900001"})
    assert sb.send(free).status_code == 202
    # Unlimited again.
    sb.control("PUT", "/accounts/abcd1234", {"balance": None})
    assert sb.send(sms()).status_code == 202


def test_jwt_sends_are_charged_to_the_applications_account(sb: Live) -> None:
    sb.control("PUT", "/accounts/paying-key", {"balance": 0})
    sb.control("PUT", "/applications/paid-app", {"api_key": "paying-key"})
    jwt = bearer("paid-app")
    assert sb.send(sms(), auth=jwt).status_code == 402
    assert sb.send(v01_sms(), auth=jwt, path="/v0.1/messages").status_code == 402
    r = sb.http.post(
        "/v0.1/dispatch",
        json={"template": "failover", "workflow": [whatsapp("delivered", 600), sms_item()]},
        headers={"Authorization": jwt},
    )
    assert r.status_code == 402 and r.json()["title"] == "Low balance"
    assert sb.send(sms(), auth=bearer("other-app")).status_code == 202  # no account: unlimited


@pytest.mark.parametrize("bad", [True, "lots", "1e999", [1]])
def test_a_balance_must_be_an_amount(sb: Live, bad: Any) -> None:
    r = sb.http.put("/_sandbox/accounts/k", json={"balance": bad})
    assert r.status_code == 422
    assert r.json()["invalid_parameters"][0]["name"] == "balance"


def test_sends_past_the_rate_limit_are_answered_429_until_the_clock_moves(sb: Live) -> None:
    sb.control("PUT", "/config", {"rate_limit": 1})  # Vonage's hosted sandbox: 1 per second
    assert sb.send(sms()).status_code == 202
    r = sb.send(sms())
    assert r.status_code == 429, r.text
    assert r.headers["retry-after"] == "1"
    assert r.json() == {
        "type": f"{V1}#1000",
        "title": "Rate Limit Hit",
        "detail": "Please wait, then retry your request",
        "instance": r.headers["x-nexmo-trace-id"],
    }
    # Each sender has its own budget: an application is not slowed by an API key's sends.
    assert sb.send(sms(), auth=bearer("limited-app")).status_code == 202
    sb.advance(1)
    assert sb.send(sms()).status_code == 202
    assert sb.control("GET", "/messages")["total"] == 3  # the refused one was not kept
    sb.control("PUT", "/config", {"rate_limit": None})
    assert [sb.send(sms()).status_code for _ in range(3)] == [202] * 3


def test_a_higher_rate_allows_a_burst_of_as_many(sb: Live) -> None:
    sb.control("PUT", "/config", {"rate_limit": 3})
    codes = [sb.send(sms(), auth=BASIC).status_code for _ in range(4)]
    assert codes == [202, 202, 202, 429]


@pytest.mark.parametrize("bad", [0, -1, True, "fast"])
def test_a_rate_limit_must_be_positive(sb: Live, bad: Any) -> None:
    r = sb.http.put("/_sandbox/config", json={"rate_limit": bad})
    assert r.status_code == 422
    assert r.json()["invalid_parameters"][0]["name"] == "rate_limit"


@pytest.mark.parametrize(
    ("body", "code", "name"),
    [
        (sms(sms={"encoding_type": None}), 1110, "sms.encoding_type"),
        (
            sms(channel="messenger", to="1234", **{"from": "5678"}, messenger=None),
            1110,
            "messenger",
        ),
        (sms(client_ref=None), 1150, "client_ref"),
        (sms(text=None), 1150, "text"),
        (
            sms(channel="whatsapp", message_type="image", image={"url": "x", "caption": None}),
            1150,
            "image.caption",
        ),
    ],
)
def test_null_is_refused_where_the_spec_allows_none(
    sb: Live, body: dict[str, Any], code: int, name: str
) -> None:
    r = sb.send(body)
    assert r.status_code == 422, r.text
    data = r.json()
    assert data["type"] == f"{V1}#{code}"
    assert {"name": name, "reason": "must not be null."} in data["invalid_parameters"]


def test_custom_payloads_keep_their_own_nulls(sb: Live) -> None:
    body = sms(channel="whatsapp", message_type="custom", custom={"type": "x", "y": None})
    assert sb.send(body).status_code == 202


@pytest.mark.parametrize(
    ("body", "name"),
    [
        (sms(channel="whatsapp", message_type="image", image={"url": "picture.png"}), "image.url"),
        (sms(channel="mms", message_type="video", video={"url": "ftp://x/v.mp4"}), "video.url"),
        (
            sms(
                channel="viber_service",
                message_type="video",
                **{"from": "16273"},
                video={"url": "https://x/v.mp4", "thumb_url": "thumb.jpg"},
                viber_service={"duration": "5", "file_size": "1"},
            ),
            "video.thumb_url",
        ),
        (sms(channel="whatsapp", message_type="sticker", sticker={"url": "s.webp"}), "sticker.url"),
    ],
)
def test_url_fields_take_urls(sb: Live, body: dict[str, Any], name: str) -> None:
    r = sb.send(body)
    assert r.status_code == 422, r.text
    names = [p["name"] for p in r.json()["invalid_parameters"]]
    assert name in names
