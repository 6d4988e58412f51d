"""The pure core wired together the way the runtime does it, without HTTP: a manual virtual
clock, the scheduler, the bus, a memory store, the engine, the timeline and both workflow
runners. Time moves only through :meth:`Core.advance` (``Timeline.advance`` under asyncio.run).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fake_channels import default_registry
from sandbox.core.channel import Registry
from sandbox.core.clock import VirtualClock
from sandbox.core.config import RunConfig
from sandbox.core.dispatch import Condition, ConditionStatus, Dispatches, DispatchItem
from sandbox.core.engine import Engine
from sandbox.core.events import Event, EventBus
from sandbox.core.failover import Failover
from sandbox.core.models import InboundDraft, Outbound, Sender
from sandbox.core.scheduler import Scheduler
from sandbox.core.store import MemoryStore
from sandbox.core.timeline import Moved, Timeline

START = 1_700_000_000.0
USER = "447700900001"  # an end user's handset
APP_NUMBER = "447700900000"  # the app's own number
APP_ID = "app-1"

E = TypeVar("E", bound=Event)


@dataclass
class Core:
    clock: VirtualClock
    scheduler: Scheduler
    bus: EventBus
    store: MemoryStore
    engine: Engine
    timeline: Timeline
    failover: Failover
    dispatches: Dispatches
    events: list[Event] = field(default_factory=list)  # everything published, in order

    def advance(self, seconds: float) -> Moved:
        return asyncio.run(self.timeline.advance(seconds))

    def record(self, kind: type[E]) -> list[E]:
        """A list that collects every event of ``kind`` published from now on."""
        out: list[E] = []
        self.bus.on(kind, out.append)
        return out

    def of(self, kind: type[E]) -> list[E]:
        """The events of ``kind`` published so far (in order)."""
        return [e for e in self.events if isinstance(e, kind)]

    def kinds(self) -> list[str]:
        return [e.kind for e in self.events]


def make_core(
    config: RunConfig | None = None,
    *,
    channels: Registry | None = None,
    start: float = START,
) -> Core:
    clock = VirtualClock("manual", start=start)
    scheduler = Scheduler()
    bus = EventBus()
    store = MemoryStore()
    engine = Engine(
        clock=clock,
        scheduler=scheduler,
        store=store,
        channels=channels or default_registry(),
        bus=bus,
        config=config,
    )
    events: list[Event] = []
    bus.on_any(events.append)  # before the runners: sees each event before they react to it
    timeline = Timeline(clock, scheduler, bus)
    failover = Failover(engine, bus, scheduler)
    dispatches = Dispatches(engine, bus, scheduler)
    return Core(clock, scheduler, bus, store, engine, timeline, failover, dispatches, events)


def outbound(
    channel: str = "sms",
    *,
    to: str = USER,
    from_: str = APP_NUMBER,
    message_type: str = "text",
    text: str = "hello",
    content: dict[str, Any] | None = None,
    **extra: Any,
) -> Outbound:
    return Outbound(
        channel=channel,
        to=to,
        from_=from_,
        message_type=message_type,
        content=content if content is not None else {"text": text},
        **extra,
    )


def inbound(
    channel: str = "sms",
    *,
    from_: str = USER,
    to: str = APP_NUMBER,
    message_type: str = "text",
    text: str = "hi there",
    content: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    application_id: str | None = None,
) -> InboundDraft:
    return InboundDraft(
        channel=channel,
        from_=from_,
        to=to,
        message_type=message_type,
        content=content if content is not None else {"text": text},
        extra=extra or {},
        application_id=application_id,
    )


def dispatch_item(
    channel: str, condition: ConditionStatus | None = "delivered", expiry: int = 600
) -> DispatchItem:
    """A Dispatch workflow item; ``condition`` None for the last one."""
    addr: dict[str, Any] = {"viber_service": {"from_": "16273"}}.get(channel, {})
    failover = None if condition is None else Condition(expiry, condition)
    return DispatchItem(outbound(channel, text=f"via {channel}", **addr), failover)


def sender(application_id: str | None = APP_ID, api_key: str | None = None) -> Sender:
    return Sender(application_id=application_id, api_key=api_key)


def statuses(history: list[Any]) -> list[str]:
    return [c.status for c in history]
