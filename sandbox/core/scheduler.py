"""Time-ordered timers on the virtual clock (a heap); nothing else.

Cancelling is lazy: a cancelled timer stays in the heap until it reaches the top, which keeps
both scheduling and cancelling O(log n) even with 100,000 pending failover timers.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

# What a timer does: a handset acting on its own, a Dispatch expiry, a webhook retry.
TimerKind = Literal[
    "auto-deliver",
    "auto-read",
    "failover",
    "webhook-retry",
    "webhook-delay",  # a chaos rule holds a webhook back (webhooks/faults.py)
    "handset",
    "persona",
    "ttl",
    "rule",
    "chaos",  # a chaos rule rejects a message, or releases a held one
]


@dataclass(eq=False, slots=True)
class Timer:
    due: float
    seq: int
    kind: TimerKind
    description: str
    action: Callable[[], None] = field(repr=False)
    owner: str | None = None  # application id, so a reset of one application drops its timers
    ref: str | None = None  # what it acts on (a message uuid, a dispatch uuid, a delivery id)
    cancelled: bool = False

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.seq,
            "due": self.due,
            "kind": self.kind,
            "description": self.description,
            "ref": self.ref,
            "application_id": self.owner,
        }


class TimerObserver(Protocol):
    def added(self, timer: Timer) -> None: ...
    def removed(self, timer: Timer) -> None: ...
    def cleared(self, owner: str | None) -> None: ...


class Scheduler:
    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Timer]] = []
        self._seq = itertools.count(1)
        self._live = 0
        self.on_change: Callable[[], None] | None = None  # wakes the live-mode ticker
        # Told of every timer added and every one that stops being pending (fired, cancelled,
        # cleared): how `--db` keeps the timers whose owners cannot rebuild them.
        self.observer: TimerObserver | None = None

    def __len__(self) -> int:
        return self._live

    def at(
        self,
        due: float,
        kind: TimerKind,
        description: str,
        action: Callable[[], None],
        *,
        owner: str | None = None,
        ref: str | None = None,
    ) -> Timer:
        timer = Timer(due, next(self._seq), kind, description, action, owner, ref)
        heapq.heappush(self._heap, (due, timer.seq, timer))
        self._live += 1
        if self.observer is not None:
            self.observer.added(timer)
        if self.on_change is not None:
            self.on_change()
        return timer

    def cancel(self, timer: Timer | None) -> None:
        if timer is not None and not timer.cancelled:
            timer.cancelled = True
            self._live -= 1
            if self.observer is not None:
                self.observer.removed(timer)

    def _drop_cancelled(self) -> None:
        heap = self._heap
        while heap and heap[0][2].cancelled:
            heapq.heappop(heap)

    def next_due(self) -> float | None:
        self._drop_cancelled()
        return self._heap[0][0] if self._heap else None

    def pop_next(self, until: float) -> Timer | None:
        """The earliest live timer due at or before ``until``, removed; else None."""
        self._drop_cancelled()
        if self._heap and self._heap[0][0] <= until:
            timer = heapq.heappop(self._heap)[2]
            timer.cancelled = True  # fired timers are no longer pending
            self._live -= 1
            if self.observer is not None:
                self.observer.removed(timer)
            return timer
        return None

    def pending(self, limit: int | None = None) -> list[Timer]:
        live = [t for _, _, t in self._heap if not t.cancelled]
        live.sort(key=lambda t: (t.due, t.seq))
        return live if limit is None else live[:limit]

    def clear(self, owner: str | None = None) -> None:
        if owner is None:
            self._heap.clear()
            self._live = 0
        else:
            for _, _, timer in self._heap:
                if timer.owner == owner and not timer.cancelled:
                    timer.cancelled = True
                    self._live -= 1
        if self.observer is not None:
            self.observer.cleared(owner)
