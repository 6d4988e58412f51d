"""Sender tasks and chains: each queued delivery becomes a task; first attempts in one chain
(a message's webhooks, or a workflow's) go out one after another in the order their events
happened. Retries are independent, as Vonage retries each event on its own.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from sandbox.core.events import ErrorRaised, EventBus
from sandbox.core.ledger import Delivery
from sandbox.webhooks.tickets import Tickets

log = logging.getLogger("nexmo_sandbox.webhooks")


class Chains:
    def __init__(
        self, bus: EventBus, tickets: Tickets, attempt: Callable[[Delivery], Awaitable[object]]
    ) -> None:
        self.bus = bus
        self.tickets = tickets
        self.attempt = attempt
        self.queued: list[Delivery] = []
        self._tails: dict[str, asyncio.Future[None]] = {}

    def put(self, delivery: Delivery) -> None:
        self.queued.append(delivery)
        self.start()

    def start(self) -> None:
        """Start a task for everything queued (outside the server's loop: settle starts them)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        queued, self.queued = self.queued, []
        for delivery in queued:
            first = not delivery.attempts
            key = delivery.chain or delivery.message_uuid or delivery.dispatch_uuid or delivery.id
            previous = self._tails.get(key) if first else None
            done: asyncio.Future[None] = loop.create_future()
            if first:
                self._tails[key] = done
            self.tickets.add(loop.create_task(self._run(delivery, previous, done, key)))

    async def _run(
        self,
        delivery: Delivery,
        previous: asyncio.Future[None] | None,
        done: asyncio.Future[None],
        key: str,
    ) -> None:
        try:
            if previous is not None:
                await asyncio.shield(previous)
            await self.attempt(delivery)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug here must not kill the loop or lose the record
            log.exception("webhook %s failed unexpectedly", delivery.id)
            self.bus.publish(ErrorRaised(f"webhook {delivery.id}", repr(exc)))
        finally:
            if not done.done():
                done.set_result(None)
            if self._tails.get(key) is done:
                del self._tails[key]

    def drop(self, ids: set[str] | None = None) -> None:
        """Forget queued deliveries (all, or those of ``ids``)."""
        if ids is None:
            self.queued.clear()
            self._tails.clear()
        else:
            self.queued = [d for d in self.queued if d.id not in ids]
