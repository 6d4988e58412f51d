"""One bus for everything that happens: the webhook outbox, failover workflows, persistence and
the live event stream all subscribe here instead of being called by the engine directly.

Each kind of event is its own frozen dataclass, so a subscriber gets typed data and a mistyped
kind fails the type check. ``kind`` (a :data:`EventKind`) is the name the event stream
(`GET /_sandbox/events`) gives it.

Subscribers are plain synchronous callables, called in subscription order, so that everything
caused by one event has been queued before the call that published it returns.
"""

from __future__ import annotations

import bisect
import contextlib
import heapq
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol, TypeVar

from sandbox.core.clock import iso

if TYPE_CHECKING:
    from sandbox.core.config import RunConfig
    from sandbox.core.ledger import Delivery
    from sandbox.core.models import Account, Application, Message, StatusChange
    from sandbox.core.workflow import Workflow

EventKind = Literal[
    "message.created",
    "message.status",
    "message.inbound",
    "message.updated",
    "message.withdrawn",
    "conversation.seen",
    "application.updated",
    "account.updated",
    "config.updated",
    "clock.moved",
    "webhook.updated",
    "workflow.updated",
    "dispatch.ended",
    "reset",
    "messages.pruned",
    "error",
]


@dataclass(frozen=True, slots=True)
class Event:
    kind: ClassVar[EventKind]

    @property
    def application_id(self) -> str | None:
        return None

    def summary(self) -> dict[str, Any]:
        """What changed, in a few ids: enough for a live page to know what to refetch."""
        out: dict[str, Any] = {"kind": self.kind}
        out.update(self._ids())
        if self.application_id is not None:
            out["application_id"] = self.application_id
        return out

    def _ids(self) -> dict[str, Any]:
        return {}


@dataclass(frozen=True, slots=True)
class _MessageEvent(Event):
    message: Message

    @property
    def application_id(self) -> str | None:
        return self.message.application_id

    def _ids(self) -> dict[str, Any]:
        m = self.message
        return {
            "message_uuid": m.uuid,
            "channel": m.channel,
            "peer": m.peer,
            "status": m.status,
            "direction": m.direction,
        }


@dataclass(frozen=True, slots=True)
class MessageCreated(_MessageEvent):
    kind: ClassVar[EventKind] = "message.created"


@dataclass(frozen=True, slots=True)
class MessageStatus(_MessageEvent):
    """An outbound message reached a status (including its first, `submitted`)."""

    kind: ClassVar[EventKind] = "message.status"
    change: StatusChange


@dataclass(frozen=True, slots=True)
class MessageInbound(_MessageEvent):
    """A simulated end user sent a message to the app."""

    kind: ClassVar[EventKind] = "message.inbound"


@dataclass(frozen=True, slots=True)
class MessageUpdated(_MessageEvent):
    """Something about a message changed that sends no webhook (an inbound message read)."""

    kind: ClassVar[EventKind] = "message.updated"


@dataclass(frozen=True, slots=True)
class MessageWithdrawn(_MessageEvent):
    """A message just accepted was taken back (`--db` could not keep it): what listeners made
    of it in memory (its webhook records) goes too. Published with :meth:`EventBus.notify`."""

    kind: ClassVar[EventKind] = "message.withdrawn"


@dataclass(frozen=True, slots=True)
class ConversationSeen(Event):
    """Inbound messages of one conversation were opened in the inbox."""

    kind: ClassVar[EventKind] = "conversation.seen"
    channel: str
    peer: str
    messages: tuple[Message, ...]

    def _ids(self) -> dict[str, Any]:
        return {"channel": self.channel, "peer": self.peer}


@dataclass(frozen=True, slots=True)
class ApplicationUpdated(Event):
    kind: ClassVar[EventKind] = "application.updated"
    app: Application

    @property
    def application_id(self) -> str | None:
        return self.app.id

    def _ids(self) -> dict[str, Any]:
        return {"id": self.app.id}


@dataclass(frozen=True, slots=True)
class AccountUpdated(Event):
    kind: ClassVar[EventKind] = "account.updated"
    account: Account


@dataclass(frozen=True, slots=True)
class ConfigUpdated(Event):
    kind: ClassVar[EventKind] = "config.updated"
    config: RunConfig


@dataclass(frozen=True, slots=True)
class ClockMoved(Event):
    kind: ClassVar[EventKind] = "clock.moved"
    start: float
    end: float
    fired: int

    def _ids(self) -> dict[str, Any]:
        return {"from": iso(self.start), "to": iso(self.end), "fired": self.fired}


@dataclass(frozen=True, slots=True)
class WebhookUpdated(Event):
    kind: ClassVar[EventKind] = "webhook.updated"
    delivery: Delivery

    @property
    def application_id(self) -> str | None:
        return self.delivery.application_id

    def _ids(self) -> dict[str, Any]:
        d = self.delivery
        out = {"id": d.id, "state": d.state}
        for name, value in (("message_uuid", d.message_uuid), ("dispatch_uuid", d.dispatch_uuid)):
            if value is not None:
                out[name] = value
        return out


@dataclass(frozen=True, slots=True)
class WorkflowUpdated(Event):
    kind: ClassVar[EventKind] = "workflow.updated"
    workflow: Workflow

    @property
    def application_id(self) -> str | None:
        return self.workflow.sender.application_id

    def _ids(self) -> dict[str, Any]:
        wf = self.workflow
        return {"id": wf.id, "status": wf.status, "workflow_kind": wf.kind}


@dataclass(frozen=True, slots=True)
class DispatchEnded(Event):
    """A Dispatch workflow ended: its one final report is due."""

    kind: ClassVar[EventKind] = "dispatch.ended"
    workflow: Workflow

    @property
    def application_id(self) -> str | None:
        return self.workflow.sender.application_id

    def _ids(self) -> dict[str, Any]:
        return {"dispatch_uuid": self.workflow.id, "status": self.workflow.status}


@dataclass(frozen=True, slots=True)
class Reset(Event):
    """Everything (``scope`` None) or one application's state was forgotten."""

    kind: ClassVar[EventKind] = "reset"
    scope: str | None = None

    @property
    def application_id(self) -> str | None:
        return self.scope


@dataclass(frozen=True, slots=True)
class Pruned(Event):
    """The retention bound (`--max-messages`) dropped the oldest conversations' messages;
    their webhook records go with them."""

    kind: ClassVar[EventKind] = "messages.pruned"
    messages: tuple[Message, ...]

    def _ids(self) -> dict[str, Any]:
        return {"count": len(self.messages)}


@dataclass(frozen=True, slots=True)
class ErrorRaised(Event):
    """An unexpected exception inside the sandbox (a bug), kept for tests to surface."""

    kind: ClassVar[EventKind] = "error"
    where: str
    traceback: str


E = TypeVar("E", bound=Event)
Subscriber = Callable[[E], None]
Unsubscribe = Callable[[], None]
_Entry = tuple[int, Callable[[Any], None]]  # (subscription order, subscriber)


_NO_UNIT: contextlib.nullcontext[None] = contextlib.nullcontext()


class UnitOfWork(Protocol):
    """Told when the outermost publish (or :meth:`EventBus.batch`) starts and ends: `--db`
    makes all the writes one cascade of events causes a single transaction."""

    def begin(self) -> None: ...
    def end(self, failed: BaseException | None) -> None: ...


class EventBus:
    """Subscribers name the kinds they want (or take everything); publishing looks only at
    those, so a busy sandbox does not call every listener for every event. Whatever they
    asked for, subscribers are called in the order they subscribed (webhooks before failover:
    a status webhook is queued before the failover message it triggers)."""

    def __init__(self) -> None:
        self._seq = itertools.count()
        self._first = itertools.count(-(10**12))  # before every ordinary subscriber
        self.unit: UnitOfWork | None = None
        self._depth = 0
        self._all: list[_Entry] = []
        self._by_kind: dict[type[Event], list[_Entry]] = {}
        # Who gets each kind, in order, worked out once per kind and again only after a
        # subscription changes: a send publishes a handful of events, and merging the lists
        # on every one of them was a tenth of the bus's cost.
        self._plans: dict[type[Event], tuple[Callable[[Any], None], ...]] = {}

    def on(self, kind: type[E], subscriber: Callable[[E], None]) -> Unsubscribe:
        """Call ``subscriber`` with every event of ``kind``."""
        return self._add([self._by_kind.setdefault(kind, [])], subscriber)

    def on_any(
        self,
        subscriber: Callable[[Event], None],
        kinds: Iterable[type[Event]] | None = None,
        *,
        first: bool = False,
    ) -> Unsubscribe:
        """Call ``subscriber`` with events of any of ``kinds`` (all events when None).
        ``first``: before every ordinary subscriber, whenever it subscribed (persistence: a
        change that cannot be written raises before anything else reacted to it)."""
        lists = [self._all] if kinds is None else [self._by_kind.setdefault(k, []) for k in kinds]
        return self._add(lists, subscriber, first=first)

    def _add(
        self, lists: list[list[_Entry]], subscriber: Callable[[Any], None], first: bool = False
    ) -> Unsubscribe:
        entry = (next(self._first if first else self._seq), subscriber)
        for items in lists:
            bisect.insort(items, entry, key=lambda e: e[0])
        self._plans.clear()

        def unsubscribe() -> None:
            for items in lists:
                if entry in items:
                    items.remove(entry)
            self._plans.clear()

        return unsubscribe

    @property
    def subscriber_count(self) -> int:
        return len({e for items in (self._all, *self._by_kind.values()) for e in items})

    def batch(self) -> contextlib.AbstractContextManager[None]:
        """Everything published inside is one unit of work (one `--db` transaction). With no
        unit (no `--db`) a shared no-op: a send's hot path pays no generator for it."""
        return _NO_UNIT if self.unit is None else self._unit_of_work()

    @contextlib.contextmanager
    def _unit_of_work(self) -> Iterator[None]:
        unit = self.unit
        self._depth += 1
        if self._depth == 1 and unit is not None:
            unit.begin()
        failed: BaseException | None = None
        try:
            yield
        except BaseException as exc:
            failed = exc
            raise
        finally:
            self._depth -= 1
            if self._depth == 0 and unit is not None:
                unit.end(failed)

    def heard(self, kind: type[Event]) -> bool:
        """Whether anyone listens for ``kind`` now. The workflow and webhook updates are for
        observers only (the event stream, `--db`): with none, a Dispatch firing skips making
        four events that nobody would get (bench/clock_scale.py)."""
        return bool(self._plan_for(kind))

    def notify(self, event: Event) -> None:
        """Publish outside any unit of work: for what nothing writes down (a withdrawal)."""
        self._deliver(event)

    def publish(self, event: Event) -> None:
        if self.unit is not None:
            with self._unit_of_work():
                self._deliver(event)
        else:
            self._deliver(event)

    def _deliver(self, event: Event) -> None:
        # A snapshot, as before: who subscribes or leaves while this event is being delivered
        # changes only the events after it.
        for subscriber in self._plan_for(type(event)):
            subscriber(event)

    def _plan_for(self, kind: type[Event]) -> tuple[Callable[[Any], None], ...]:
        plan = self._plans.get(kind)
        if plan is None:
            plan = self._plans[kind] = self._plan(kind)
        return plan

    def _plan(self, kind: type[Event]) -> tuple[Callable[[Any], None], ...]:
        targets = self._by_kind.get(kind, [])
        entries = heapq.merge(targets, self._all, key=lambda e: e[0])
        return tuple(subscriber for _, subscriber in entries)
