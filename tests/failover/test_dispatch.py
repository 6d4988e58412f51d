"""The Dispatch API's failover template on a real server, with a real receiver."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness import Live, live_sandbox
from tests.helpers import bearer
from tests.receiver import receiver

USER, SMS_FROM = "447700900000", "447700900001"


def viber(condition: str = "read", expiry: Any = 600) -> dict[str, Any]:
    return {
        "from": {"type": "viber_service_msg", "id": "16273"},
        "to": {"type": "viber_service_msg", "number": USER},
        "message": {"content": {"type": "text", "text": "Important (Viber)"}},
        "failover": {"expiry_time": expiry, "condition_status": condition},
    }


def whatsapp(condition: str = "read", expiry: Any = 600) -> dict[str, Any]:
    return {
        "from": {"type": "whatsapp", "number": SMS_FROM},
        "to": {"type": "whatsapp", "number": USER},
        "message": {"content": {"type": "text", "text": "Important (WhatsApp)"}},
        "failover": {"expiry_time": expiry, "condition_status": condition},
    }


def sms_item(text: str = "Important (SMS)") -> dict[str, Any]:
    return {
        "from": {"type": "sms", "number": SMS_FROM},
        "to": {"type": "sms", "number": USER},
        "message": {"content": {"type": "text", "text": text}},
    }


def dispatch(sb: Live, workflow: list[dict[str, Any]], template: str = "failover") -> Any:
    return sb.http.post(
        "/v0.1/dispatch?",
        json={"template": template, "workflow": workflow},
        headers={"Authorization": bearer("dispatch-app", exp=None)},
    )


def sms_inbox(sb: Live) -> list[dict[str, Any]]:
    return sb.control("GET", f"/messages?channel=sms&to={USER}")["messages"]


@pytest.mark.parametrize("first", [viber, whatsapp], ids=["viber", "whatsapp"])
def test_the_seed_scenario(first: Any) -> None:
    with receiver() as rec, live_sandbox(status_url="http://placeholder") as sb:
        sb.control("PUT", "/applications/dispatch-app", {"status_url": rec.at("/status")})
        r = dispatch(sb, [first("read", 600), sms_item()])
        assert r.status_code == 202, r.text
        assert r.headers["content-type"] == "application/json"
        dispatch_uuid = r.json()["dispatch_uuid"]
        sb.control("POST", "/settle")
        primary = sb.control("GET", f"/dispatches/{dispatch_uuid}")["steps"][0]["message_uuid"]
        sb.mark(primary, "delivered")  # delivered, but the condition is `read`
        sb.advance(599)
        assert sms_inbox(sb) == []
        sb.advance(1)
        (sms,) = sms_inbox(sb)
        assert sms["text"] == "Important (SMS)"
        sb.mark(sms["message_uuid"], "delivered")
        state = sb.control("GET", f"/dispatches/{dispatch_uuid}")
        assert state["status"] == "completed"
        assert state["steps"][0]["outcome"].startswith("expired")
        assert [s["status"] for s in state["steps"]] == ["delivered", "delivered"]

        statuses = [b for b in rec.bodies("/status") if "message_uuid" in b]
        assert [(b["message_uuid"], b["status"]) for b in statuses] == [
            (primary, "submitted"),
            (primary, "delivered"),
            (sms["message_uuid"], "submitted"),
            (sms["message_uuid"], "delivered"),
        ]
        for body in statuses:
            assert body["_links"]["workflow"] == {
                "dispatch_uuid": dispatch_uuid,
                "href": f"/workflows/{dispatch_uuid}",
            }
            assert isinstance(body["to"], dict)  # v0.1 format
        reports = [b for b in rec.bodies("/status") if "dispatch_uuid" in b]
        assert len(reports) == 1
        (report,) = reports
        assert report["status"] == "completed" and report["template"] == "failover"
        assert [m["message_uuid"] for m in report["_links"]["messages"]] == [
            primary,
            sms["message_uuid"],
        ]
        assert rec.bodies("/status")[-1] == report  # after every status webhook


def test_reading_in_time_completes_without_the_sms() -> None:
    with live_sandbox() as sb:
        dispatch_uuid = dispatch(sb, [viber("read", 600), sms_item()]).json()["dispatch_uuid"]
        primary = sb.control("GET", f"/dispatches/{dispatch_uuid}")["steps"][0]["message_uuid"]
        sb.advance(300)
        sb.mark(primary, "read")
        state = sb.control("GET", f"/dispatches/{dispatch_uuid}")
        assert state["status"] == "completed"
        assert state["steps"][1]["message_uuid"] is None
        assert sb.control("GET", "/clock")["pending"] == 0
        sb.advance(3600)
        assert sms_inbox(sb) == []
        (report,) = [w for w in sb.webhooks(kind="report")]
        assert report["payload"]["status"] == "completed"


def test_delivered_condition_is_met_by_delivery() -> None:
    with live_sandbox() as sb:
        dispatch_uuid = dispatch(sb, [viber("delivered", "60"), sms_item()]).json()["dispatch_uuid"]
        primary = sb.control("GET", f"/dispatches/{dispatch_uuid}")["steps"][0]["message_uuid"]
        sb.advance(59)
        sb.mark(primary, "delivered")
        assert sb.control("GET", f"/dispatches/{dispatch_uuid}")["status"] == "completed"


def test_rejected_first_message_fails_over_at_once() -> None:
    with live_sandbox() as sb:
        dispatch_uuid = dispatch(sb, [whatsapp("read", 600), sms_item()]).json()["dispatch_uuid"]
        primary = sb.control("GET", f"/dispatches/{dispatch_uuid}")["steps"][0]["message_uuid"]
        sb.mark(primary, "rejected", error_code=1300)
        (sms,) = sms_inbox(sb)
        assert sms["text"] == "Important (SMS)"
        state = sb.control("GET", f"/dispatches/{dispatch_uuid}")
        assert state["current_item"] == 2 and state["status"] == "active"
        assert state["steps"][1]["sent_at"] == state["steps"][0]["sent_at"]  # no time passed
        assert sb.control("GET", "/clock")["pending"] == 0  # the expiry timer was cancelled


def test_failed_last_message_ends_in_error() -> None:
    with live_sandbox() as sb:
        dispatch_uuid = dispatch(sb, [viber("read", 30), whatsapp("read", 30), sms_item()]).json()[
            "dispatch_uuid"
        ]
        sb.advance(30)
        sb.advance(30)
        (sms,) = sms_inbox(sb)
        sb.mark(sms["message_uuid"], "undeliverable")
        state = sb.control("GET", f"/dispatches/{dispatch_uuid}")
        assert state["status"] == "error"
        assert [s["channel"] for s in state["steps"]] == ["viber_service", "whatsapp", "sms"]
        (report,) = sb.webhooks(kind="report")
        assert report["payload"]["status"] == "error"
        assert [m["status"] for m in report["payload"]["_links"]["messages"]] == [
            "submitted",
            "submitted",
            "undeliverable",
        ]


def test_inspection_lists_and_shows_timers() -> None:
    with live_sandbox() as sb:
        d = dispatch(sb, [viber("read", 600), sms_item()]).json()["dispatch_uuid"]
        listed = sb.control("GET", "/dispatches")["dispatches"]
        assert [x["dispatch_uuid"] for x in listed] == [d]
        step = listed[0]["steps"][0]
        assert (step["condition_status"], step["expiry_time"]) == ("read", 600)
        timers = sb.control("GET", "/clock")["timers"]
        assert [t["kind"] for t in timers] == ["failover"]
        assert timers[0]["due"] == step["due"]
        assert sb.http.get("/_sandbox/dispatches/nope").status_code == 404


@pytest.mark.parametrize(
    ("workflow", "template", "bad"),
    [
        (
            [{k: v for k, v in viber().items() if k != "failover"}, sms_item()],
            "failover",
            "workflow[0].failover",
        ),
        ([viber(expiry=10), sms_item()], "failover", "workflow[0].failover.expiry_time"),
        ([viber(expiry=86401), sms_item()], "failover", "workflow[0].failover.expiry_time"),
        ([viber(expiry="soon"), sms_item()], "failover", "workflow[0].failover.expiry_time"),
        (
            [viber(condition="seen"), sms_item()],
            "failover",
            "workflow[0].failover.condition_status",
        ),
        (
            [
                {**sms_item(), "failover": {"expiry_time": 60, "condition_status": "read"}},
                sms_item(),
            ],
            "failover",
            "workflow[0].failover.condition_status",
        ),
        (
            [
                viber(),
                {**sms_item(), "failover": {"expiry_time": 60, "condition_status": "delivered"}},
            ],
            "failover",
            "workflow[1].failover",
        ),
        ([viber(), viber(), sms_item()], "fallback", "template"),
        ([viber()], "failover", "workflow"),
        (
            [viber(), {**sms_item(), "to": {"type": "sms", "number": "+44"}}],
            "failover",
            "workflow[1].to.number",
        ),
    ],
)
def test_bad_workflows_get_400_naming_the_field(
    workflow: list[Any], template: str, bad: str
) -> None:
    with live_sandbox() as sb:
        r = dispatch(sb, workflow, template)
        assert r.status_code == 400, r.text
        assert r.headers["content-type"] == "application/problem+json"
        body = r.json()
        assert body["type"] == "https://www.nexmo.com/messages/Errors#InvalidParams"
        assert bad in {p["name"] for p in body["invalid_parameters"]}, body
        assert len(body["instance"]) == 32 and body["instance"] == r.headers["x-nexmo-trace-id"]
        assert sb.control("GET", "/messages")["total"] == 0
