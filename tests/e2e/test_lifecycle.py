"""A message's life through the control API, against a real uvicorn server on a free port."""

from __future__ import annotations

from sandbox.core.clock import parse_iso
from tests.harness import live_sandbox
from tests.helpers import sms


def test_submitted_delivered_read_and_illegal_transitions() -> None:
    with live_sandbox() as sb:
        uuid = sb.send(sms(channel="whatsapp")).json()["message_uuid"]
        assert sb.control("GET", f"/messages/{uuid}")["status"] == "submitted"
        sb.mark(uuid, "delivered")
        detail = sb.mark(uuid, "read")
        assert [h["status"] for h in detail["history"]] == ["submitted", "delivered", "read"]
        # Backwards, repeated, or after the end: refused, and the message is unchanged.
        for status in ("delivered", "read", "rejected", "undeliverable"):
            r = sb.http.post(f"/_sandbox/messages/{uuid}/status", json={"status": status})
            assert r.status_code == 409, (status, r.text)
            assert r.json()["type"].endswith("#illegal-transition")
        assert sb.control("GET", f"/messages/{uuid}")["history"] == detail["history"]


def test_read_is_refused_where_the_channel_has_none() -> None:
    with live_sandbox() as sb:
        for channel in ("sms", "mms"):
            uuid = sb.send(sms(channel=channel)).json()["message_uuid"]
            sb.mark(uuid, "delivered")
            r = sb.http.post(f"/_sandbox/messages/{uuid}/status", json={"status": "read"})
            assert r.status_code == 409
            assert "read receipts" in r.json()["detail"]
            assert sb.control("GET", f"/messages/{uuid}")["status"] == "delivered"


def test_nothing_follows_rejected_and_error_codes_are_checked() -> None:
    with live_sandbox() as sb:
        uuid = sb.send(sms()).json()["message_uuid"]
        r = sb.http.post(
            f"/_sandbox/messages/{uuid}/status", json={"status": "rejected", "error_code": 4242}
        )
        assert r.status_code == 422
        assert sb.control("GET", f"/messages/{uuid}")["status"] == "submitted"
        detail = sb.mark(uuid, "rejected", error_code=1240)
        assert detail["error"] == {"code": 1240, "reason": "Illegal number"}
        r = sb.http.post(f"/_sandbox/messages/{uuid}/status", json={"status": "delivered"})
        assert r.status_code == 409


def test_read_straight_from_submitted_reports_delivery_first() -> None:
    with live_sandbox() as sb:
        uuid = sb.send(sms(channel="messenger", to="123", **{"from": "456"})).json()["message_uuid"]
        detail = sb.mark(uuid, "read")
        assert [h["status"] for h in detail["history"]] == ["submitted", "delivered", "read"]


def test_auto_deliver_fires_at_exactly_the_configured_virtual_time() -> None:
    with live_sandbox(auto_deliver=30, auto_read=12.5) as sb:
        uuid = sb.send(sms(channel="viber_service", **{"from": "16273"})).json()["message_uuid"]
        sent = parse_iso(sb.control("GET", f"/messages/{uuid}")["timestamp"])
        clock = sb.control("GET", "/clock")
        assert [t["kind"] for t in clock["timers"]] == ["auto-deliver"]
        assert clock["timers"][0]["due_ts"] == sent + 30
        sb.advance(29.999)
        assert sb.control("GET", f"/messages/{uuid}")["status"] == "submitted"
        sb.advance(0.001)
        detail = sb.control("GET", f"/messages/{uuid}")
        assert detail["status"] == "delivered"
        assert parse_iso(detail["history"][1]["timestamp"]) == sent + 30
        assert detail["history"][1]["by"] == "auto"
        sb.advance(12.5)
        detail = sb.control("GET", f"/messages/{uuid}")
        assert detail["status"] == "read"
        assert parse_iso(detail["history"][2]["timestamp"]) == sent + 42.5


def test_manual_clock_stands_still_and_moves_by_exactly_what_is_asked() -> None:
    with live_sandbox() as sb:
        before = sb.control("GET", "/clock")
        again = sb.control("GET", "/clock")
        assert before["now_ts"] == again["now_ts"]
        moved = sb.advance(90)
        assert moved["now_ts"] == before["now_ts"] + 90
        assert moved["moved"]["seconds"] == 90


def test_advance_to_next_and_until_idle() -> None:
    with live_sandbox(auto_deliver=10, auto_read=20) as sb:
        a = sb.send(sms(channel="whatsapp")).json()["message_uuid"]
        start = sb.control("GET", "/clock")["now_ts"]
        nxt = sb.control("POST", "/clock/advance", {"to": "next"})
        assert nxt["now_ts"] == start + 10 and nxt["moved"]["fired"] == 1
        assert sb.control("GET", f"/messages/{a}")["status"] == "delivered"
        idle = sb.control("POST", "/clock/advance", {"to": "idle"})
        assert idle["now_ts"] == start + 30 and idle["pending"] == 0
        assert sb.control("GET", f"/messages/{a}")["status"] == "read"


def test_marking_beats_the_auto_timer() -> None:
    with live_sandbox(auto_deliver=10) as sb:
        uuid = sb.send(sms()).json()["message_uuid"]
        sb.mark(uuid, "rejected")
        sb.advance(60)
        detail = sb.control("GET", f"/messages/{uuid}")
        assert [h["status"] for h in detail["history"]] == ["submitted", "rejected"]


def test_live_clock_follows_the_wall_clock_and_jumps_on_advance() -> None:
    with live_sandbox() as sb:
        sb.control("PUT", "/clock", {"mode": "live"})
        first = sb.control("GET", "/clock")["now_ts"]
        moved = sb.advance(3600)
        assert moved["mode"] == "live"
        assert moved["now_ts"] >= first + 3600


def test_control_calls_need_json() -> None:
    with live_sandbox() as sb:
        uuid = sb.send(sms()).json()["message_uuid"]
        r = sb.http.post(f"/_sandbox/messages/{uuid}/status", data={"status": "delivered"})
        assert r.status_code == 415
        r = sb.http.post(
            "/_sandbox/reset",
            content=b"",
            headers={"Origin": "https://evil.example", "Content-Type": "text/plain"},
        )
        assert r.status_code == 415
        assert sb.control("GET", f"/messages/{uuid}")["status"] == "submitted"


def test_reset_forgets_everything_or_one_application() -> None:
    from tests.helpers import bearer

    with live_sandbox(auto_deliver=5) as sb:
        sb.send(sms())
        keep = sb.send(sms(), auth=bearer("keep")).json()["message_uuid"]
        sb.send(sms(), auth=bearer("drop"))
        sb.control("POST", "/reset", {"application_id": "drop"})
        left = sb.control("GET", "/messages")["messages"]
        assert {m["application_id"] for m in left} == {None, "keep"}
        assert sb.control("GET", "/clock")["pending"] == 2
        sb.control("POST", "/reset")
        assert sb.control("GET", "/messages")["total"] == 0
        assert sb.control("GET", "/clock")["pending"] == 0
        assert sb.http.get(f"/_sandbox/messages/{keep}").status_code == 404


def test_live_clock_fires_timers_as_the_wall_clock_reaches_them() -> None:
    with live_sandbox(auto_deliver=0.2) as sb:
        sb.control("PUT", "/clock", {"mode": "live"})
        uuid = sb.send(sms()).json()["message_uuid"]
        # Nobody advances the clock: the live ticker must deliver it on its own. The long poll
        # wakes on the status event (a 10 s timeout only guards against a hang).
        r = sb.http.get("/_sandbox/wait", params={"status": "delivered", "count": 1, "timeout": 10})
        assert r.status_code == 200 and r.json()["matched"] is True
        detail = sb.control("GET", f"/messages/{uuid}")
        assert [h["by"] for h in detail["history"]] == ["api", "auto"]
        assert sb.control("GET", "/clock")["pending"] == 0
