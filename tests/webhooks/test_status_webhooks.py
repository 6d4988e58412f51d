"""Status webhooks end to end: a real sandbox server, a real receiver, real signatures."""

from __future__ import annotations

import hashlib
import warnings

import jwt
import pytest
from vonage_jwt import verify_signature

from tests.harness import live_sandbox
from tests.helpers import N1, N2, bearer, sms
from tests.receiver import receiver

SECRET = "a-webhook-signature-secret-of-more-than-32-bytes"


def test_whatsapp_delivered_then_read_in_order_signed_and_hashed() -> None:
    with (
        receiver() as rec,
        live_sandbox(status_url=rec.at("/status"), signature_secret=SECRET) as sb,
    ):
        uuid = sb.send(sms(channel="whatsapp", text="hi", client_ref="ref-1")).json()[
            "message_uuid"
        ]
        sb.control("POST", "/settle")
        sb.mark(uuid, "delivered")
        sb.mark(uuid, "read")
        # The mark calls answer only after their webhook was attempted: no waiting needed.
        got = [r for r in rec.received if r.path == "/status"]
        assert [r.json["status"] for r in got] == ["submitted", "delivered", "read"]
        for r in got:
            body = r.json
            assert body["message_uuid"] == uuid
            assert body["channel"] == "whatsapp"
            assert (body["to"], body["from"]) == (N1, N2)
            assert body["client_ref"] == "ref-1"
            assert body["timestamp"].endswith("Z") and "T" in body["timestamp"]
            assert r.headers["content-type"] == "application/json"
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # a short secret would warn
                assert verify_signature(r.token, SECRET) is True
            assert verify_signature(r.token, SECRET + "x") is False
            claims = jwt.decode(r.token, SECRET, algorithms=["HS256"])
            assert claims["payload_hash"] == hashlib.sha256(r.body).hexdigest()
            assert claims["iss"] == "Vonage"
            assert claims["api_key"] == "abcd1234"
            assert claims["jti"]
        delivered = got[1].json
        assert delivered["whatsapp"]["pricing"]["pricing_model"] == "PMP"
        assert delivered["usage"]["currency"] == "EUR"


def test_retries_follow_the_schedule_on_the_virtual_clock() -> None:
    with receiver() as rec, live_sandbox(status_url="http://placeholder") as sb:
        rt = sb.rt
        start = rt.clock.now()
        # 500 until ten virtual minutes have passed, then 200.
        rec.answer = lambda r: 200 if rt.clock.now() - start >= 600 else 500
        sb.control("PUT", "/config", {"status_url": rec.at("/status")})
        uuid = sb.send(sms()).json()["message_uuid"]
        sb.control("POST", "/settle")
        sb.mark(uuid, "delivered")
        assert len(rec.received) == 2  # one first attempt each, both failed
        sb.advance(3600)
        hooks = sb.webhooks(message_uuid=uuid)
        assert [h["event"] for h in hooks] == ["submitted", "delivered"]
        for hook in hooks:
            assert hook["state"] == "delivered"
            offsets = [round(rt_offset(a["at"], start)) for a in hook["attempts"]]
            assert offsets == [0, 5, 15, 35, 75, 155, 315, 635]
            assert [a["status_code"] for a in hook["attempts"]] == [500] * 7 + [200]
        # Every webhook reached the receiver exactly once with a 200.
        ok = [r.json["status"] for r in rec.received if r.answered == 200]
        assert sorted(ok) == ["delivered", "submitted"]
        assert len(rec.received) == 16


def rt_offset(at: str, start: float) -> float:
    from sandbox.core.clock import parse_iso

    return parse_iso(at) - start


def test_429_is_retried_but_other_4xx_are_not() -> None:
    with receiver() as rec, live_sandbox(status_url="http://placeholder") as sb:
        sb.control("PUT", "/config", {"status_url": rec.at("/s")})
        rec.answer = lambda r: 404
        a = sb.send(sms(text="a")).json()["message_uuid"]
        sb.control("POST", "/settle")
        rec.answer = lambda r: 429
        b = sb.send(sms(text="b")).json()["message_uuid"]
        sb.control("POST", "/settle")
        (ha,) = sb.webhooks(message_uuid=a)
        (hb,) = sb.webhooks(message_uuid=b)
        assert ha["state"] == "failed" and ha["next_attempt_at"] is None
        assert hb["state"] == "retrying" and hb["next_attempt_at"] is not None
        clock = sb.control("GET", "/clock")
        assert [t["kind"] for t in clock["timers"]] == ["webhook-retry"]


def test_timeouts_and_connection_errors_are_retried() -> None:
    with (
        receiver() as rec,
        live_sandbox(webhook_timeout=0.2, status_url="http://placeholder") as sb,
    ):
        rec.delay = 1.0
        sb.control("PUT", "/config", {"status_url": rec.at("/slow")})
        a = sb.send(sms()).json()["message_uuid"]
        sb.control("POST", "/settle")
        (ha,) = sb.webhooks(message_uuid=a)
        assert ha["state"] == "retrying"
        assert ha["attempts"][0]["error"].startswith("timeout")
        # A port nobody listens on: connection refused, retried too.
        sb.control("PUT", "/config", {"status_url": "http://127.0.0.1:9/closed"})
        b = sb.send(sms()).json()["message_uuid"]
        sb.control("POST", "/settle")
        (hb,) = sb.webhooks(message_uuid=b)
        assert hb["state"] == "retrying"
        assert hb["attempts"][0]["error"] and hb["attempts"][0]["status_code"] is None


def test_retries_give_up_after_24_hours() -> None:
    with receiver() as rec, live_sandbox(status_url="http://placeholder") as sb:
        rec.answer = lambda r: 503
        sb.control("PUT", "/config", {"status_url": rec.at("/down")})
        uuid = sb.send(sms()).json()["message_uuid"]
        sb.control("POST", "/settle")
        sb.control("POST", "/clock/advance", {"to": "idle"})
        (hook,) = sb.webhooks(message_uuid=uuid)
        assert hook["state"] == "failed"
        # 5..640 doubling (8 waits), then every 900 s until 24 h: 1 + 8 + 94 attempts.
        assert len(hook["attempts"]) == 1 + 8 + (86400 - 1275) // 900
        assert rt_offset(hook["attempts"][-1]["at"], sb.rt.clock.now()) <= 0
        assert sb.control("GET", "/clock")["pending"] == 0


def test_v01_format_per_message_url_and_routing() -> None:
    with receiver() as rec, live_sandbox(status_url=rec.at("/default")) as sb:
        sb.send(sms(webhook_version="v0.1", webhook_url=rec.at("/mine"), client_ref="c"))
        sb.send(sms(), auth=bearer("app-routed"))
        sb.control("PUT", "/applications/app-routed", {"status_url": rec.at("/app")})
        sb.send(sms(), auth=bearer("app-routed"))
        sb.send(sms())  # Basic: the account-level default
        sb.control("POST", "/settle")
        paths = [r.path for r in rec.received]
        assert paths.count("/mine") == 1
        assert paths.count("/app") == 1
        assert paths.count("/default") == 2
        (v01,) = rec.bodies("/mine")
        assert v01["to"] == {"type": "sms", "number": N1}
        assert v01["from"] == {"type": "sms", "number": N2}
        assert "channel" not in v01
        assert v01["timestamp"].endswith("Z") and len(v01["timestamp"]) == 24
        (app_hook,) = [r for r in rec.received if r.path == "/app"]
        claims = jwt.decode(app_hook.token, options={"verify_signature": False})
        assert claims["application_id"] == "app-routed"


def test_failure_statuses_carry_the_error_in_each_format() -> None:
    with receiver() as rec, live_sandbox(status_url=rec.at("/s")) as sb:
        a = sb.send(sms()).json()["message_uuid"]
        b = sb.send(sms(webhook_version="v0.1")).json()["message_uuid"]
        sb.mark(a, "rejected", error_code=1240)
        sb.mark(b, "undeliverable")
        v1 = next(x for x in rec.bodies() if x.get("status") == "rejected")
        assert v1["error"]["type"] == "https://developer.vonage.com/api-errors/messages#1240"
        assert v1["error"]["title"] == "1240"
        # The full text, as Vonage's status example has it; v0.1 keeps the short name.
        assert v1["error"]["detail"] == (
            "Illegal Number - You tried to send a message to a blacklisted phone number. That "
            "is, the user has already sent a STOP opt-out message and no longer wishes to "
            "receive messages from you."
        )
        assert "usage" not in v1
        v01 = next(x for x in rec.bodies() if x.get("status") == "undeliverable")
        assert v01["error"] == {"code": 1260, "reason": "Destination unreachable"}


def test_no_url_is_recorded_not_lost() -> None:
    with live_sandbox() as sb:
        uuid = sb.send(sms()).json()["message_uuid"]
        sb.mark(uuid, "delivered")
        hooks = sb.webhooks(message_uuid=uuid)
        assert [(h["event"], h["state"], h["attempts"]) for h in hooks] == [
            ("submitted", "no_url", []),
            ("delivered", "no_url", []),
        ]
        assert hooks[0]["payload"]["status"] == "submitted"
        detail = sb.control("GET", f"/messages/{uuid}")
        assert [h["id"] for h in detail["webhooks"]] == [h["id"] for h in hooks]


def test_resend_attempts_again_now() -> None:
    with receiver() as rec, live_sandbox() as sb:
        uuid = sb.send(sms()).json()["message_uuid"]
        sb.control("POST", "/settle")
        (hook,) = sb.webhooks(message_uuid=uuid)
        again = sb.control("POST", f"/webhooks/{hook['id']}/resend", {"url": rec.at("/late")})
        assert again["state"] == "delivered"
        assert [r.path for r in rec.received] == ["/late"]
        assert rec.received[0].body == hook["body"].encode()


def test_signature_secret_per_application_and_generated_default() -> None:
    with receiver() as rec, live_sandbox(status_url=rec.at("/s")) as sb:
        generated = sb.control("GET", "/config")["signature_secret"]
        assert len(generated.encode()) >= 32
        sb.control("PUT", "/applications/app-2", {"signature_secret": "s" * 40})
        sb.send(sms())
        sb.send(sms(), auth=bearer("app-2"))
        sb.control("POST", "/settle")
        basic, app = rec.received
        assert verify_signature(basic.token, generated)
        assert verify_signature(app.token, "s" * 40)
        assert not verify_signature(app.token, generated)


@pytest.mark.parametrize("version", ["v1", "v0.1"])
def test_auto_deliver_webhooks(version: str) -> None:
    with (
        receiver() as rec,
        live_sandbox(status_url=rec.at("/s"), auto_deliver=0, auto_read=3) as sb,
    ):
        sb.control("PUT", "/config", {"webhook_version": version})
        sb.send(sms(channel="viber_service", **{"from": "16273"}))
        sb.control("POST", "/settle")
        assert [b["status"] for b in rec.bodies()] == ["submitted", "delivered"]
        sb.advance(3)
        assert [b["status"] for b in rec.bodies()] == ["submitted", "delivered", "read"]


def test_a_receiver_calling_back_into_the_sandbox_does_not_deadlock() -> None:
    import httpx

    with receiver() as rec, live_sandbox(status_url="http://placeholder", webhook_timeout=5) as sb:
        calls: list[int] = []

        def answer(r: object) -> int:
            body = r.json  # type: ignore[attr-defined]
            if body["status"] == "delivered":
                # The app reacts to the status webhook by talking to the sandbox while the
                # sandbox is still waiting for this very webhook's answer.
                reply = httpx.post(
                    f"{sb.url}/_sandbox/inbound",
                    timeout=10,
                    json={"channel": "sms", "from": "447700900000", "text": "thanks"},
                )
                calls.append(reply.status_code)
            return 200

        rec.answer = answer
        sb.control("PUT", "/config", {"status_url": rec.at("/s")})
        uuid = sb.send(sms()).json()["message_uuid"]
        sb.mark(uuid, "delivered")
        assert calls == [201]
        hooks = sb.webhooks(message_uuid=uuid)
        assert [(h["event"], h["state"]) for h in hooks] == [
            ("submitted", "delivered"),
            ("delivered", "delivered"),
        ]
        assert hooks[1]["attempts"][0]["duration_ms"] < 4000
