"""Delivery that cannot wedge: one receiver that accepts and never answers delays only its own
webhooks (lanes are per receiver), and resets in the middle of a load leave the sender working."""

from __future__ import annotations

import threading

import httpx
import pytest

from tests.harness import live_sandbox
from tests.helpers import BASIC, sms
from tests.receiver import receiver

pytestmark = pytest.mark.e2e


def test_a_hung_receiver_holds_only_its_own_webhooks() -> None:
    """More hung deliveries than lanes at one receiver; another receiver's webhooks still
    arrive at once."""
    with (
        receiver() as hung,
        receiver() as healthy,
        live_sandbox(status_url=healthy.url + "/status") as sb,
    ):
        hung.held = ("/hung",)
        try:
            for i in range(10):  # more than the 6 lanes of one receiver
                body = {**sms(), "client_ref": f"hung-{i}", "webhook_url": hung.url + "/hung"}
                assert sb.send(body).status_code == 202
            hung.wait_for("/hung", 6)  # every lane to the hung receiver is now taken
            assert sb.send({**sms(), "client_ref": "healthy"}).status_code == 202
            arrived = healthy.wait_for("/status", 1)
            assert [b["client_ref"] for b in arrived] == ["healthy"]
            assert len(hung.bodies("/hung")) == 6  # the rest still wait for a free lane
        finally:
            hung.release.set()
        assert len(hung.wait_for("/hung", 10)) == 10  # answered again: every webhook arrives


def test_resets_under_load_leave_every_later_webhook_delivered() -> None:
    with receiver() as rec, live_sandbox(status_url=rec.url + "/storm", auto_deliver=0) as sb:
        stop = threading.Event()

        def send_until_stopped() -> None:
            with httpx.Client(base_url=sb.url, timeout=30) as client:
                for _ in range(2000):  # bounded, whatever happens
                    if stop.is_set():
                        return
                    client.post("/v1/messages", json=sms(), headers={"Authorization": BASIC})

        senders = [threading.Thread(target=send_until_stopped) for _ in range(3)]
        for t in senders:
            t.start()
        try:
            for _ in range(150):  # resets while webhooks are in flight
                sb.control("POST", "/reset", {})
        finally:
            stop.set()
            for t in senders:
                t.join(30)
        sb.control("POST", "/reset", {})
        sb.control("PUT", "/config", {"status_url": rec.url + "/after", "auto_deliver": None})
        for _ in range(20):
            assert sb.send(sms()).status_code == 202
        sb.control("POST", "/settle", {})  # answers: nothing is wedged
        states = {d["state"] for d in sb.webhooks()}
        assert states == {"delivered"} and len(rec.bodies("/after")) == 20
        assert sb.control("GET", "/clock")["pending"] == 0  # no retry left behind by a reset
