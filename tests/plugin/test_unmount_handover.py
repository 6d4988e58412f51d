"""An app unmounted while a webhook is being handed to it: the app may already run the
request (and the test see it run) before the sandbox's loop has noted it in flight. The
unmount must still reach it: a failed attempt, not a request left waiting for the sender's
whole limit (in CI this once held a `settle()` for 30 s)."""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest

from sandbox.testing.app_transport import _AppLoop, _Isolated


async def forever(scope: dict, receive: object, send: object) -> None:
    await asyncio.Event().wait()


def test_a_request_handed_over_after_the_unmount_fails_as_unmounted() -> None:
    loop = _AppLoop("test app")
    transport = _Isolated(forever, "app.test", lambda: loop)
    transport.close()  # the unmount wins the race against the hand-over below

    async def attempt() -> None:
        request = httpx.Request("POST", "http://app.test/status", content=b"{}")
        # Before the fix the request waited for the app forever: bounded here.
        await asyncio.wait_for(transport.handle_async_request(request), 5)

    try:
        with pytest.raises(httpx.RemoteProtocolError, match="unmounted before it answered"):
            asyncio.run(attempt())
    finally:
        loop.stop()


def test_a_request_in_flight_at_the_unmount_fails_as_unmounted() -> None:
    entered = threading.Event()

    async def slow(scope: dict, receive: object, send: object) -> None:
        entered.set()
        await asyncio.Event().wait()

    loop = _AppLoop("test app")
    transport = _Isolated(slow, "app.test", lambda: loop)

    async def attempt() -> None:
        request = httpx.Request("POST", "http://app.test/status", content=b"{}")
        task = asyncio.ensure_future(transport.handle_async_request(request))
        await asyncio.to_thread(entered.wait, 5)
        transport.close()
        await asyncio.wait_for(task, 5)

    try:
        with pytest.raises(httpx.RemoteProtocolError, match="unmounted before it answered"):
            asyncio.run(attempt())
    finally:
        loop.stop()
