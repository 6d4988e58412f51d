"""The order-alerts app against nexmo-sandbox: the real SDK sends, the sandbox's handsets
receive, a test marks what happens to each message, the signed webhooks come back into the
app. No sleeps, no mocks; runs the same under `pytest -n 2`."""

from __future__ import annotations

import pytest
from conftest import CUSTOMER, SMS_SENDER, WHATSAPP_NUMBER


def test_whatsapp_delivered_needs_no_sms(shop, nexmo_sandbox):
    sent = shop.post("/orders/A1/shipped", json={"phone": CUSTOMER}).json()

    whatsapp = nexmo_sandbox.inbox("whatsapp", CUSTOMER)
    assert whatsapp.last.raw["template"] == {"name": "order_shipped", "parameters": ["A1"]}
    assert whatsapp.last.from_ == WHATSAPP_NUMBER
    nexmo_sandbox.mark(sent["message_uuid"], "delivered")

    assert shop.get("/orders/A1").json()["outcome"] == "delivered via whatsapp"
    nexmo_sandbox.webhooks.assert_delivered("delivered", message_uuid=sent["message_uuid"])
    # The failover never fires, however long we wait (virtual time).
    nexmo_sandbox.inbox("sms", CUSTOMER).assert_empty(within=24 * 3600)


def test_whatsapp_rejected_fails_over_to_sms(shop, nexmo_sandbox):
    sent = shop.post("/orders/B2/shipped", json={"phone": CUSTOMER}).json()
    nexmo_sandbox.mark(sent["message_uuid"], "rejected")

    sms = nexmo_sandbox.inbox("sms", CUSTOMER).last
    assert sms.text == "Good news: order B2 has shipped."
    assert sms.from_ == SMS_SENDER
    assert sms.workflow is not None and sms.workflow["id"] == sent["workflow_id"]
    nexmo_sandbox.mark(sms.message_uuid, "delivered")

    order = shop.get("/orders/B2").json()
    assert order["outcome"] == "delivered via sms"
    assert order["events"] == [
        ["whatsapp", "submitted"],
        ["whatsapp", "rejected"],
        ["sms", "submitted"],
        ["sms", "delivered"],
    ]


def test_both_channels_failing_marks_the_order_failed(shop, nexmo_sandbox):
    sent = shop.post("/orders/C3/shipped", json={"phone": CUSTOMER}).json()
    nexmo_sandbox.mark(sent["message_uuid"], "rejected")
    nexmo_sandbox.mark(nexmo_sandbox.inbox("sms", CUSTOMER).last.message_uuid, "undeliverable")

    assert shop.get("/orders/C3").json()["outcome"] == "failed"
    nexmo_sandbox.webhooks.assert_delivered("undeliverable", kind="status")


@pytest.mark.nexmo_sandbox(auto_deliver=2, auto_read=30)
def test_handsets_that_deliver_and_read_on_their_own(shop, nexmo_sandbox):
    shop.post("/orders/D4/shipped", json={"phone": CUSTOMER})
    assert shop.get("/orders/D4").json()["outcome"] == "pending"

    nexmo_sandbox.advance(2)
    assert shop.get("/orders/D4").json()["outcome"] == "delivered via whatsapp"
    nexmo_sandbox.run_until_idle()
    assert shop.get("/orders/D4").json()["outcome"] == "read via whatsapp"


def test_stop_opts_the_customer_out(shop, nexmo_sandbox):
    shop.post("/orders/E5/shipped", json={"phone": CUSTOMER})
    nexmo_sandbox.inbox("whatsapp", CUSTOMER).reply("stop")

    # The app confirmed by SMS from inside its webhook handler ...
    assert nexmo_sandbox.inbox("sms", CUSTOMER).wait_for("no more alerts").from_ == SMS_SENDER
    # ... and sends nothing for the next order.
    assert shop.post("/orders/E6/shipped", json={"phone": CUSTOMER}).json() == {
        "skipped": "opted out"
    }
    assert len(nexmo_sandbox.inbox("whatsapp", CUSTOMER)) == 1


def test_unsigned_webhooks_are_refused(shop, nexmo_sandbox):
    forged = {"message_uuid": "x", "channel": "sms", "status": "delivered"}
    assert shop.post("/webhooks/status", json=forged).status_code == 401
    headers = {"Authorization": "Bearer not-a-jwt"}
    assert shop.post("/webhooks/status", json=forged, headers=headers).status_code == 401
