"""`GET /_sandbox/events`: the bus as server-sent events, for live views.

Each bus event becomes ``event: <kind>`` with a small JSON ``data`` line naming what changed
(ids, not whole objects): a page refetches what it shows, so a slow tab never holds big payloads
and the stream never has to render webhook bodies.

The bus calls subscribers synchronously and must never wait for a browser, so each client gets a
bounded queue filled with ``put_nowait``. A client that falls behind by more than
:data:`QUEUE_SIZE` events loses them and is sent one ``resync`` event instead: "refetch all".
A comment line every :data:`HEARTBEAT` seconds of real time keeps proxies from closing the
stream and makes a vanished client show up as a failed write.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from sandbox.asgi.io import runtime
from sandbox.core.clock import iso
from sandbox.core.events import Event

HEARTBEAT = 15.0  # seconds of real time (a transport concern, not virtual time)
QUEUE_SIZE = 512


def summary(event: Event) -> dict[str, Any]:
    """What changed, in a few ids: enough for a page to know which parts to refetch."""
    return event.summary()


def frame(kind: str, data: dict[str, Any]) -> str:
    # Kinds are our own dotted words; keep them to one line whatever a listener publishes.
    name = "".join(c for c in kind if c.isalnum() or c in "._-") or "message"
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'), default=str)}\n\n"


class Subscription:
    """One client's bounded queue on the bus."""

    def __init__(self, loop: asyncio.AbstractEventLoop, size: int = QUEUE_SIZE) -> None:
        self.loop = loop
        self.thread = threading.get_ident()
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(size)
        self.overflowed = False

    def _put(self, item: dict[str, Any]) -> None:
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            self.overflowed = True

    def __call__(self, event: Event) -> None:
        item = summary(event)
        if threading.get_ident() == self.thread:
            self._put(item)
        else:  # published from another thread (a test driving the runtime directly)
            with contextlib.suppress(RuntimeError):  # loop already closed
                self.loop.call_soon_threadsafe(self._put, item)

    def drain(self) -> None:
        while not self.queue.empty():
            self.queue.get_nowait()
        self.overflowed = False


async def stream(request: Request) -> AsyncIterator[str]:
    rt = runtime(request)
    sub = Subscription(asyncio.get_running_loop())
    # Subscribed inside the generator, so that its `finally` is sure to run: a response that
    # never starts never leaves a subscriber behind.
    unsubscribe = rt.bus.on_any(sub)
    try:
        yield f"retry: 1000\n: connected {iso(rt.clock.now())}\n\n"
        while True:
            try:
                item = await asyncio.wait_for(sub.queue.get(), HEARTBEAT)
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            if sub.overflowed:
                sub.drain()
                yield frame("resync", {"kind": "resync"})
                continue
            yield frame(item["kind"], item)
    finally:
        unsubscribe()


async def events(request: Request) -> Response:
    return StreamingResponse(
        stream(request),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


routes = [Route("/_sandbox/events", events, methods=["GET"])]
