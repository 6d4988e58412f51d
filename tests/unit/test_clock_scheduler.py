from __future__ import annotations

import asyncio

from sandbox.core.clock import VirtualClock, iso, parse_iso
from sandbox.core.events import ErrorRaised, EventBus
from sandbox.core.scheduler import Scheduler
from sandbox.core.timeline import Timeline


def test_manual_clock_stands_still() -> None:
    walls = iter([1000.0, 5000.0])
    clock = VirtualClock("manual", wall=lambda: next(walls))
    assert clock.now() == 1000.0 == clock.now()
    clock.move_to(1010.0)
    assert clock.now() == 1010.0
    clock.move_to(1.0)  # never backwards
    assert clock.now() == 1010.0


def test_live_clock_follows_monotonic_time() -> None:
    mono = [0.0]
    clock = VirtualClock("live", start=100.0, monotonic=lambda: mono[0])
    mono[0] = 2.5
    assert clock.now() == 102.5
    clock.move_to(clock.now() + 60)
    mono[0] = 3.5
    assert clock.now() == 163.5


def test_iso_round_trip() -> None:
    assert iso(1577887200.0) == "2020-01-01T14:00:00.000Z"
    assert iso(1577887200.0, millis=False) == "2020-01-01T14:00:00Z"
    assert parse_iso("2020-01-01T14:00:00.250Z") == 1577887200.25


def test_scheduler_orders_and_cancels() -> None:
    s = Scheduler()
    fired: list[str] = []
    s.at(30, "failover", "c", lambda: fired.append("c"))
    a = s.at(10, "failover", "a", lambda: fired.append("a"))
    s.at(10, "failover", "b", lambda: fired.append("b"))
    s.cancel(a)
    assert len(s) == 2 and s.next_due() == 10
    while (t := s.pop_next(100)) is not None:
        t.action()
    assert fired == ["b", "c"]
    assert len(s) == 0 and s.next_due() is None


def test_timeline_fires_in_order_and_settles_between_batches() -> None:
    clock = VirtualClock("manual", start=0.0)
    s = Scheduler()
    bus = EventBus()
    tl = Timeline(clock, s, bus)
    log: list[tuple[str, float]] = []

    class Settler:
        def checkpoint(self) -> int:
            return 0

        async def settle(self, after: int = 0) -> None:
            log.append(("settle", clock.now()))

    tl.settler = Settler()
    s.at(5, "failover", "five", lambda: log.append(("five", clock.now())))
    # A timer that schedules another one that falls inside the same advance.
    s.at(
        2,
        "k",
        "two",
        lambda: (
            log.append(("two", clock.now())),
            s.at(3, "failover", "three", lambda: log.append(("three", clock.now()))),
        ),
    )
    moved = asyncio.run(tl.advance(10))
    assert moved.fired == 3 and clock.now() == 10
    assert [e for e in log if e[0] != "settle"] == [("two", 2), ("three", 3), ("five", 5)]
    assert log.index(("settle", 2)) < log.index(("three", 3))


def test_a_failing_timer_is_recorded_and_time_goes_on() -> None:
    clock = VirtualClock("manual", start=0.0)
    s = Scheduler()
    bus = EventBus()
    errors: list[ErrorRaised] = []
    bus.on(ErrorRaised, errors.append)
    tl = Timeline(clock, s, bus)
    s.at(1, "failover", "boom", lambda: 1 / 0)  # type: ignore[func-returns-value]
    after: list[float] = []
    s.at(2, "failover", "after", lambda: after.append(clock.now()))
    asyncio.run(tl.advance(5))
    assert after == [2] and len(errors) == 1
    assert "ZeroDivisionError" in errors[0].traceback and errors[0].where == "timer failover"


def test_hundred_thousand_timers() -> None:
    clock = VirtualClock("manual", start=0.0)
    s = Scheduler()
    tl = Timeline(clock, s, EventBus())
    count = [0]

    def tick() -> None:
        count[0] += 1

    for i in range(100_000):
        s.at(600 + (i % 7), "failover", "x", tick)
    asyncio.run(tl.advance(700))
    assert count[0] == 100_000 and len(s) == 0
