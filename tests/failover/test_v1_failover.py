"""The v1 `failover` array: the next item goes when the live one is rejected."""

from __future__ import annotations

from tests.harness import live_sandbox
from tests.helpers import N1, N2, sms
from tests.receiver import receiver


def body(*, items: int = 1) -> dict[str, object]:
    failover = [sms(text=f"fallback {i}") for i in range(items)]
    return {**sms(channel="whatsapp", text="primary"), "failover": failover}


def test_whatsapp_rejected_sends_the_sms_with_workflow_objects() -> None:
    with receiver() as rec, live_sandbox(status_url=rec.at("/s")) as sb:
        r = sb.send(body())
        assert r.status_code == 202
        data = r.json()
        assert set(data) == {"message_uuid", "workflow_id"}
        assert len(data["workflow_id"]) == 55
        sb.control("POST", "/settle")
        assert sb.control("GET", f"/messages?channel=sms&to={N1}")["total"] == 0
        sb.mark(data["message_uuid"], "rejected")
        (fallback,) = sb.control("GET", f"/messages?channel=sms&to={N1}")["messages"]
        assert fallback["message_uuid"] != data["message_uuid"]
        assert fallback["from"] == N2
        sb.mark(fallback["message_uuid"], "delivered")
        got = [(b["channel"], b["status"], b["workflow"]) for b in rec.bodies("/s")]
        wid = data["workflow_id"]
        assert got == [
            (
                "whatsapp",
                "submitted",
                {"workflow_id": wid, "items_number": "1", "items_total": "2"},
            ),
            ("whatsapp", "rejected", {"workflow_id": wid, "items_number": "1", "items_total": "2"}),
            ("sms", "submitted", {"workflow_id": wid, "items_number": "2", "items_total": "2"}),
            ("sms", "delivered", {"workflow_id": wid, "items_number": "2", "items_total": "2"}),
        ]
        wf = sb.control("GET", f"/workflows/{wid}")
        assert wf["status"] == "completed"
        assert wf["steps"][0]["outcome"] == "rejected: failed over to item 2"


def test_undeliverable_is_not_a_trigger_unless_asked() -> None:
    with live_sandbox() as sb:
        data = sb.send(body()).json()
        sb.mark(data["message_uuid"], "undeliverable")
        assert sb.control("GET", f"/messages?channel=sms&to={N1}")["total"] == 0
        assert sb.control("GET", f"/workflows/{data['workflow_id']}")["status"] == "failed"
    with live_sandbox(failover_on_undeliverable=True) as sb:
        data = sb.send(body()).json()
        sb.mark(data["message_uuid"], "undeliverable")
        assert sb.control("GET", f"/messages?channel=sms&to={N1}")["total"] == 1


def test_delivery_completes_and_the_chain_runs_to_its_end() -> None:
    with live_sandbox() as sb:
        data = sb.send(body(items=2)).json()
        sb.mark(data["message_uuid"], "delivered")
        assert sb.control("GET", f"/workflows/{data['workflow_id']}")["status"] == "completed"
        data = sb.send(body(items=2)).json()
        sb.mark(data["message_uuid"], "rejected")
        second = sb.control("GET", f"/workflows/{data['workflow_id']}")["steps"][1]
        sb.mark(second["message_uuid"], "rejected")
        wf = sb.control("GET", f"/workflows/{data['workflow_id']}")
        sb.mark(wf["steps"][2]["message_uuid"], "rejected")
        wf = sb.control("GET", f"/workflows/{data['workflow_id']}")
        assert wf["status"] == "failed"
        assert [s["status"] for s in wf["steps"]] == ["rejected"] * 3
        assert len(sb.control("GET", "/workflows")["workflows"]) == 2


def test_auto_deliver_completes_the_primary() -> None:
    with live_sandbox(auto_deliver=0) as sb:
        data = sb.send(body()).json()
        wf = sb.control("GET", f"/workflows/{data['workflow_id']}")
        assert wf["status"] == "completed" and wf["steps"][0]["status"] == "delivered"
