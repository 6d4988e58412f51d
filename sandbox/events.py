"""One bus for everything that happens: the webhook outbox, failover workflows and the UI's live
stream all subscribe here instead of being called by the engine directly.

Subscribers are plain synchronous callables, called in subscription order, so that everything
caused by one event has been queued before the call that published it returns.
"""

from __future__ import annotations

from collections.abc import Callable
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


class EventBus:
    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        self._subscribers.append(subscriber)

        def unsubscribe() -> None:
            if subscriber in self._subscribers:
                self._subscribers.remove(subscriber)

        return unsubscribe

    def publish(self, event: Event) -> None:
        for subscriber in list(self._subscribers):
            subscriber(event)
