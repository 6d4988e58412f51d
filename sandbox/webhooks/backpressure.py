"""Backpressure: slow a sender down while too many webhook attempts are in flight.

An app that sends faster than its receiver takes webhooks would otherwise grow the queue (and
the sandbox's memory) without bound. A send waits at most :data:`BACKPRESSURE_WAIT` real
seconds, so a receiver that sends from inside its own webhook handler is slowed, never stuck.
"""

from __future__ import annotations

import asyncio
import contextlib

# Sends wait while more attempts than this are in flight, until the backlog falls below half.
BACKLOG_HIGH = 1000
BACKPRESSURE_WAIT = 1.0


class Backpressure:
    def __init__(self) -> None:
        self._room: asyncio.Event | None = None  # set when the backlog falls below half

    def on_done(self, in_flight: int) -> None:
        if self._room is not None and in_flight <= BACKLOG_HIGH // 2:
            self._room.set()

    async def wait(self, in_flight: int, most: float = BACKPRESSURE_WAIT) -> None:
        if in_flight <= BACKLOG_HIGH:
            return
        if self._room is None:
            self._room = asyncio.Event()
        self._room.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._room.wait(), most)
