"""Chaos rules on webhooks (webhooks/faults.py) into a real receiver: duplicates, drops,
delays, reordering and a receiver down for N virtual minutes, each recorded with its rule in the
ledger and the message; Vonage's retries made visible; one seed, one run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import jwt

from tests.harness import Live, live_sandbox
from tests.receiver import Receiver, receiver

SMS = {"channel": "sms", "message_type": "text", "to": "447700900001", "from": "447700900000"}


def rule(sb: Live, **body: Any) -> dict[str, Any]:
    r = sb.http.post("/_sandbox/chaos/rules", json=body)
    assert r.status_code == 201, r.text
    out: dict[str, Any] = r.json()
    return out


def arrived(rec: Receiver) -> list[tuple[str, str]]:
    return [(b["message_uuid"], b["status"]) for b in rec.bodies("/status")]


def test_duplicate_sends_the_same_bytes_twice_freshly_signed() -> None:
    with receiver() as rec, live_sandbox(status_url="http://placeholder") as sb:
        sb.control("PUT", "/config", {"status_url": rec.at("/status")})
        made = rule(sb, effect="duplicate", events=["submitted"])
        uuid = sb.text("447700900001", "hi")
        sb.control("POST", "/settle")
        got = [r for r in rec.received if r.path == "/status"]
        assert [r.json["status"] for r in got] == ["submitted", "submitted"]
        assert got[0].body == got[1].body
        jtis = {jwt.decode(r.token, options={"verify_signature": False})["jti"] for r in got}
        assert len(jtis) == 2
        deliveries = sb.webhooks(message_uuid=uuid)
        assert [d["state"] for d in deliveries] == ["delivered", "delivered"]
        assert (
            made["id"] in deliveries[1]["chaos"] and deliveries[0]["id"] in deliveries[1]["chaos"]
        )
        assert "duplicated as" in deliveries[0]["chaos"]
        summary = sb.control("POST", "/settle", {"summary": True})["webhooks"]
        assert summary["troubled"] == 0
        sb.mark(uuid, "delivered")
        assert arrived(rec)[-1] == (uuid, "delivered")
        assert len(rec.bodies("/status")) == 3  # `events` kept the rule to submitted


def test_drop_keeps_the_record_sends_nothing_and_is_no_trouble() -> None:
    with receiver() as rec, live_sandbox(status_url="http://placeholder") as sb:
        sb.control("PUT", "/config", {"status_url": rec.at("/status")})
        made = rule(sb, effect="drop", events=["delivered"])
        uuid = sb.text("447700900001", "hi")
        sb.mark(uuid, "delivered")
        sb.control("POST", "/settle")
        assert arrived(rec) == [(uuid, "submitted")]
        dropped = sb.webhooks(message_uuid=uuid)[-1]
        assert dropped["state"] == "dropped" and dropped["event"] == "delivered"
        assert made["id"] in dropped["chaos"] and dropped["attempts"] == []
        summary = sb.control("POST", "/settle", {"summary": True})["webhooks"]
        assert summary == {"total": 2, "troubled": 0, "no_url": 0}
        notes = sb.message(uuid)["extra"]["chaos"]
        assert notes[0]["effect"] == "drop" and notes[0]["delivery"] == dropped["id"]


def test_a_delayed_submitted_arrives_after_delivered() -> None:
    with receiver() as rec, live_sandbox(status_url="http://placeholder") as sb:
        sb.control("PUT", "/config", {"status_url": rec.at("/status")})
        rule(sb, effect="delay", delay=3 * 3600, events=["submitted"])
        uuid = sb.text("447700900001", "hi")
        held = sb.webhooks(message_uuid=uuid)[0]
        assert held["state"] == "pending" and held["next_attempt_at"] is not None
        timers = sb.control("GET", "/clock")["timers"]
        assert [t["kind"] for t in timers] == ["webhook-delay"]
        sb.mark(uuid, "delivered")
        assert arrived(rec) == [(uuid, "delivered")]
        sb.advance(3 * 3600)
        assert arrived(rec) == [(uuid, "delivered"), (uuid, "submitted")]


def test_reorder_holds_a_status_until_the_next_one_has_gone() -> None:
    with receiver() as rec, live_sandbox(status_url="http://placeholder") as sb:
        sb.control("PUT", "/config", {"status_url": rec.at("/status")})
        rule(sb, effect="reorder", events=["submitted"], hold=120)
        first = sb.text("447700900001", "one")
        second = sb.text("447700900002", "two")
        sb.mark(first, "delivered")
        assert arrived(rec) == [(first, "delivered"), (first, "submitted")]
        sb.advance(120)  # nothing came after the second's submitted: it goes when `hold` ends
        assert arrived(rec)[-1] == (second, "submitted")


def test_receiver_down_fails_attempts_retries_them_and_says_why() -> None:
    with receiver() as rec, live_sandbox(status_url="http://placeholder") as sb:
        sb.control("PUT", "/config", {"status_url": rec.at("/status")})
        made = rule(sb, effect="receiver_down", minutes=1)
        uuid = sb.text("447700900001", "hi")
        sb.control("POST", "/settle")
        d = sb.webhooks(message_uuid=uuid)[0]
        assert rec.received == []
        assert d["state"] == "retrying"
        assert d["attempts"][0]["error"].startswith("chaos " + made["id"])
        assert "receiver down until" in d["attempts"][0]["error"]
        assert d["retry"].startswith("attempt 1 failed (chaos") and "next attempt at" in d["retry"]
        sb.advance(5 + 10 + 20)  # retries at 5, 10, 20 s: all while it is down
        assert len(sb.webhooks(message_uuid=uuid)[0]["attempts"]) == 4
        sb.advance(40)  # the retry at +75 s finds it back
        d = sb.webhooks(message_uuid=uuid)[0]
        assert d["state"] == "delivered" and len(d["attempts"]) == 5
        assert arrived(rec) == [(uuid, "submitted")]
        summary = sb.control("POST", "/settle", {"summary": True})["webhooks"]
        assert summary["troubled"] == 0  # the rule's doing, not the receiver's


def test_hosted_sandbox_retries_a_4xx_that_production_gives_up_on() -> None:
    with receiver() as rec, live_sandbox(status_url="http://placeholder") as sb:
        rec.answer = lambda r: 400
        sb.control("PUT", "/config", {"status_url": rec.at("/status")})
        uuid = sb.text("447700900001", "hi")
        sb.control("POST", "/settle")
        assert sb.webhooks(message_uuid=uuid)[0]["state"] == "failed"
        sb.control("PUT", "/config", {"preset": "hosted-sandbox"})
        uuid = sb.text("447700900001", "hi")
        sb.control("POST", "/settle")
        d = sb.webhooks(message_uuid=uuid)[0]
        assert d["state"] == "retrying" and "answered HTTP 400" in d["retry"]


def seconds(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def run(seed: int) -> dict[str, Any]:
    """A run with every kind of fault at probability 0.5: what happened, in send order."""
    with receiver() as rec, live_sandbox(status_url="http://placeholder", chaos_seed=seed) as sb:
        sb.control("PUT", "/config", {"status_url": rec.at("/status"), "auto_deliver": 10})
        for effect, extra in (
            ("reject", {"error_code": 1300, "after": 5}),
            ("duplicate", {}),
            ("reorder", {"hold": 30}),
            ("delay", {"delay": {"exponential": 60}}),
            ("drop", {}),
        ):
            rule(sb, effect=effect, probability=0.5, **extra)
        uuids = [sb.text(f"4477009000{i:02d}", f"m{i}") for i in range(12)]
        sb.control("POST", "/clock/advance", {"to": "idle"})
        index = {u: i for i, u in enumerate(uuids)}
        messages = [sb.message(u) for u in uuids]
        start = seconds(messages[0]["timestamp"])  # the virtual clock starts at the real time
        ledger = [
            (index[d["message_uuid"]], d["event"], d["state"], d["chaos"] is not None)
            for d in sb.webhooks(limit=1000)
        ]
        return {
            "outcomes": [(m["status"], m.get("error", {}).get("code")) for m in messages],
            "history": [
                [(c["status"], seconds(c["timestamp"]) - start, c["by"]) for c in m["history"]]
                for m in messages
            ],
            "ledger": ledger,
            # Each message's webhooks in the order they arrived (different messages' go out
            # side by side, on several connections, as Vonage's do).
            "arrivals": [[s for u, s in arrived(rec) if u == uuid] for uuid in uuids],
            "effects": [(e["rule"], e["effect"]) for e in sb.control("GET", "/chaos")["effects"]],
        }


def test_one_seed_gives_the_same_outcomes_history_and_webhook_order() -> None:
    first, again, other = run(3), run(3), run(4)
    assert first == again
    assert first != other
    kinds = {e for _, e in first["effects"]}
    assert {"reject", "duplicate", "drop"} <= kinds, kinds  # the run did exercise the faults
