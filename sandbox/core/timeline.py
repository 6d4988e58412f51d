"""Moving virtual time: fire the timers that fall due, in order, and let their effects settle.

The engine's timer actions are synchronous and do no I/O. What they cause outside (webhook
POSTs) is awaited through the *settler* between batches of timers, so that a receiver sees the
webhooks of virtual second 5 before the timers of virtual second 15 run, and a retry scheduled by
a failed attempt at second 5 is itself in the heap when the clock reaches it.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from dataclasses import dataclass
from typing import Protocol

from sandbox.core.clock import VirtualClock
from sandbox.core.events import ClockMoved, ErrorRaised, EventBus
from sandbox.core.scheduler import Scheduler, Timer

log = logging.getLogger("nexmo_sandbox")


class Settler(Protocol):
    """Something whose effects a caller can wait for: checkpoint before acting, then settle."""

    def checkpoint(self) -> int: ...

    async def settle(self, after: int = 0) -> None: ...


class _Nothing:
    """The settler of a timeline with nothing outside to wait for (unit tests)."""

    def checkpoint(self) -> int:
        return 0

    async def settle(self, after: int = 0) -> None:
        return None


# run_until_idle stops after this many timers: periodic work must not make it spin forever.
IDLE_LIMIT = 1_000_000


@dataclass(slots=True)
class Moved:
    start: float
    end: float
    fired: int


class Timeline:
    def __init__(
        self,
        clock: VirtualClock,
        scheduler: Scheduler,
        bus: EventBus,
        settler: Settler | None = None,
    ) -> None:
        self.clock = clock
        self.scheduler = scheduler
        self.bus = bus
        self.settler: Settler = settler or _Nothing()
        self._lock = asyncio.Lock()

    def _run(self, timer: Timer) -> None:
        try:
            timer.action()
        except Exception:  # a broken timer must not stop time for everything else
            text = traceback.format_exc()
            log.error("timer %s (%s) failed:\n%s", timer.seq, timer.kind, text)
            self.bus.publish(ErrorRaised(f"timer {timer.kind}", text))

    def _fire_until(self, until: float) -> int:
        """Fire every timer due at or before ``until`` that shares the earliest due time."""
        first = self.scheduler.pop_next(until)
        if first is None:
            return 0
        self.clock.move_to(first.due)
        self._run(first)
        fired = 1
        while (timer := self.scheduler.pop_next(first.due)) is not None:
            self._run(timer)
            fired += 1
        return fired

    def checkpoint(self) -> int:
        return self.settler.checkpoint()

    async def settle(self, mark: int = 0) -> None:
        """Wait for what happened since checkpoint ``mark`` (everything in flight: 0)."""
        await self.settler.settle(mark)

    async def _step_to(self, target: float) -> int:
        fired = 0
        while True:
            mark = self.checkpoint()
            batch = self._fire_until(target)
            if not batch:
                break
            fired += batch
            await self.settle(mark)
        return fired

    def fire_due(self) -> int:
        """Fire what is due now without waiting for its webhooks (after an API send: Vonage
        answers 202 before any webhook goes out)."""
        fired = 0
        while batch := self._fire_until(self.clock.now()):
            fired += batch
        return fired

    def follow_to(self, target: float) -> Moved:
        """Move to ``target`` firing what falls due on the way, in order, without waiting for
        webhooks between batches: the clock being followed (a test's freezegun) has already
        moved, and the request that noticed may come from a webhook receiver mid-delivery."""
        start = self.clock.now()
        fired = 0
        while batch := self._fire_until(target):
            fired += batch
        self.clock.move_to(target)
        return self._moved(start, fired)

    async def catch_up(self, mark: int | None = None) -> int:
        """Fire what is due now and wait for what that, and whatever happened since ``mark``
        (a checkpoint taken before the caller acted), caused."""
        mark = self.checkpoint() if mark is None else mark
        if self._lock.locked():
            # Called from inside a running advance (a webhook receiver calling back): waiting
            # for the lock would wait for ourselves. Fire what is due and settle our own part.
            fired = self.fire_due()
            await self.settle(mark)
            return fired
        async with self._lock:
            fired = await self._step_to(self.clock.now())
            await self.settle(mark)
            return fired

    async def advance(self, seconds: float) -> Moved:
        async with self._lock:
            start = self.clock.now()
            mark = self.checkpoint()
            target = start + max(0.0, seconds)
            fired = await self._step_to(target)
            self.clock.move_to(target)
            await self.settle(mark)
            return self._moved(start, fired)

    async def advance_to_next(self) -> Moved:
        async with self._lock:
            start = self.clock.now()
            mark = self.checkpoint()
            due = self.scheduler.next_due()
            fired = 0
            if due is not None:
                self.clock.move_to(due)
                fired = await self._step_to(max(due, start))
            await self.settle(mark)
            return self._moved(start, fired)

    async def run_until_idle(self, limit: int = IDLE_LIMIT) -> Moved:
        async with self._lock:
            start = self.clock.now()
            fired = 0
            while fired < limit:
                due = self.scheduler.next_due()
                if due is None:
                    break
                mark = self.checkpoint()
                batch = self._fire_until(max(due, self.clock.now()))
                fired += batch
                await self.settle(mark)
            return self._moved(start, fired)

    def _moved(self, start: float, fired: int) -> Moved:
        moved = Moved(start, self.clock.now(), fired)
        if moved.end != start or fired:
            self.bus.publish(ClockMoved(moved.start, moved.end, moved.fired))
        return moved


async def live_ticker(timeline: Timeline, wake: asyncio.Event) -> None:
    """In live mode, fire timers as the wall clock reaches them. Runs for the app's lifetime."""
    clock, scheduler = timeline.clock, timeline.scheduler
    while True:
        delay: float | None = None
        if clock.mode == "live":
            due = scheduler.next_due()
            if due is not None:
                delay = max(0.0, due - clock.now())
        try:
            if delay is None:
                await wake.wait()
            elif delay > 0:
                await asyncio.wait_for(wake.wait(), timeout=delay)
        except TimeoutError:
            pass
        wake.clear()
        if clock.mode == "live":
            # Fire and go on: in live mode real time passes anyway, each message's webhooks
            # are still chained in order, and nobody is waiting on this call to answer.
            timeline.fire_due()
