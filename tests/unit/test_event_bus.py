"""The bus: subscribers in the order they subscribed, whatever they asked for, and a change
of subscription seen by the next event (the bus plans each kind's delivery once)."""

from __future__ import annotations

from sandbox.core.events import ClockMoved, Event, EventBus, Reset


def test_subscribers_run_in_subscription_order_across_kinds_and_any() -> None:
    bus = EventBus()
    calls: list[str] = []
    bus.on(Reset, lambda e: calls.append("reset-1"))
    bus.on_any(lambda e: calls.append("any"))
    bus.on(Reset, lambda e: calls.append("reset-2"))
    bus.on_any(lambda e: calls.append("first"), first=True)
    bus.publish(Reset())
    assert calls == ["first", "reset-1", "any", "reset-2"]


def test_subscribing_and_leaving_take_effect_from_the_next_event() -> None:
    bus = EventBus()
    seen: list[tuple[str, type[Event]]] = []
    bus.publish(Reset())  # a plan for Reset exists before anyone subscribes
    leave = bus.on(Reset, lambda e: seen.append(("a", type(e))))
    bus.publish(Reset())
    late: list[object] = []

    def joins_while_delivering(event: Event) -> None:
        if not late:
            late.append(bus.on(Reset, lambda e: seen.append(("late", type(e)))))

    bus.on(Reset, joins_while_delivering)
    bus.publish(Reset())  # `late` subscribes during this one: it gets only the next
    assert seen == [("a", Reset), ("a", Reset)]
    bus.publish(Reset())
    assert seen[-2:] == [("a", Reset), ("late", Reset)]
    leave()
    bus.publish(Reset())
    assert seen[-1:] == [("late", Reset)] and len(seen) == 5
    any_seen: list[type[Event]] = []
    bus.on_any(lambda e: any_seen.append(type(e)), kinds=[ClockMoved])
    bus.publish(Reset())
    bus.publish(ClockMoved(0.0, 1.0, 0))
    assert any_seen == [ClockMoved]


def test_heard_says_whether_anyone_would_get_a_kind_now() -> None:
    bus = EventBus()
    assert not bus.heard(Reset)  # a plan for nobody
    leave = bus.on(Reset, lambda e: None)
    assert bus.heard(Reset) and not bus.heard(ClockMoved)
    leave()
    assert not bus.heard(Reset)
    stop = bus.on_any(lambda e: None)  # everything: every kind is heard
    assert bus.heard(ClockMoved) and bus.heard(Reset)
    stop()
    assert not bus.heard(ClockMoved)
