"""Handsets with a will of their own, on a real server: profiles decide what each message
does with no marking by hand, personas answer, magic numbers need no setup, the care windows
and TTLs are enforced, and every outcome says why."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.failover.test_dispatch import dispatch, sms_item
from tests.harness import Live, live_sandbox
from tests.helpers import sms
from tests.receiver import receiver

pytestmark = pytest.mark.e2e

APP = "447700900001"
ADA = "447700900123"


def wa(to: str, **extra: Any) -> dict[str, Any]:
    return sms(channel="whatsapp", to=to, **{"from": APP}, **extra)


def history(sb: Live, uuid: str) -> list[tuple[str, str | None]]:
    return [(c["status"], c.get("cause")) for c in sb.message(uuid)["history"]]


def test_whatsapp_to_a_handset_without_whatsapp_fails_over_to_sms(sb: Live) -> None:
    sb.control(
        "PUT",
        f"/handsets/{ADA}",
        {"channels": {"whatsapp": False, "sms": {"deliver_after": 2}}},
    )
    body = wa(ADA, failover=[sms(to=ADA, text="the SMS")])
    first = sb.sent(body)["message_uuid"]
    primary = sb.message(first)
    assert primary["status"] == "rejected"  # no marking by hand: the profile did it
    assert primary["error"]["code"] == 1300
    assert history(sb, first)[-1] == ("rejected", f"{ADA} (handset profile) has no WhatsApp")
    (text,) = sb.control("GET", f"/messages?channel=sms&to={ADA}")["messages"]
    assert text["text"] == "the SMS" and text["status"] == "submitted"
    sb.advance(2)
    assert sb.message(text["message_uuid"])["status"] == "delivered"


def test_a_dispatch_to_a_handset_that_never_reads_fails_over_after_expiry(sb: Live) -> None:
    sb.control("PUT", "/handsets/447700900000", {"deliver_after": 1})  # never reads
    first = {
        "from": {"type": "whatsapp", "number": APP},
        "to": {"type": "whatsapp", "number": "447700900000"},
        "message": {"content": {"type": "text", "text": "Important"}},
        "failover": {"expiry_time": 600, "condition_status": "read"},
    }
    assert dispatch(sb, [first, sms_item()]).status_code == 202
    sb.advance(1)
    assert sb.control("GET", "/messages?channel=whatsapp")["messages"][0]["status"] == "delivered"
    sb.advance(598)
    assert sb.control("GET", "/messages?channel=sms")["total"] == 0
    sb.advance(1)  # expiry_time passes without a read
    assert sb.control("GET", "/messages?channel=sms")["total"] == 1


def test_an_otp_persona_echoes_the_code_into_the_apps_inbound_webhook() -> None:
    with receiver() as rec, live_sandbox(inbound_url=rec.at("/inbound")) as sb:
        sb.control(
            "PUT",
            f"/handsets/{ADA}",
            {"deliver_after": 1, "persona": [{"match": r"\d{6}", "reply": "{code}", "after": 4}]},
        )
        sb.sent(sms(to=ADA, text="Your code is 493817. It expires in 5 minutes."))
        sb.advance(4)
        assert rec.bodies("/inbound") == []  # delivered at 1 s, answers 4 s later
        sb.advance(1)
        (inbound,) = rec.bodies("/inbound")
        assert (inbound["from"], inbound["to"], inbound["text"]) == (ADA, APP, "493817")


def test_a_keyword_persona_reads_then_answers_only_what_matches(sb: Live) -> None:
    sb.control(
        "PUT",
        f"/handsets/{ADA}",
        {
            "deliver_after": 0,
            "persona": [{"match": "^confirm", "reply": "YES", "read": True, "after": 3}],
        },
    )
    ignored = sb.sent(wa(ADA, text="Hello"))["message_uuid"]
    asked = sb.sent(wa(ADA, text="Confirm your booking?"))["message_uuid"]
    sb.advance(3)
    assert sb.message(ignored)["status"] == "delivered"
    assert [s for s, _ in history(sb, asked)] == ["submitted", "delivered", "read"]
    replies = sb.control("GET", f"/messages?direction=inbound&from={ADA}")["messages"]
    assert [m["text"] for m in replies] == ["YES"]


def test_a_persona_taps_the_named_suggestion(sb: Live) -> None:
    sb.control(
        "PUT",
        f"/handsets/{ADA}",
        {"deliver_after": 0, "persona": [{"tap": "Later", "after": 1}]},
    )
    chips = [
        {"type": "reply", "text": "Now", "postback_data": "now"},
        {"type": "reply", "text": "Later", "postback_data": "later"},
    ]
    sb.sent({**sms(channel="rcs", to=ADA, **{"from": "SandboxAgent"}), "suggestions": chips})
    sb.advance(1)
    (tap,) = sb.control("GET", f"/messages?direction=inbound&from={ADA}")["messages"]
    assert tap["message_type"] == "reply"
    assert tap["reply"]["id"] == "later"


def test_the_whatsapp_window_rejects_freeform_to_a_new_user_and_passes_templates() -> None:
    with live_sandbox(whatsapp_window=True) as sb:
        freeform = sb.sent(wa(ADA, text="Hi!"))["message_uuid"]
        template = wa(
            ADA,
            message_type="template",
            template={"name": "ns:welcome", "parameters": []},
            whatsapp={"locale": "en_GB", "policy": "deterministic"},
        )
        template_uuid = sb.sent(template)["message_uuid"]
        got = sb.message(freeform)
        assert got["status"] == "rejected" and got["error"]["code"] == 1340
        cause = history(sb, freeform)[-1][1]
        assert cause is not None and "has never written" in cause and "whatsapp_window" in cause
        assert sb.message(template_uuid)["status"] == "submitted"
        # The user writes: freeform goes for 24 hours, then is refused again.
        sb.control("POST", "/inbound", {"channel": "whatsapp", "from": ADA, "to": APP, "text": "?"})
        assert sb.message(sb.sent(wa(ADA))["message_uuid"])["status"] == "submitted"
        sb.advance(24 * 3600 + 1)
        late = sb.sent(wa(ADA))["message_uuid"]
        assert sb.message(late)["status"] == "rejected"
        assert "last wrote 24.0 h ago" in str(history(sb, late)[-1][1])
        # Switched off at run time, as a documented setting.
        sb.control("PUT", "/config", {"whatsapp_window": False})
        assert sb.message(sb.sent(wa(ADA))["message_uuid"])["status"] == "submitted"


def test_the_messenger_window_passes_message_tags_only() -> None:
    with live_sandbox(messenger_window=True) as sb:
        base = sms(channel="messenger", to="psid-1", **{"from": "page-1"})
        plain = sb.sent(base)["message_uuid"]
        tagged = sb.sent(
            {**base, "messenger": {"category": "message_tag", "tag": "ACCOUNT_UPDATE"}}
        )["message_uuid"]
        assert sb.message(plain)["error"]["code"] == 1340
        assert sb.message(tagged)["status"] == "submitted"


def test_ucs2_is_reported_with_its_parts_and_the_character_that_caused_it(sb: Live) -> None:
    text = "Your parcel arrives tomorrow between 9 and 12, we will text you before 🚚"
    uuid = sb.sent(sms(text=text))["message_uuid"]
    plain = sb.sent(sms(text="x" * 161))["message_uuid"]
    details = sb.message(uuid)["details"]
    assert details == {
        "encoding": "UCS-2",
        "parts": 2,  # 72 UTF-16 units: over the 70 of one UCS-2 part
        "characters": len(text),
        "ucs2_because": ["🚚"],
    }
    assert sb.message(plain)["details"]["parts"] == 2  # GSM-7: 161 > 160
    statuses = {w["message_uuid"]: json.loads(w["body"]) for w in sb.webhooks(kind="status")}
    assert statuses[uuid]["sms"]["count_total"] == "2"
    assert statuses[uuid]["usage"]["price"] == "0.0666"  # charged per part


def test_a_ttl_expiry_fires_at_exactly_the_ttl(sb: Live) -> None:
    offline = sb.sent(sms(to="447700900810", ttl=600))["message_uuid"]  # switched off a day
    ordinary = sb.sent(sms(ttl=900))["message_uuid"]
    sb.advance(599.999)
    assert sb.message(offline)["status"] == "submitted"
    sb.advance(0.001)
    got = sb.message(offline)
    assert got["status"] == "undeliverable" and got["error"]["code"] == 1360
    assert "ttl of 600 s" in str(history(sb, offline)[-1][1])
    sb.advance(300)
    assert sb.message(ordinary)["error"]["code"] == 1360
    # With the rule off, nothing expires.
    sb.control("PUT", "/config", {"ttl_expiry": False})
    kept = sb.sent(sms(ttl=60))["message_uuid"]
    sb.advance(61)
    assert sb.message(kept)["status"] == "submitted"


def test_pending_handset_moves_are_listed_with_their_cause(sb: Live) -> None:
    sb.sent(sms(to="447700900806"))  # slow DLR: delivered after an hour
    timers = sb.control("GET", "/clock")["timers"]
    (slow,) = [t for t in timers if t["kind"] == "handset"]
    assert "447700900806 (magic number) delivers after 3600 s" in slow["description"]


@pytest.mark.parametrize(
    ("bad", "name"),
    [
        ({"channels": {"whatsap": False}}, "channels.whatsap"),
        ({"deliver_after": -1}, "profile.deliver_after"),
        ({"channels": {"sms": {"fail": "lost"}}}, "channels.sms.fail"),
        ({"persona": [{"match": "(", "reply": "x"}]}, "persona[0].match"),
        ({"persona": [{"after": 2}]}, "persona[0]"),
        ({"read_afer": 2}, "read_afer"),
        ({"offline_until": "tomorrow"}, "offline_until"),
    ],
)
def test_a_bad_profile_is_refused_naming_the_field(sb: Live, bad: Any, name: str) -> None:
    r = sb.http.put(f"/_sandbox/handsets/{ADA}", json=bad)
    assert r.status_code == 422, r.text
    assert name in [p["name"] for p in r.json()["invalid_parameters"]]


def test_profiles_are_listed_replaced_and_removed(sb: Live) -> None:
    assert sb.control("GET", "/handsets")["handsets"] == []
    sb.control("PUT", f"/handsets/{ADA}", {"label": "Ada", "channels": {"viber_service": False}})
    (ada,) = sb.control("GET", "/handsets")["handsets"]
    assert ada["label"] == "Ada" and ada["channels"]["viber_service"]["has"] is False
    assert ada["source"] == "api"
    sb.control("DELETE", f"/handsets/{ADA}")
    assert sb.http.get(f"/_sandbox/handsets/{ADA}").status_code == 404
    # A magic number can be given a profile of its own, and comes back when it is removed.
    sb.control("PUT", "/handsets/447700900803", {"deliver_after": 1})
    assert sb.control("GET", "/handsets/447700900803")["source"] == "api"
    assert sb.control("DELETE", "/handsets/447700900803")["now"]["source"] == "magic"


def inbound_from(sb: Live, address: str) -> list[dict[str, Any]]:
    return list(sb.control("GET", f"/messages?direction=inbound&from={address}")["messages"])


def test_a_persona_stops_answering_an_app_that_answers_everything(sb: Live) -> None:
    sb.control("PUT", f"/handsets/{ADA}", {"deliver_after": 0, "persona": [{"reply": "Thanks!"}]})
    last = ""
    for _ in range(6):  # the app acknowledges every reply, at once
        last = sb.sent(sms(to=ADA, text="Thank you for your message"))["message_uuid"]
    assert len(inbound_from(sb, ADA)) == 5  # then the persona stops, and says why
    assert "stopped answering" in sb.message(last)["extra"]["persona"]
    sb.advance(61)
    sb.sent(sms(to=ADA, text="A new day"))
    assert len(inbound_from(sb, ADA)) == 6


def test_a_persona_answers_once_whoever_delivers(sb: Live) -> None:
    profile = {"deliver_after": 10, "receipts": False, "persona": [{"reply": "hi back"}]}
    sb.control("PUT", f"/handsets/{ADA}", profile)
    uuid = sb.sent(sms(to=ADA))["message_uuid"]
    sb.mark(uuid, "delivered")
    sb.advance(30)
    assert [m["text"] for m in inbound_from(sb, ADA)] == ["hi back"]


def test_a_tap_from_a_handset_without_receipts_reports_no_read(sb: Live) -> None:
    profile = {"deliver_after": 1, "receipts": False, "persona": [{"tap": "first"}]}
    sb.control("PUT", f"/handsets/{ADA}", profile)
    chips = [{"type": "reply", "text": "Yes", "postback_data": "yes"}]
    body = {**sms(channel="rcs", to=ADA, **{"from": "SandboxAgent"}), "suggestions": chips}
    uuid = sb.sent(body)["message_uuid"]
    sb.advance(1)
    assert [m["message_type"] for m in inbound_from(sb, ADA)] == ["reply"]
    assert [c["status"] for c in sb.message(uuid)["history"]] == ["submitted"]


def test_an_otp_template_is_answered_with_its_code(sb: Live) -> None:
    template = wa(
        "447700900809",
        message_type="template",
        template={"name": "auth:otp", "parameters": ["402911"]},
        whatsapp={"locale": "en_GB"},
    )
    sb.sent(template)
    sb.advance(6)
    assert [m["text"] for m in inbound_from(sb, "447700900809")] == ["402911"]


def test_email_profiles_match_whatever_the_case(sb: Live) -> None:
    sb.control("PUT", "/handsets/Ada@Example.com", {"persona": [{"reply": "got it"}]})
    body = sms(channel="email", to="ada@example.COM", **{"from": "Shop <shop@example.com>"})
    uuid = sb.sent({**body, "email": {"subject": "Hi"}})["message_uuid"]
    sb.mark(uuid, "delivered")
    (reply,) = sb.control("GET", "/messages?direction=inbound&channel=email")["messages"]
    assert (reply["from"], reply["to"], reply["text"]) == (
        "ada@example.COM",
        "shop@example.com",
        "got it",
    )
    assert sb.control("GET", "/handsets/ADA@example.com")["address"] == "Ada@Example.com"


def test_a_rejected_message_gives_its_charge_back(sb: Live) -> None:
    sb.control("PUT", "/accounts/abcd1234", {"balance": "1"})
    for _ in range(3):
        sb.sent(sms(to="447700900803"))  # rejected by its handset
    sb.sent(sms(to=ADA))
    balance = {a["api_key"]: a["balance"] for a in sb.control("GET", "/accounts")["accounts"]}
    assert balance["abcd1234"] == "0.9667"


@pytest.mark.parametrize("when", [1e20, 253402300800, 10**400, "9999-99-99T00:00:00Z"])
def test_an_offline_time_out_of_range_is_refused(sb: Live, when: Any) -> None:
    r = sb.http.put(
        f"/_sandbox/handsets/{ADA}",
        content=json.dumps({"offline_until": when}),
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 422, r.text
    assert sb.http.get(f"/_sandbox/handsets/{ADA}").status_code == 404
    assert sb.http.get("/_sandbox/handsets").status_code == 200


# A trailing newline, and Arabic-Indic digits (which Python's \d matches).
@pytest.mark.parametrize(
    "to", ["447700900123\n", "44\u0667\u0667\u0660\u0660\u0669\u0660\u0660\u0661\u0662\u0663"]
)
def test_a_number_is_ascii_digits_only(sb: Live, to: str) -> None:
    assert sb.send(sms(to=to)).status_code == 422
