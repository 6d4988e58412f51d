"""A bounded outbox: sends slow down while too many webhook attempts are in flight."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from sandbox.asgi.runtime import Runtime
from sandbox.core.models import Outbound, Sender
from sandbox.settings import Settings
from sandbox.webhooks import backpressure


class Gate(httpx.AsyncBaseTransport):
    """A receiver that answers only when the gate opens."""

    def __init__(self) -> None:
        self.open = asyncio.Event()
        self.seen = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen += 1
        await self.open.wait()
        return httpx.Response(200)


def sms(n: int) -> Outbound:
    return Outbound("sms", f"44770090{n:04d}", "447700900001", "text", {"text": "x"})


def test_sends_wait_while_the_backlog_is_high(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backpressure, "BACKLOG_HIGH", 10)

    async def scenario() -> None:
        rt = Runtime(Settings(clock="manual", status_url="http://receiver.test/status"))
        gate = Gate()
        rt.webhooks.set_transport(gate)
        for n in range(5):
            rt.engine.send(sms(n), Sender(api_key="k"))
        await rt.webhooks.backpressure(most=60)  # 5 in flight: no wait at all
        for n in range(5, 11):
            rt.engine.send(sms(n), Sender(api_key="k"))
        waiter = asyncio.create_task(rt.webhooks.backpressure(most=60))
        for _ in range(20):  # let every attempt start (yields, no time passes)
            await asyncio.sleep(0)
        assert gate.seen == 11
        assert not waiter.done()
        gate.open.set()
        await asyncio.wait_for(waiter, 10)
        await rt.webhooks.settle()
        assert {d.state for d in rt.webhooks.ledger} == {"delivered"}
        await rt.aclose()

    asyncio.run(scenario())


def test_the_wait_is_bounded_so_a_stuck_receiver_cannot_stop_sends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(backpressure, "BACKLOG_HIGH", 2)

    async def scenario() -> None:
        rt = Runtime(Settings(clock="manual", status_url="http://receiver.test/status"))
        gate = Gate()
        rt.webhooks.set_transport(gate)
        for n in range(3):
            rt.engine.send(sms(n), Sender(api_key="k"))
        await asyncio.wait_for(rt.webhooks.backpressure(most=0.05), 10)
        assert gate.seen == 3 and not gate.open.is_set()
        await rt.aclose()

    asyncio.run(scenario())
