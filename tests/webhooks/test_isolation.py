"""Delivery that cannot wedge: one receiver that accepts and never answers delays only its own
webhooks (lanes are per receiver), and resets in the middle of a load leave the sender working."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from sandbox.server import BackgroundServer
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


def test_calls_that_wait_for_webhooks_answer_within_the_webhook_timeout() -> None:
    """60 webhooks queued at a receiver that never answers (6 lanes, 0.5 s per attempt):
    attempting them all takes 5 s, but a control call waits at most the webhook timeout and a
    second, then answers and says what is still in flight."""
    with receiver() as hung, live_sandbox(webhook_timeout=0.5, webhook_connect_timeout=0.5) as sb:
        hung.held = ("/hung",)
        try:
            uuids = []
            for i in range(60):
                body = {**sms(), "client_ref": f"hung-{i}", "webhook_url": hung.url + "/hung"}
                uuids.append(sb.sent(body)["message_uuid"])
            # httpx's own timeout (4 s) would fail the test if either call hung with them.
            settled = sb.http.post("/_sandbox/settle", json={}, timeout=4)
            assert settled.status_code == 200, settled.text
            assert settled.json()["settled"] is False and settled.json()["in_flight"] > 0
            marked = sb.http.post(
                f"/_sandbox/messages/{uuids[0]}/status", json={"status": "delivered"}, timeout=4
            )
            assert marked.status_code == 200, marked.text
        finally:
            hung.release.set()
        # Each hung attempt ended as a timeout, recorded, with a retry on the virtual clock.
        sb.http.post("/_sandbox/settle", json={}, timeout=10)
        first = sb.webhooks(message_uuid=uuids[1])[0]
        assert first["attempts"][0]["error"].startswith("timeout")
        assert first["state"] == "retrying"


def test_a_receiver_that_trickles_its_answer_is_cut_off_and_its_lanes_keep_working() -> None:
    """A byte every 0.2 s never trips httpx's per-read timeout (0.5 s); the whole attempt is
    bounded (connect + read timeout), recorded as a timeout, and the lanes it held carry the
    next webhooks as usual."""
    trickle = threading.Event()
    trickle.set()

    async def handle(request: Request) -> Response:
        await request.body()
        if not trickle.is_set():
            return Response("ok")

        async def drip() -> AsyncIterator[bytes]:
            for _ in range(100):
                yield b"."
                await asyncio.sleep(0.2)  # the receiver's own pace, not the test's

        return StreamingResponse(drip())

    slow = BackgroundServer(Starlette(routes=[Route("/t", handle, methods=["POST"])])).start()
    try:
        with live_sandbox(webhook_timeout=0.5, webhook_connect_timeout=0.5) as sb:
            first = [sb.sent({**sms(), "webhook_url": slow.url + "/t"}) for _ in range(12)]
            sb.http.post("/_sandbox/settle", json={}, timeout=10)
            for sent in first:
                (d,) = sb.webhooks(message_uuid=sent["message_uuid"])
                assert d["attempts"][0]["error"] == "timeout: no whole answer within 1 s"
            trickle.clear()
            later = [sb.sent({**sms(), "webhook_url": slow.url + "/t"}) for _ in range(12)]
            assert sb.control("POST", "/settle", {})["settled"] is True
            for sent in later:
                (d,) = sb.webhooks(message_uuid=sent["message_uuid"])
                assert d["state"] == "delivered"
    finally:
        slow.stop()


def test_lanes_are_kept_for_a_bounded_number_of_receivers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Four receivers, room for two: the one used least recently gives its lanes up, and
    webhooks to every receiver still arrive (it gets new lanes when it comes back)."""
    from sandbox.webhooks import lanes
    from sandbox.webhooks.engine import network_transport

    monkeypatch.setattr(lanes, "MAX_RECEIVERS", 2)
    with contextlib.ExitStack() as stack:
        recs = [stack.enter_context(receiver()) for _ in range(4)]

        async def post_to_each_twice() -> tuple[list[int], int]:
            pool = lanes.HttpLanes(network_transport, lanes=2)
            codes = []
            for rec in [*recs, *recs]:
                codes.append((await pool.post(rec.at("/many"), b"{}", {}, 5.0)).status_code)
            count = pool.receivers
            await pool.aclose()
            return codes, count

        codes, count = asyncio.run(post_to_each_twice())
        assert codes == [200] * 8
        assert count == 2
        assert [len(rec.bodies("/many")) for rec in recs] == [2, 2, 2, 2]
