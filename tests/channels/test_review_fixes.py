"""What a review of the RCS and email work found, each pinned: odd values answered 4xx, never
500; nesting refused up front; a revoked failover item; taps on undelivered messages and on
chips that share postback data; replies to a display-name email sender; SMS encoding."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fake_channels.sms import segment_count
from tests.channels.test_rcs import USER, open_url, rcs, reply, revoke, tap
from tests.harness import Live, live_sandbox, names, problem
from tests.helpers import BASIC, bearer
from tests.receiver import receiver


@pytest.mark.parametrize("kind", [[], {}, 7, None])
def test_a_suggestion_type_of_the_wrong_kind_is_a_422(sb: Live, kind: Any) -> None:
    body = rcs(suggestions=[{"type": kind, "text": "a", "postback_data": "p"}])
    assert "suggestions[0].type" in names(problem(sb, body))


@pytest.mark.parametrize(
    "path", ["/_sandbox/messages", "/_sandbox/webhooks", "/_sandbox/conversations"]
)
def test_a_unicode_digit_in_a_query_is_a_422(sb: Live, path: str) -> None:
    r = sb.http.get(path, params={"limit": "²"})
    assert r.status_code == 422 and names(r.json()) == ["limit"]
    assert sb.http.get("/webhooks", params={"offset": "²"}).status_code == 200  # pages: default


def test_a_unicode_digit_in_a_numeric_string_is_refused(sb: Live) -> None:
    dispatch = {
        "template": "failover",
        "workflow": [
            {"to": {"type": "sms", "number": USER}, "from": {"type": "sms", "number": USER},
             "message": {"content": {"type": "text", "text": "a"}},
             "failover": {"expiry_time": "²", "condition_status": "delivered"}},
            {"to": {"type": "sms", "number": USER}, "from": {"type": "sms", "number": USER},
             "message": {"content": {"type": "text", "text": "b"}}},
        ],
    }  # fmt: skip
    r = sb.send(dispatch, path="/v0.1/dispatch")
    assert r.status_code == 400
    assert names(r.json()) == ["workflow[0].failover.expiry_time"]


def test_nesting_deeper_than_the_store_keeps_is_refused_up_front(sb: Live) -> None:
    def nested(depth: int) -> Any:
        value: Any = 1
        for _ in range(depth):
            value = [value]
        return value

    ok = rcs(message_type="custom", custom={"x": nested(60)})
    del ok["text"]
    assert sb.send(ok).status_code == 202
    deep = {**ok, "custom": {"x": nested(100)}}
    r = sb.http.post(
        "/v1/messages",
        content=json.dumps(deep).encode(),
        headers={"Authorization": BASIC, "Content-Type": "application/json"},
    )
    assert r.status_code == 422 and "64 levels" in r.json()["detail"]


def test_revoking_the_live_failover_item_ends_the_workflow() -> None:
    with live_sandbox() as sb:
        body = rcs(failover=[{"channel": "sms", "message_type": "text", "to": USER,
                              "from": "447700900001", "text": "via SMS"}])  # fmt: skip
        sent = sb.sent(body)
        assert revoke(sb, sent["message_uuid"]).status_code == 202
        wf = sb.control("GET", f"/workflows/{sent['workflow_id']}")
        assert wf["status"] == "failed"
        assert wf["steps"][0]["status"] == "revoked" and "revoked" in wf["steps"][0]["outcome"]
        assert sb.control("GET", "/messages?channel=sms")["total"] == 0  # no fallback sent


def test_a_tap_first_reports_the_message_delivered_and_read() -> None:
    with (
        receiver() as rec,
        live_sandbox(status_url=rec.at("/status"), inbound_url=rec.at("/inbound")) as sb,
    ):
        uuid = sb.sent(rcs(suggestions=[reply()]))["message_uuid"]
        assert tap(sb, uuid, {"suggestion": 0}).status_code == 201
        assert sb.message(uuid)["status"] == "read"
        statuses = [b["status"] for b in rec.bodies("/status") if b["message_uuid"] == uuid]
        assert statuses == ["submitted", "delivered", "read"]
        # The reply: its own message, so its webhook is not ordered after the receipts'.
        assert [b["message_type"] for b in rec.bodies("/inbound")] == ["reply"]
        r = revoke(sb, uuid)  # the user has it: too late to take back
        assert r.status_code == 202
        assert sb.message(uuid)["extra"]["revocation"]["outcome"].startswith("too late")


def test_chips_that_share_postback_data_are_tapped_by_position() -> None:
    with receiver() as rec, live_sandbox(inbound_url=rec.at("/inbound")) as sb:
        chips = [reply("Yes", "p"), {**open_url("Open site", "p"), "url": "https://example.com"}]
        uuid = sb.sent(rcs(suggestions=chips))["message_uuid"]
        assert tap(sb, uuid, {"suggestion": 1}).status_code == 201
        assert rec.bodies("/inbound")[-1]["button"] == {"payload": "p", "text": "Open site"}


def test_a_reply_to_a_display_name_sender_finds_its_application() -> None:
    with receiver() as rec, live_sandbox() as sb:
        app = "7a5a5d8e-1c0c-4b5b-9c61-0f7e6b5e2a11"
        sb.control("PUT", f"/applications/{app}", {"inbound_url": rec.at("/app-inbound")})
        r = sb.http.post(
            "/v1/messages",
            json={"channel": "email", "message_type": "text", "to": "ann@example.net",
                  "from": "Shop <Orders@Shop.example>", "text": "hi",
                  "email": {"subject": "Order"}},
            headers={"Authorization": bearer(app)},
        )  # fmt: skip
        assert r.status_code == 202, r.text
        # The user answers the bare address; with `to` left out, the app's bare address.
        for to in ("orders@shop.example", None):
            body: dict[str, Any] = {"channel": "email", "from": "ann@example.net", "text": "ok"}
            if to is not None:
                body["to"] = to
            inbound = sb.control("POST", "/inbound", body)
            assert inbound["application_id"] == app and inbound["to"] == "orders@shop.example"
        assert len(rec.bodies("/app-inbound")) == 2


@pytest.mark.parametrize(("lat", "long"), [("abc", "0"), ("", "0"), (999, 0), (0, -181), (True, 0)])
def test_view_location_coordinates_are_numbers_in_range(sb: Live, lat: Any, long: Any) -> None:
    chip = {"type": "view_location", "text": "Shop", "postback_data": "map",
            "latitude": lat, "longitude": long, "pin_label": "Shop"}  # fmt: skip
    bad = names(problem(sb, rcs(suggestions=[chip])))
    assert bad and all(n.startswith("suggestions[0].l") for n in bad)


def test_view_location_takes_numbers_or_numeric_strings(sb: Live) -> None:
    chip = {"type": "view_location", "text": "Shop", "postback_data": "map",
            "latitude": "51.5", "longitude": -0.12, "pin_label": "Shop"}  # fmt: skip
    assert sb.send(rcs(suggestions=[chip])).status_code == 202


def test_an_email_subject_holds_no_line_break(sb: Live) -> None:
    body = {"channel": "email", "message_type": "text", "to": "ann@example.net",
            "from": "shop@example.com", "text": "x",
            "email": {"subject": "a\r\nBcc: evil@example.com"}}  # fmt: skip
    data = problem(sb, body)
    assert data["type"].endswith("#1110") and names(data) == ["email.subject"]


def test_the_replying_indicator_takes_only_its_fields(sb: Live) -> None:
    inbound = sb.control(
        "POST", "/inbound", {"channel": "whatsapp", "from": USER, "to": "447700900001", "text": "x"}
    )
    r = sb.http.patch(
        f"/v1/messages/{inbound['message_uuid']}",
        json={"status": "read", "replying_indicator": {"show": True, "colour": "red"}},
        headers={"Authorization": bearer()},
    )
    assert r.status_code == 422 and names(r.json()) == ["replying_indicator.colour"]


def test_sms_parts_follow_the_requested_encoding_and_count_form_feed_twice() -> None:
    assert segment_count("a" * 100) == 1 and segment_count("a" * 100, "unicode") == 2
    assert segment_count("a" * 79 + "\x0c") == 1  # 81 septets: form feed is an escape
    assert segment_count("a" * 159 + "\x0c") == 2


def test_times_recorded_in_extra_are_iso() -> None:
    with live_sandbox() as sb:
        uuid = sb.sent(rcs())["message_uuid"]
        revoke(sb, uuid)
        assert sb.message(uuid)["extra"]["revocation"]["at"].endswith("Z")
