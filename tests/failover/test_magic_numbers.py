"""Every built-in magic number does what its line in the table says, with no setup, and the
table is what the control API lists and the README shows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sandbox.core.magic import MAGIC
from tests.harness import Live
from tests.helpers import sms

pytestmark = pytest.mark.e2e

APP = "447700900001"
README = Path(__file__).resolve().parents[2] / "README.md"


def send(sb: Live, to: str, channel: str = "whatsapp", **extra: Any) -> str:
    frm = "SandboxAgent" if channel == "rcs" else APP
    return str(sb.sent(sms(channel=channel, to=to, **{"from": frm}, **extra))["message_uuid"])


def statuses(sb: Live, uuid: str) -> list[str]:
    return [c["status"] for c in sb.message(uuid)["history"]]


def replies(sb: Live, number: str) -> list[Any]:
    found = sb.control("GET", f"/messages?direction=inbound&from={number}")["messages"]
    return [m.get("text") or m.get("reply") for m in reversed(found)]


def read_1_then_2(sb: Live) -> None:
    uuid = send(sb, "447700900801")
    sb.advance(1)
    assert statuses(sb, uuid) == ["submitted", "delivered"]
    sb.advance(2)
    assert statuses(sb, uuid) == ["submitted", "delivered", "read"]


def never_read(sb: Live) -> None:
    uuid = send(sb, "447700900802")
    sb.advance(86400)
    assert statuses(sb, uuid) == ["submitted", "delivered"]


def rejected_everywhere(sb: Live) -> None:
    codes = {}
    for channel in ("whatsapp", "sms", "rcs", "viber_service"):
        extra = {"from": "16273"} if channel == "viber_service" else {}
        uuid = (
            str(sb.sent(sms(channel=channel, to="447700900803", **extra))["message_uuid"])
            if extra
            else send(sb, "447700900803", channel)
        )
        got = sb.message(uuid)
        assert got["status"] == "rejected", channel
        codes[channel] = got["error"]["code"]
    assert codes == {"whatsapp": 1300, "sms": 1250, "rcs": 1300, "viber_service": 1300}


def sms_only(sb: Live) -> None:
    uuid = send(sb, "447700900804", failover=[sms(to="447700900804")])
    assert sb.message(uuid)["status"] == "rejected"
    (text,) = sb.control("GET", "/messages?channel=sms")["messages"]
    sb.advance(1)
    assert sb.message(text["message_uuid"])["status"] == "delivered"


def undeliverable(sb: Live) -> None:
    uuid = send(sb, "447700900805")
    sb.advance(1)
    got = sb.message(uuid)
    assert got["status"] == "undeliverable" and got["error"]["code"] == 1260


def slow_receipt(sb: Live) -> None:
    uuid = send(sb, "447700900806")
    sb.advance(3599)
    assert statuses(sb, uuid) == ["submitted"]
    sb.advance(1)
    assert statuses(sb, uuid) == ["submitted", "delivered"]


def no_receipt(sb: Live) -> None:
    uuid = send(sb, "447700900807")
    sb.advance(7 * 86400)
    assert statuses(sb, uuid) == ["submitted"]


def stop(sb: Live) -> None:
    send(sb, "447700900808", text="Big sale!")
    sb.advance(5)
    assert replies(sb, "447700900808") == []
    sb.advance(1)
    assert replies(sb, "447700900808") == ["STOP"]


def otp(sb: Live) -> None:
    send(sb, "447700900809", channel="sms", text="Code: 55123")
    sb.advance(6)
    assert replies(sb, "447700900809") == ["55123"]


def switched_off(sb: Live) -> None:
    short = send(sb, "447700900810", channel="sms", ttl=3600)
    waits = send(sb, "447700900810", channel="sms")  # SMS: 72 h unless told
    sb.advance(3600)
    assert sb.message(short)["error"]["code"] == 1360
    sb.advance(86400 - 3600)
    assert statuses(sb, waits) == ["submitted", "delivered"]


def taps_first(sb: Live) -> None:
    chips = [{"type": "reply", "text": "Yes", "postback_data": "yes"}]
    send(sb, "447700900811", channel="rcs", suggestions=chips)
    plain = send(sb, "447700900811", channel="whatsapp")
    sb.advance(3)
    assert replies(sb, "447700900811") == [{"id": "yes", "title": "Yes"}, "OK"]
    assert statuses(sb, plain)[-1] == "read"


def reads_then_thanks(sb: Live) -> None:
    uuid = send(sb, "447700900812")
    sb.advance(6)
    assert statuses(sb, uuid) == ["submitted", "delivered", "read"]
    assert replies(sb, "447700900812") == ["Thanks!"]


CHECKS: dict[str, Callable[[Live], None]] = {
    "447700900801": read_1_then_2,
    "447700900802": never_read,
    "447700900803": rejected_everywhere,
    "447700900804": sms_only,
    "447700900805": undeliverable,
    "447700900806": slow_receipt,
    "447700900807": no_receipt,
    "447700900808": stop,
    "447700900809": otp,
    "447700900810": switched_off,
    "447700900811": taps_first,
    "447700900812": reads_then_thanks,
}


def test_every_magic_number_has_a_check() -> None:
    assert set(CHECKS) == set(MAGIC)


@pytest.mark.parametrize("number", sorted(CHECKS))
def test_magic_number(sb: Live, number: str) -> None:
    CHECKS[number](sb)
    for change in sb.control("GET", "/messages?direction=outbound")["messages"]:
        for step in sb.message(change["message_uuid"])["history"][1:]:
            if step["by"] == "handset":
                assert "(magic number)" in step["cause"]


def test_the_control_api_lists_them_and_the_readme_shows_them(sb: Live) -> None:
    listed = {m["address"]: m for m in sb.control("GET", "/handsets/magic")["magic"]}
    assert set(listed) == set(MAGIC)
    assert all(m["source"] == "magic" and m["label"] for m in listed.values())
    readme = README.read_text()
    for number, handset in MAGIC.items():
        assert f"| `{number}` | {handset.label} |" in readme, number
