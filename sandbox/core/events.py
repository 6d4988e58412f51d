"""One bus for everything that happens: the webhook outbox, failover workflows and the UI's live
stream all subscribe here instead of being called by the engine directly.

Subscribers are plain synchronous callables, called in subscription order, so that everything
caused by one event has been queued before the call that published it returns.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

# Event kinds published today:
#   message.created  message.status  message.inbound  message.updated
#   clock.moved  webhook.updated  workflow.updated  reset  error
EventKind = str


@dataclass(frozen=True, slots=True)
class Event:
    kind: EventKind
    data: Any = None
    application_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


Subscriber = Callable[[Event], None]


Entry = tuple[int, Subscriber]  # (subscription order, subscriber)


class EventBus:
    """Subscribers name the kinds they want (or take everything); publishing looks only at
    those, so a busy sandbox does not call every listener for every event. Whatever they
    asked for, subscribers are called in the order they subscribed (webhooks before failover:
    a status webhook is queued before the failover message it triggers)."""

    def __init__(self) -> None:
        self._seq = itertools.count()
        self._all: list[Entry] = []
        self._by_kind: dict[EventKind, list[Entry]] = {}

    def subscribe(
        self, subscriber: Subscriber, kinds: Iterable[EventKind] | None = None
    ) -> Callable[[], None]:
        entry = (next(self._seq), subscriber)
        lists = [self._all] if kinds is None else [self._by_kind.setdefault(k, []) for k in kinds]
        for items in lists:
            items.append(entry)

        def unsubscribe() -> None:
            for items in lists:
                if entry in items:
                    items.remove(entry)

        return unsubscribe

    @property
    def subscriber_count(self) -> int:
        return len({e for items in (self._all, *self._by_kind.values()) for e in items})

    def publish(self, event: Event) -> None:
        targets = self._by_kind.get(event.kind)
        if not targets:
            entries = list(self._all)
        elif not self._all:
            entries = list(targets)
        else:
            entries = list(heapq.merge(targets, self._all, key=lambda e: e[0]))
        for _, subscriber in entries:
            subscriber(event)
