"""Settling: what a call waits for before it answers.

Every started attempt is a task with a ticket. A caller takes a checkpoint before it acts and
then settles: waits for the tasks with later tickets, including those they start in turn. So a
call waits only for what it caused, and a webhook receiver that calls back into the control API
while its own webhook is in flight does not wait for itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable


class Tickets:
    def __init__(self) -> None:
        self._tasks: dict[asyncio.Task[None], int] = {}  # in ticket order
        self._ticket = 0
        self.on_done: Callable[[int], None] | None = None  # told how many are left in flight

    def add(self, task: asyncio.Task[None]) -> None:
        self._ticket += 1
        self._tasks[task] = self._ticket
        task.add_done_callback(self._forget)

    def _forget(self, task: asyncio.Task[None]) -> None:
        self._tasks.pop(task, None)
        if self.on_done is not None:
            self.on_done(len(self._tasks))

    def __len__(self) -> int:
        return len(self._tasks)

    def checkpoint(self) -> int:
        return self._ticket

    async def settle(
        self, after: int, start_queued: Callable[[], None], limit: float | None = None
    ) -> bool:
        """Return once every task with a ticket after ``after`` is done; ``start_queued`` is
        called first and after each round, so what is queued is started (and waited for).
        With ``limit`` (real seconds), return by then whatever is still in flight: False."""
        loop = asyncio.get_running_loop()
        deadline = None if limit is None else loop.time() + limit
        start_queued()
        while pending := self._since(after):
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                return False
            await asyncio.wait(pending, timeout=remaining)
            start_queued()
        return True

    def _since(self, after: int) -> list[asyncio.Task[None]]:
        # Walk back from the newest and stop at the checkpoint: settling costs what the caller
        # caused, not everything in flight.
        newer: list[asyncio.Task[None]] = []
        for task in reversed(self._tasks):
            if self._tasks[task] <= after:
                break
            newer.append(task)
        return newer

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()
