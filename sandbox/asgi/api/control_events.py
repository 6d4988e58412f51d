"""`GET /_sandbox/events`: the bus as server-sent events, for live views.

Each bus event becomes ``event: <kind>`` with a small JSON ``data`` line naming what changed
(ids, not whole objects): a page refetches what it shows, so a slow tab never holds big payloads
and the stream never has to render webhook bodies.

The cost of an event must not grow with the number of open streams: an inbox tab left open is
an idle client, and the sandbox is driven by test suites that send thousands of messages a
second. So all the streams of a runtime share one :class:`Broadcaster`, the only subscriber on
the bus whatever the number of clients. Per event it does O(1) work: one summary into one
bounded queue (:class:`Subscription`, filled with ``put_nowait``: the bus calls subscribers
synchronously and must never wait for a browser). At most every :data:`FLUSH` seconds of real
time (the first event after a quiet spell at once) it renders what was queued into one string,
once, keeps it in a short shared log and wakes the streams; each stream writes the part of the
log it has not written yet, as one chunk. Many events between two flushes cost the streams
one wake-up and one write each.

More than :data:`FRAMES_PER_FLUSH` events in one flush (a busy test suite, a clock advance
firing thousands of timers) are dropped and every stream is sent one ``resync`` event instead:
"refetch all". The flush after a ``resync`` waits :data:`RESYNC_PAUSE` and holds up to
:data:`QUEUE_SIZE` events (the same rate), so under a sustained load each stream costs one
small write a second, and events flow one by one again once the rate falls. A stream that
could not write for :data:`BACKLOG` flushes in a row (a client that stopped reading) has lost
part of the log and gets one ``resync`` when it writes again: memory is bounded by the shared
log whatever the clients do. A ``: keep-alive`` comment to every stream every
:data:`HEARTBEAT` seconds of real time (one timer for all) keeps proxies from closing the
streams and makes a vanished client show up as a failed write.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import weakref
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from sandbox.asgi.io import runtime
from sandbox.core.clock import iso
from sandbox.core.events import Event, EventBus, Unsubscribe

HEARTBEAT = 15.0  # seconds of real time (a transport concern, not virtual time)
# Seconds of real time between two writes to the streams: a live view cannot show more than a
# few changes a second anyway (the inbox refetches after 60 ms of quiet), and each flush costs
# one wake-up and one write per stream, so this bounds what idle tabs cost per second
# whatever the event rate (bench/README.md, sse_fanout).
FLUSH = 0.25
# More events than this in one flush (~500 a second, ~125 sends a second) give way to one
# `resync`: more than anyone can follow on a page, and it bounds what a flush writes to every
# stream (~25 KB) however busy the sandbox is.
FRAMES_PER_FLUSH = 128
# After a `resync`, the next flush waits this long: "refetch all" more than once a second helps
# no page, and under a sustained load it makes every stream cost one small write a second.
RESYNC_PAUSE = 1.0
# The events held between two flushes: a pause's worth at the same rate, so that the flush
# after a pause sends events one by one again as soon as the rate is back under the bound.
QUEUE_SIZE = 512
BACKLOG = 32  # flushes a stream may fall behind (8 s at FLUSH) before it gets a `resync`


def summary(event: Event) -> dict[str, Any]:
    """What changed, in a few ids: enough for a page to know which parts to refetch."""
    return event.summary()


def frame(kind: str, data: dict[str, Any]) -> str:
    # Kinds are our own dotted words; keep them to one line whatever a listener publishes.
    name = "".join(c for c in kind if c.isalnum() or c in "._-") or "message"
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'), default=str)}\n\n"


RESYNC = frame("resync", {"kind": "resync"})
KEEP_ALIVE = ": keep-alive\n\n"


class Subscription:
    """A bounded queue of event summaries on the bus, filled without ever blocking the bus.

    ``wake`` is called when an item lands in an empty queue (on the loop's thread): the owner
    learns that there is something to take without being told of every event."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        size: int = QUEUE_SIZE,
        wake: Callable[[], None] | None = None,
    ) -> None:
        self.loop = loop
        self.thread = threading.get_ident()
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(size)
        self.overflowed = False
        self.wake = wake

    def _put(self, item: dict[str, Any]) -> None:
        was_empty = self.queue.empty()
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            self.overflowed = True
            return
        if was_empty and self.wake is not None:
            self.wake()

    def __call__(self, event: Event) -> None:
        if self.overflowed:  # lost anyway until the next drain: a burst costs nothing more
            return
        item = summary(event)
        if threading.get_ident() == self.thread:
            self._put(item)
        else:  # published from another thread (a test driving the runtime directly)
            with contextlib.suppress(RuntimeError):  # loop already closed
                self.loop.call_soon_threadsafe(self._put, item)

    def take(self) -> list[dict[str, Any]]:
        """Everything queued, oldest first."""
        items: list[dict[str, Any]] = []
        while not self.queue.empty():
            items.append(self.queue.get_nowait())
        return items

    def drain(self) -> None:
        self.take()
        self.overflowed = False


class Broadcaster:
    """The one bus subscriber behind every open stream of a runtime (see the module's doc).

    ``seq`` counts flushes; the log holds the bytes of the last :data:`BACKLOG` of them, so a
    stream that has written everything up to flush ``n`` writes ``log[n - seq:]`` next. The
    keep-alive comment is a flush of its own, one timer for all the streams."""

    def __init__(self, bus: EventBus, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.inbox = Subscription(loop, QUEUE_SIZE, wake=self._schedule)
        self.log: deque[bytes] = deque(maxlen=BACKLOG)
        self.seq = 0
        self.changed = asyncio.Event()  # replaced at each flush: set once, for its waiters
        self.clients = 0
        self._timer: asyncio.TimerHandle | None = None
        self._paused = False  # the pending flush is the one after a resync
        self._last_flush = float("-inf")  # loop time of the last flush
        self._beat = loop.call_later(HEARTBEAT, self._heartbeat)
        self._unsubscribe: Unsubscribe = bus.on_any(self.inbox)

    def _schedule(self) -> None:
        if self._timer is None:
            # The first event after a quiet spell goes out on the loop's next turn (with
            # whatever else the same request publishes), so an idle tab sees a change at once;
            # under load flushes still come at most every FLUSH seconds.
            if self._paused:
                delay = RESYNC_PAUSE
            else:
                delay = max(0.0, self._last_flush + FLUSH - self.loop.time())
            self._timer = self.loop.call_later(delay, self._flush)

    def _flush(self) -> None:
        self._timer = None
        self._last_flush = self.loop.time()
        limit = QUEUE_SIZE if self._paused else FRAMES_PER_FLUSH
        self._paused = self.inbox.overflowed or self.inbox.queue.qsize() > limit
        if self._paused:
            self.inbox.drain()
            self._publish(RESYNC)
        else:
            self._publish("".join(frame(item["kind"], item) for item in self.inbox.take()))

    def _heartbeat(self) -> None:
        self._beat = self.loop.call_later(HEARTBEAT, self._heartbeat)
        self._publish(KEEP_ALIVE)

    def _publish(self, text: str) -> None:
        if not text:
            return
        self.log.append(text.encode())  # once, for every stream
        self.seq += 1
        changed, self.changed = self.changed, asyncio.Event()
        changed.set()

    def since(self, seq: int) -> bytes:
        """What a stream that has written up to flush ``seq`` writes next."""
        behind = self.seq - seq
        if behind == 1:  # the usual case: one flush since the last write
            return self.log[-1]
        if behind > len(self.log):  # its part of the log is gone
            return RESYNC.encode()
        return b"".join(self.log[i] for i in range(len(self.log) - behind, len(self.log)))

    def close(self) -> None:
        self._unsubscribe()
        self._beat.cancel()
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


# One broadcaster per bus while it has streams; weak, so a runtime that is dropped takes its
# broadcaster with it.
_broadcasters: weakref.WeakKeyDictionary[EventBus, Broadcaster] = weakref.WeakKeyDictionary()


def _join(bus: EventBus) -> Broadcaster:
    loop = asyncio.get_running_loop()
    hub = _broadcasters.get(bus)
    if hub is None or hub.loop is not loop:  # a server restarted on another loop
        hub = _broadcasters[bus] = Broadcaster(bus, loop)
    hub.clients += 1
    return hub


def _leave(bus: EventBus, hub: Broadcaster) -> None:
    hub.clients -= 1
    if hub.clients == 0:  # nobody listens: off the bus, so events cost nothing at all
        hub.close()
        if _broadcasters.get(bus) is hub:
            del _broadcasters[bus]


async def stream(request: Request) -> AsyncIterator[bytes]:
    rt = runtime(request)
    # Joined inside the generator, so that its `finally` is sure to run: a response that
    # never starts never leaves a subscriber behind.
    hub = _join(rt.bus)
    seen = hub.seq
    try:
        yield f"retry: 1000\n: connected {iso(rt.clock.now())}\n\n".encode()
        while True:
            if seen == hub.seq:
                await hub.changed.wait()  # no timer per stream: the heartbeat is a flush
            chunk, seen = hub.since(seen), hub.seq
            yield chunk
    finally:
        _leave(rt.bus, hub)


async def events(request: Request) -> Response:
    return StreamingResponse(
        stream(request),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


routes = [Route("/_sandbox/events", events, methods=["GET"])]
