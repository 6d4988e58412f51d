"""The virtual clock following a clock outside: a test's freezegun or time-machine, when the
pytest fixture runs with ``follow_time=True``.

The source is a callable that answers the followed time, or None while nothing is faked. Before
each request the sandbox looks: time that moved on (``freezer.tick()``, ``move_to()``, a ticking
freeze) moves the virtual clock with it, firing what falls due on the way; a first freeze in the
past, before the sandbox holds anything, takes the clock back there. Time moved back after the
sandbox was used is refused (history would run backwards) and reported as an error, which the
fixture turns into a failed test.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.core.clock import iso
from sandbox.core.events import ErrorRaised
from sandbox.core.store import Store
from sandbox.core.timeline import Timeline

Source = Callable[[], float | None]

# A followed clock this close behind is the same instant (the virtual clock keeps milliseconds).
SAME_INSTANT = 0.001


class FollowedClock:
    def __init__(self, timeline: Timeline, store: Store) -> None:
        self.timeline = timeline
        self.clock = timeline.clock
        self.scheduler = timeline.scheduler
        self.store = store
        self.bus = timeline.bus
        self.source: Source | None = None
        self._refused: float | None = None  # the backwards move already reported
        self._followed = False  # since the last full reset
        # The followed time last seen: only its own moves count. An advance of the sandbox's
        # clock leaves it behind, and that is not the test's clock going back.
        self._last: float | None = None

    def follow(self, source: Source | None) -> None:
        self.source = source
        self._refused = None
        self._last = None
        self._followed = self._followed or source is not None

    def reset(self) -> None:
        """After a full reset: a clock that followed a test into its frozen past goes back to
        this process's time, so the next test does not start in 2024."""
        if self._followed and self.source is None:
            self.clock.rebase(self.clock.wall())
        self._followed = self.source is not None

    def sync(self) -> None:
        source = self.source
        if source is None:
            return
        target = source()
        if target is None or target == self._last:
            return
        last, self._last = self._last, target
        now = self.clock.now()
        if target > now:
            self.timeline.follow_to(target)
        elif last is not None and target >= last:
            return  # moved on, but not past where the sandbox's own advances took the clock
        elif target < now - SAME_INSTANT:
            if self.store.count() == 0 and self.scheduler.next_due() is None:
                self.clock.rebase(target)
            elif self._refused != target:
                self._refused = target
                self.bus.publish(
                    ErrorRaised(
                        "the followed clock",
                        f"the test's clock went back from {iso(now)} to {iso(target)} after the "
                        "sandbox was used; the sandbox's clock cannot go back (its history would "
                        "run backwards). Freeze the time before the first send, or move it "
                        "forward only.",
                    )
                )


class FollowClock:
    """ASGI middleware: bring the followed clock up to date before each request."""

    def __init__(self, app: ASGIApp, followed: FollowedClock) -> None:
        self.app = app
        self.followed = followed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.followed.source is not None and scope["type"] == "http":
            self.followed.sync()
        await self.app(scope, receive, send)
