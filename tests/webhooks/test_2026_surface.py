"""The 2025-2026 additions to the channels that were there before: WhatsApp business-scoped
user ids and the user named in webhooks, the replying indicator, group MMS, SMS
`trusted_recipient` and `pool_id`; against a real server with a real receiver."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.harness import Live, live_sandbox
from tests.helpers import bearer
from tests.receiver import Receiver, receiver

pytestmark = pytest.mark.e2e

APP = "447700900000"
USER = "447700900001"
BSUID = "US.13491208655302741918"


@pytest.fixture
def world() -> Iterator[tuple[Live, Receiver]]:
    with (
        receiver() as rec,
        live_sandbox(status_url=rec.url + "/status", inbound_url=rec.url + "/inbound") as sb,
    ):
        yield sb, rec


def wa_text(to: str) -> dict[str, Any]:
    return {"channel": "whatsapp", "message_type": "text", "to": to, "from": APP, "text": "Hi"}


def problem_names(r: Any) -> list[str]:
    return [p["name"] for p in r.json().get("invalid_parameters", [])]


def test_whatsapp_sends_to_a_business_scoped_user_id(world: tuple[Live, Receiver]) -> None:
    sb, rec = world
    uuid = sb.sent(wa_text(BSUID))["message_uuid"]
    sb.mark(uuid, "delivered")
    statuses = rec.bodies("/status")
    assert [s["status"] for s in statuses] == ["submitted", "delivered"]
    assert all(s["whatsapp"]["recipient"] == {"user_id": BSUID} for s in statuses)
    assert statuses[1]["whatsapp"]["pricing"]["category"] == "service"
    # A number is named by its wa_id; a parent id is a user id too.
    number = sb.sent(wa_text(USER))["message_uuid"]
    sb.control("POST", "/settle")  # a send answers before its webhooks go out
    last = rec.bodies("/status")[-1]
    assert last["message_uuid"] == number and last["whatsapp"]["recipient"] == {"wa_id": USER}
    assert sb.send(wa_text("US.ENT.99887766")).status_code == 202


@pytest.mark.parametrize("to", ["US13491208655302741918", "us.1349", "US." + "1" * 129, "U.1"])
def test_a_malformed_user_id_is_an_invalid_recipient(world: tuple[Live, Receiver], to: str) -> None:
    r = world[0].send(wa_text(to))
    assert r.status_code == 422
    assert r.json()["type"].endswith("#1130") and problem_names(r) == ["to"]


def test_inbound_whatsapp_names_the_sender_and_keeps_the_username(
    world: tuple[Live, Receiver],
) -> None:
    sb, rec = world
    sb.control(
        "POST",
        "/inbound",
        {
            "channel": "whatsapp",
            "from": BSUID,
            "to": APP,
            "text": "hello",
            "profile": {"name": "Ann", "username": "ann.b"},
            "whatsapp": {"referral": {"source_type": "ad"}},
        },
    )
    body = rec.bodies("/inbound")[-1]
    assert body["from"] == BSUID and body["profile"] == {"name": "Ann", "username": "ann.b"}
    assert body["whatsapp"] == {"sender": {"user_id": BSUID}, "referral": {"source_type": "ad"}}
    sb.control("POST", "/inbound", {"channel": "whatsapp", "from": USER, "to": APP, "text": "x"})
    assert rec.bodies("/inbound")[-1]["whatsapp"] == {"sender": {"wa_id": USER}}


def test_the_replying_indicator_goes_with_a_read(world: tuple[Live, Receiver]) -> None:
    sb, _ = world
    inbound = sb.control(
        "POST", "/inbound", {"channel": "whatsapp", "from": USER, "to": APP, "text": "hi"}
    )
    uuid = inbound["message_uuid"]
    path = f"/v1/messages/{uuid}"
    auth = {"Authorization": bearer()}
    indicator = {"show": True, "type": "text"}
    r = sb.http.patch(path, json={"status": "read", "replying_indicator": indicator}, headers=auth)
    assert r.status_code == 202, r.text
    shown = sb.message(uuid)
    assert shown["status"] == "read"
    assert shown["extra"]["replying_indicator"]["show"] is True
    for bad, name in (
        ({"status": "read", "replying_indicator": {"show": "yes"}}, "replying_indicator.show"),
        ({"status": "read", "replying_indicator": {"show": True, "type": "voice"}},
         "replying_indicator.type"),
        ({"status": "read", "replying_indicator": "on"}, "replying_indicator"),
        ({"status": "revoked", "replying_indicator": indicator}, "replying_indicator"),
    ):  # fmt: skip
        r = sb.http.patch(path, json=bad, headers=auth)
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["type"].endswith("#1150") and problem_names(r) == [name]


def test_group_mms_and_its_participants(world: tuple[Live, Receiver]) -> None:
    sb, _ = world
    body = {
        "channel": "mms",
        "message_type": "image",
        "to": "14155550100",
        "from": "14155550101",
        "image": {"url": "https://example.com/a.png", "caption": "team photo"},
        "mms": {"participants": ["14155550102", "14155550103"]},
    }
    uuid = sb.sent(body)["message_uuid"]
    assert sb.message(uuid)["options"]["mms"] == body["mms"]
    r = sb.send({**body, "mms": {"participants": ["14155550102", "+1415"]}})
    assert r.status_code == 422 and r.json()["type"].endswith("#1110")
    assert problem_names(r) == ["mms.participants[1]"]
    r = sb.send({**body, "mms": {"participants": []}})
    assert problem_names(r) == ["mms.participants"]


def test_sms_trusted_recipient_and_pool_id_are_kept(world: tuple[Live, Receiver]) -> None:
    sb, _ = world
    body = {
        "channel": "sms",
        "message_type": "text",
        "to": USER,
        "from": APP,
        "text": "code 1234",
        "trusted_recipient": True,
        "pool_id": "pool-7",
    }
    uuid = sb.sent(body)["message_uuid"]
    options = sb.message(uuid)["options"]
    assert options["trusted_recipient"] is True and options["pool_id"] == "pool-7"
    for bad, name in (
        ({"trusted_recipient": "yes"}, "trusted_recipient"),
        ({"pool_id": 7}, "pool_id"),
    ):
        r = sb.send({**body, **bad})
        assert r.status_code == 422 and problem_names(r) == [name], r.text
