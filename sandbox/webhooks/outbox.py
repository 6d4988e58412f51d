"""Webhooks: from engine events to signed POSTs, retried on the virtual clock, all recorded.

    bus event ──> Delivery (ledger) ──> chains ──> attempt: POST via httpx lanes
                  routing.py             sender.py   attempts.py   │ 429 / 5xx / timeout / error
                  wire/ (payload)                                  └──> retry timer (virtual)

:meth:`Webhooks.settle` is what the timeline and the control API await, so a call that caused a
webhook answers only after that webhook was attempted once (tickets.py); sends slow down while
too many attempts are in flight (backpressure.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable
from typing import Any

import httpx

from sandbox.core.channel import Registry
from sandbox.core.chaos import ChaosBook
from sandbox.core.clock import VirtualClock
from sandbox.core.config import RunConfig
from sandbox.core.errors import StorageFailed
from sandbox.core.events import (
    DispatchEnded,
    EventBus,
    MessageInbound,
    MessageStatus,
    MessageWithdrawn,
    Pruned,
    Reset,
    WebhookUpdated,
)
from sandbox.core.ledger import Delivery, DeliveryKind, Ledger
from sandbox.core.models import Message, StatusChange
from sandbox.core.scheduler import Scheduler
from sandbox.core.store import Store
from sandbox.webhooks.attempts import Attempts
from sandbox.webhooks.backpressure import BACKPRESSURE_WAIT, Backpressure
from sandbox.webhooks.contract import Reports
from sandbox.webhooks.engine import network_transport
from sandbox.webhooks.faults import WebhookFaults
from sandbox.webhooks.lanes import DEFAULT_LANES, HttpLanes
from sandbox.webhooks.routing import Route, Routing
from sandbox.webhooks.sender import Chains
from sandbox.webhooks.signing import generate_secret
from sandbox.webhooks.tickets import Tickets
from sandbox.wire.inbound import inbound_payload
from sandbox.wire.report import dispatch_report
from sandbox.wire.status import status_payload

USER_AGENT = "nexmo-sandbox webhooks"


class Webhooks:
    def __init__(
        self,
        *,
        bus: EventBus,
        clock: VirtualClock,
        scheduler: Scheduler,
        store: Store,
        channels: Registry,
        config: RunConfig,
        signature_secret: str | None = None,
        connect_timeout: float = 3.0,
        timeout: float = 15.0,
        transport: httpx.AsyncBaseTransport | None = None,
        self_base: Callable[[], str] = lambda: "http://127.0.0.1:8000",
        chaos: ChaosBook | None = None,
    ) -> None:
        self.bus = bus
        self.clock = clock
        self.channels = channels
        self._status_renders: dict[str, Callable[[Message, StatusChange], dict[str, Any]]] = {}
        self.signature_secret = signature_secret or generate_secret()
        self.timeouts = httpx.Timeout(timeout, connect=connect_timeout, pool=None)
        # The longest one attempt may hold a connection (a receiver that trickles its answer
        # byte by byte never trips httpx's per-read timeout), and so the longest a control
        # call waits for the webhooks it caused.
        self.attempt_limit = connect_timeout + timeout
        self.settle_limit = self.attempt_limit + 1.0
        self.transport = transport
        self.self_base = self_base
        self.ledger = Ledger()
        self.routing = Routing(store, config, self.signature_secret, channels)
        self._lanes: HttpLanes | None = None
        self.tickets = Tickets()
        self._backpressure = Backpressure()
        self.tickets.on_done = self._backpressure.on_done
        self.attempts = Attempts(
            clock=clock,
            scheduler=scheduler,
            routing=self.routing,
            http=self._http,
            requeue=self._retry,
            changed=self._changed,
            kept=self.ledger.holds,
            limit=lambda: self.attempt_limit,
        )
        self.chains = Chains(bus, self.tickets, self._attempt_if_kept)
        self.scheduler = scheduler
        self.chaos = chaos or ChaosBook(clock)
        self.faults = WebhookFaults(
            book=self.chaos,
            scheduler=scheduler,
            store=store,
            ledger=self.ledger,
            put=self.chains.put,
            changed=self._changed,
        )
        self.attempts.down = self.faults.down_for
        # The last webhook contract test per application (webhooks/contract.py).
        self.contract_reports = Reports(bus)
        self.attempts.retry_any = lambda: config.retry_policy == "hosted-sandbox"
        bus.on(MessageStatus, self._on_status)
        bus.on(MessageInbound, self._on_inbound)
        bus.on(DispatchEnded, self._on_dispatch_ended)
        bus.on(Reset, self._on_reset)
        bus.on(Pruned, self._on_pruned)
        bus.on(MessageWithdrawn, self._on_withdrawn)

    # -- transport ---------------------------------------------------------------------------
    def set_transport(self, transport: httpx.AsyncBaseTransport | None) -> None:
        """Send future webhooks through ``transport`` (e.g. httpx.ASGITransport(app))."""
        self.transport = transport
        old, self._lanes = self._lanes, None
        if old is not None:
            with contextlib.suppress(RuntimeError):
                asyncio.get_running_loop().create_task(old.aclose())

    def _http(self) -> HttpLanes:
        if self._lanes is None:
            # An injected transport (an app object, a mock) carries every webhook; the network
            # gets lanes of one keep-alive connection each (see lanes.py), and no proxy from
            # the environment (it must not swallow loopback: engine.py).
            injected = self.transport
            self._lanes = HttpLanes(
                network_transport if injected is None else lambda: injected,
                0 if injected is not None else DEFAULT_LANES,
                headers={"User-Agent": USER_AGENT},
                timeout=self.timeouts,
            )
        return self._lanes

    async def aclose(self) -> None:
        self.tickets.cancel_all()
        if self._lanes is not None:
            await self._lanes.aclose()
            self._lanes = None

    # -- events ------------------------------------------------------------------------------
    def _on_status(self, event: MessageStatus) -> None:
        message, change = event.message, event.change
        route = self.routing.status(message)
        workflow = message.workflow
        # Rendered when first needed (Delivery.body).
        self.enqueue(
            "status",
            change.status,
            self._status_render(route.version),
            route,
            args=(message, change),
            at=change.at,  # the same instant, and one float fewer per stored message
            message_uuid=message.uuid,
            application_id=message.application_id,
            api_key=message.api_key,
            dispatch_uuid=workflow.id if workflow and workflow.kind == "dispatch" else None,
            chain=workflow.id if workflow is not None else None,
        )

    def _status_render(self, version: str) -> Callable[[Message, StatusChange], dict[str, Any]]:
        """One renderer per webhook version, shared by every status delivery: its arguments
        are then two (message, change), not four, ~16 bytes of each stored message."""
        render = self._status_renders.get(version)
        if render is None:
            channels = self.channels

            def render(message: Message, change: StatusChange) -> dict[str, Any]:
                return status_payload(message, change, channels[message.channel], version)

            self._status_renders[version] = render
        return render

    def _on_inbound(self, event: MessageInbound) -> None:
        message = event.message
        route = self.routing.inbound(message)
        channel = self.channels[message.channel]
        self.enqueue(
            "inbound",
            "inbound",
            inbound_payload,
            route,
            args=(message, channel, route.version, self.self_base()),
            message_uuid=message.uuid,
            application_id=message.application_id,
            api_key=message.api_key,
        )

    def _on_dispatch_ended(self, event: DispatchEnded) -> None:
        wf = event.workflow
        # Rendered now: late statuses of earlier items still update the workflow afterwards.
        report = dispatch_report(wf, self.channels)
        self.enqueue(
            "report",
            wf.status,
            lambda: report,
            self.routing.report(wf.sender.application_id),
            dispatch_uuid=wf.id,
            application_id=wf.sender.application_id,
            api_key=wf.sender.api_key,
            chain=wf.id,
        )

    def enqueue(
        self,
        kind: DeliveryKind,
        event: str,
        payload: Callable[..., dict[str, Any]],
        route: Route,
        *,
        args: tuple[Any, ...] = (),
        at: float | None = None,
        message_uuid: str | None = None,
        dispatch_uuid: str | None = None,
        application_id: str | None = None,
        api_key: str | None = None,
        chain: str | None = None,
    ) -> Delivery:
        delivery = Delivery(
            seq=self.ledger.new_seq(),
            kind=kind,
            event=event,
            url=route.url,
            version=route.version,
            source=(payload, *args),
            created_at=self.clock.now() if at is None else at,
            message_uuid=message_uuid,
            dispatch_uuid=dispatch_uuid,
            application_id=application_id,
            api_key=api_key or "",
            chain=chain,
        )
        self.ledger.add(delivery)
        if route.url is None:
            # Nowhere to send it: recorded, visible, never lost, and never retried.
            delivery.state = "no_url"
        try:
            self._changed(delivery)
        except StorageFailed:
            self.ledger.discard(delivery)  # the event that caused it is taken back too
            raise
        if route.url is not None:
            if self.chaos.active:
                self.faults.route(delivery)  # dropped, held, duplicated: webhooks/faults.py
            else:
                self.chains.put(delivery)
        return delivery

    async def _attempt_if_kept(self, delivery: Delivery) -> None:
        # Queued, then taken back before its turn (its message withdrawn, pruned, reset):
        # nothing to send for a record that is gone.
        if self.ledger.holds(delivery):
            await self.attempts.attempt(delivery)

    def resume(self, delivery: Delivery) -> None:
        """Take back a delivery kept across a restart (`--db`): a retry waits for its time
        again; one that was in flight when the process died is attempted again (at least once,
        as Vonage delivers)."""
        self.ledger.restore(delivery)
        if delivery.state == "retrying" and delivery.next_attempt_at is not None:
            self.attempts.arm_retry(delivery, delivery.next_attempt_at)
        elif delivery.state == "pending" and delivery.url is not None:
            self.chains.put(delivery)

    # -- retries and resends -----------------------------------------------------------------
    def _retry(self, delivery: Delivery) -> None:
        if not self.ledger.holds(delivery) or delivery.state != "retrying":
            return
        delivery.timer = None
        self.chains.put(delivery)

    async def resend(self, delivery: Delivery, url: str | None = None) -> Delivery:
        """One more attempt now (to ``url`` if given), whatever state it was in."""
        self.scheduler.cancel(delivery.timer)
        delivery.timer = None
        if url is not None:
            delivery.url = url
        if delivery.url is None:
            delivery.url = self.routing.default_url(delivery.kind)
        if delivery.url is None:
            return delivery
        delivery.state = "pending"
        await self.attempts.attempt(delivery)
        return delivery

    # -- settling ----------------------------------------------------------------------------
    def checkpoint(self) -> int:
        """Take before an action; `settle(after=...)` then waits for what the action caused."""
        self.chains.start()
        return self.tickets.checkpoint()

    async def settle(self, after: int = 0) -> None:
        """Return once every attempt started after checkpoint ``after`` is done (by default
        everything in flight), including attempts those cause in turn — or once
        :attr:`settle_limit` real seconds passed: a call waiting on a receiver that hangs
        answers anyway (`in_flight` says what is still out) instead of hanging with it."""
        await self.tickets.settle(after, self.chains.start, self.settle_limit)

    async def backpressure(self, most: float = BACKPRESSURE_WAIT) -> None:
        """Slow a sender down while too many attempts are in flight (backpressure.py)."""
        await self._backpressure.wait(len(self.tickets), most)

    @property
    def in_flight(self) -> int:
        return len(self.tickets) + len(self.chains.queued)

    def _changed(self, delivery: Delivery) -> None:
        if self.bus.heard(WebhookUpdated):
            self.bus.publish(WebhookUpdated(delivery))

    def _on_pruned(self, event: Pruned) -> None:
        self._forget_messages(m.uuid for m in event.messages)

    def _on_withdrawn(self, event: MessageWithdrawn) -> None:
        self._forget_messages([event.message.uuid])

    def _forget_messages(self, uuids: Iterable[str]) -> None:
        # As after a reset: attempts in flight finish, and no retry follows a dropped record.
        dropped = self.ledger.drop_messages(uuids)
        if dropped and self.chains.queued:
            self.chains.drop({d.id for d in dropped})
        if dropped:
            self.faults.forget({d.id for d in dropped})

    def _on_reset(self, event: Reset) -> None:
        # Attempts already in flight are left to finish (their outcome lands on records no
        # longer in the ledger, and no retry follows: see _retry). Cancelling them mid-request
        # could leave a lane's one connection checked out for good, and every later webhook
        # behind it would wait forever (seen under resets at load).
        dropped = self.ledger.clear(event.scope)
        if event.scope is None:
            self.chains.drop()
            self.faults.forget()
        else:
            self.chains.drop({d.id for d in dropped})
            self.faults.forget({d.id for d in dropped})
