"""Time controls, failover timelines and the webhook ledger, clicked in real headless Chromium."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import need
from tests.harness import Live
from tests.receiver import Receiver
from tests.ui.conftest import settled
from tests.ui.pw import conversation_url, expect

pytestmark = pytest.mark.e2e

APP = "447700900000"
USER = "447700900001"


def require_endpoint(sb: Live, method: str, path: str) -> None:
    """The failover endpoints come from another part of the project: skip on a user's machine
    until they exist, fail in CI."""
    status = sb.http.request(method, path, json={}).status_code
    need(status != 404, f"{method} {path} is not in this build")


def test_advance_by_an_amount_fires_auto_delivery(sandbox: Live, page: Any) -> None:
    sandbox.control("PUT", "/_sandbox/config", {"auto_deliver": 90})
    uuid = sandbox.text(USER, "auto", channel="sms")
    start = sandbox.control("GET", "/_sandbox/clock")["now_ts"]

    page.goto(sandbox.url + "/time")
    timers = page.locator(".timer")
    expect(timers).to_have_count(1)
    expect(timers.first).to_have_attribute("data-kind", "auto-deliver")
    expect(timers.first).to_contain_text("90 s")
    expect(page.locator("#clock-pending")).to_contain_text("1 timer pending")

    page.goto(conversation_url(sandbox, "sms", USER))
    msg = page.locator(f"#m-{uuid}")
    page.fill("#adv-amount", "1")
    page.select_option(".advance select[name=unit]", "60")
    page.click(".advance button[type=submit]")
    expect(page.locator("#flash")).to_contain_text("Moved 60 s")
    expect(msg).to_have_attribute("data-status", "submitted")  # due at 90 s, not yet
    page.click(".advance button[type=submit]")
    expect(msg).to_have_attribute("data-status", "delivered")
    expect(msg.locator(".ticks")).to_have_text("✓✓")
    now = sandbox.control("GET", "/_sandbox/clock")["now_ts"]
    assert now - start == pytest.approx(120)
    expect(page.locator("#clock-now")).to_have_attribute(
        "datetime", sandbox.control("GET", "/_sandbox/clock")["now"]
    )
    expect(page.locator("#clock-pending")).to_contain_text("0 timers pending")


def test_next_timer_and_until_idle(sandbox: Live, page: Any) -> None:
    sandbox.control("PUT", "/_sandbox/config", {"auto_deliver": 30, "auto_read": 3600})
    uuid = sandbox.text(USER, "auto read", channel="whatsapp")
    page.goto(conversation_url(sandbox, "whatsapp", USER))
    msg = page.locator(f"#m-{uuid}")
    page.click('[data-clock="next"]')
    expect(msg).to_have_attribute("data-status", "delivered")
    expect(page.locator("#clock-pending")).to_contain_text("1 timer pending")
    page.click('[data-clock="idle"]')
    expect(msg).to_have_attribute("data-status", "read")
    expect(page.locator("#clock-pending")).to_contain_text("0 timers pending")


def test_clock_mode_switches_between_manual_and_live(sandbox: Live, page: Any) -> None:
    page.goto(sandbox.url + "/time")
    expect(page.locator(".clock .mode")).to_have_text("manual")
    page.click("[data-clock-mode=live]")
    expect(page.locator(".clock .mode")).to_have_text("live")
    assert sandbox.control("GET", "/_sandbox/clock")["mode"] == "live"
    page.click("[data-clock-mode=manual]")
    expect(page.locator(".clock .mode")).to_have_text("manual")
    assert sandbox.control("GET", "/_sandbox/clock")["mode"] == "manual"


def test_v1_failover_on_reject_and_its_timeline(
    sandbox: Live, page: Any, receiver: Receiver
) -> None:
    require_endpoint(sandbox, "GET", "/_sandbox/workflows")
    result = sandbox.sent(
        {
            "channel": "whatsapp",
            "message_type": "text",
            "to": USER,
            "from": APP,
            "text": "Your order shipped",
            "failover": [
                {
                    "channel": "sms",
                    "message_type": "text",
                    "to": USER,
                    "from": APP,
                    "text": "Your order shipped (SMS)",
                }
            ],
        }
    )
    first, workflow_id = result["message_uuid"], result["workflow_id"]
    page.goto(conversation_url(sandbox, "whatsapp", USER))
    msg = page.locator(f"#m-{first}")
    expect(msg.locator(".wf-tag")).to_have_text("failover 1/2")
    page.select_option("#error-code", "1340")
    msg.locator('[data-mark="rejected"]').click()
    expect(msg).to_have_attribute("data-status", "rejected")
    settled(page)

    page.goto(conversation_url(sandbox, "sms", USER))
    expect(page.locator(".msg.outbound .text")).to_have_text("Your order shipped (SMS)")
    expect(page.locator(".msg.outbound .wf-tag")).to_have_text("failover 2/2")

    page.locator(".msg.outbound .wf-tag").click()
    expect(page).to_have_url(f"{sandbox.url}/failover/v1/{workflow_id}")
    steps = page.locator(".timeline .step")
    expect(steps).to_have_count(2)
    expect(steps.nth(0)).to_have_attribute("data-status", "rejected")
    expect(steps.nth(0)).to_contain_text("WhatsApp")
    expect(steps.nth(0).locator(".outcome")).to_contain_text("rejected")
    expect(steps.nth(1)).to_have_attribute("data-channel", "sms")
    expect(steps.nth(1)).to_have_class("step ch-sms live st-submitted")
    expect(steps.nth(1)).to_contain_text("live now")

    # The timeline follows along live: delivering the SMS completes the workflow.
    expect(page.locator("#live")).to_have_attribute("data-state", "open")
    sms = sandbox.message(first)["workflow"]["id"]
    assert sms == workflow_id
    sms_uuid = sandbox.control("GET", "/_sandbox/messages?channel=sms")["messages"][0]
    sandbox.control(
        "POST", f"/_sandbox/messages/{sms_uuid['message_uuid']}/status", {"status": "delivered"}
    )
    expect(page.locator("#wf-status")).to_have_text("completed")
    expect(steps.nth(1)).not_to_contain_text("live now")

    page.goto(sandbox.url + "/failover")
    row = page.locator(".wf")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("completed")


def dispatch_body(expiry: int = 600) -> dict[str, Any]:
    return {
        "template": "failover",
        "workflow": [
            {
                "from": {"type": "whatsapp", "number": APP},
                "to": {"type": "whatsapp", "number": USER},
                "message": {"content": {"type": "text", "text": "Dispatch first (WhatsApp)"}},
                "failover": {"expiry_time": expiry, "condition_status": "delivered"},
            },
            {
                "from": {"type": "sms", "number": APP},
                "to": {"type": "sms", "number": USER},
                "message": {"content": {"type": "text", "text": "Dispatch fallback (SMS)"}},
            },
        ],
    }


def test_dispatch_failover_timer_fires_when_time_advances(sandbox: Live, page: Any) -> None:
    require_endpoint(sandbox, "GET", "/_sandbox/dispatches")
    require_endpoint(sandbox, "POST", "/v0.1/dispatch")
    dispatch_uuid = sandbox.sent(dispatch_body(600), path="/v0.1/dispatch")["dispatch_uuid"]
    page.goto(f"{sandbox.url}/failover/dispatch/{dispatch_uuid}")
    steps = page.locator(".timeline .step")
    expect(steps).to_have_count(2)
    expect(steps.nth(0)).to_contain_text("live now")
    expect(steps.nth(0)).to_contain_text("delivered")  # the condition status
    expect(steps.nth(1)).to_have_class("step ch-sms not-sent st-none")

    page.goto(sandbox.url + "/time")
    expect(page.locator('.timer[data-kind="failover"]')).to_have_count(1)

    page.goto(conversation_url(sandbox, "whatsapp", USER))
    expect(page.locator("#live")).to_have_attribute("data-state", "open")
    page.fill("#adv-amount", "10")
    page.select_option(".advance select[name=unit]", "60")
    page.click(".advance button[type=submit]")
    expect(page.locator("#flash")).to_contain_text("Moved 600 s")

    page.goto(conversation_url(sandbox, "sms", USER))
    expect(page.locator(".msg.outbound .text")).to_have_text("Dispatch fallback (SMS)")
    page.goto(f"{sandbox.url}/failover/dispatch/{dispatch_uuid}")
    expect(steps.nth(1)).to_contain_text("live now")
    expect(steps.nth(0).locator(".outcome")).not_to_be_empty()


def test_webhook_ledger_shows_failures_and_resends(
    sandbox: Live, page: Any, receiver: Receiver, problems: Any
) -> None:
    receiver.answer = lambda r: 500
    uuid = sandbox.text(USER, "will fail to notify", channel="sms")
    page.goto(sandbox.url + "/webhooks")
    item = page.locator(f'.delivery[data-kind="status"]:has(a[href="/messages/{uuid}"])')
    expect(item).to_have_count(1)
    expect(item).to_have_attribute("data-state", "retrying")
    expect(item).to_have_class("delivery state-retrying failing")
    item.locator("summary").click()
    expect(item.locator("pre.headers")).to_contain_text("Authorization: Bearer ey")
    expect(item.locator(".attempts tbody tr")).to_have_count(1)
    expect(item.locator(".attempts tbody tr.bad")).to_contain_text("500")
    expect(item.locator(".attempts tbody tr")).to_contain_text("receiver says no")
    expect(item.locator("pre.body")).to_contain_text(f'"message_uuid": "{uuid}"')

    page.goto(sandbox.url + "/time")
    expect(page.locator('.timer[data-kind="webhook-retry"]')).to_have_count(1)

    page.goto(sandbox.url + "/webhooks?state=retrying")
    expect(item).to_have_count(1)
    receiver.answer = lambda r: 200
    before = len(receiver.bodies("/status"))
    item.locator("summary").click()
    item.locator("[data-resend]").click()
    expect(page.locator("#flash")).to_contain_text("Resent")
    page.goto(sandbox.url + "/webhooks")
    expect(item).to_have_attribute("data-state", "delivered")
    item.locator("summary").click()
    expect(item.locator(".attempts tbody tr")).to_have_count(2)
    expect(item.locator(".attempts tbody tr.ok")).to_contain_text("200")
    assert len(receiver.bodies("/status")) == before + 1

    page.goto(f"{sandbox.url}/messages/{uuid}")
    expect(page.locator(".delivery")).to_have_count(1)
    expect(page.locator(".delivery")).to_have_attribute("data-state", "delivered")
