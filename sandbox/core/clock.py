"""The only place the sandbox reads the time.

Virtual time is a float of Unix seconds. In ``manual`` mode it stands still until moved; in
``live`` mode it follows the wall clock from the last point it was set to, so advancing jumps
ahead and then keeps running. Webhook signatures and JWT expiry need the time of the programs on
the other side (verifiers refuse a token issued in their future), so :meth:`VirtualClock.wall`
is offered beside :meth:`now`.

Time-faking libraries in the same process (the pytest fixture runs the sandbox inside the
user's test process, where freezegun or time-machine may be active) are met on purpose:

* the wall clock is :func:`process_time`, ``time.time()`` looked up at each call, so a test
  frozen in 2024 gets tokens checked and webhooks signed in 2024, as its app expects;
* intervals (live mode) use :func:`real_monotonic`, which a freeze cannot stop, so nothing of the
  sandbox's own waits on a clock that stands still.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Literal, Protocol

ClockMode = Literal["manual", "live"]


def process_time() -> float:
    """This process's idea of now: whatever ``time.time`` is at the moment of the call (faked
    by freezegun or time-machine in a test, real otherwise)."""
    return time.time()


def _real_monotonic() -> Callable[[], float]:
    """``time.monotonic`` as it really is, chosen once at import: imported while a freezegun
    freeze is on, the module attribute is already its fake, and freezegun keeps the real one."""
    freezegun = sys.modules.get("freezegun.api")
    if freezegun is not None and time.monotonic is getattr(freezegun, "fake_monotonic", None):
        real: Callable[[], float] = freezegun.real_monotonic
        return real
    return time.monotonic


class _Real:
    # Kept on a class: freezegun swaps every module-level reference to the real functions.
    monotonic = staticmethod(_real_monotonic())


def real_monotonic() -> float:
    """Monotonic seconds that no freeze stops (freezegun fakes ``time.monotonic`` too)."""
    return _Real.monotonic()


class Clock(Protocol):
    """What the engine needs: the current virtual time."""

    def now(self) -> float: ...


class VirtualClock:
    def __init__(
        self,
        mode: ClockMode = "manual",
        *,
        start: float | None = None,
        wall: Callable[[], float] = process_time,
        monotonic: Callable[[], float] = real_monotonic,
    ) -> None:
        self._wall = wall
        self._monotonic = monotonic
        self._mode: ClockMode = mode
        # Whole milliseconds, so that timestamps rendered with millis round-trip exactly.
        self._base = round(wall() if start is None else start, 3)
        self._mono_base = monotonic()

    @property
    def mode(self) -> ClockMode:
        return self._mode

    def set_mode(self, mode: ClockMode) -> None:
        now = self.now()
        self._mode = mode
        self.move_to(now)

    def now(self) -> float:
        if self._mode == "live":
            return self._base + (self._monotonic() - self._mono_base)
        return self._base

    def wall(self) -> float:
        """Real Unix time, for things checked by other programs against their own clock."""
        return self._wall()

    def rebase(self, when: float) -> None:
        """Set the time, backwards too: only for a sandbox that holds nothing yet (a test that
        froze its clock in the past before its first send)."""
        self._base = round(when, 3)
        self._mono_base = self._monotonic()

    def move_to(self, when: float) -> None:
        """Jump to ``when`` (never backwards: a clock that ran back would reorder history)."""
        when = max(when, self.now())
        self._base = when
        self._mono_base = self._monotonic()


def iso(ts: float, *, millis: bool = True) -> str:
    """ISO 8601 UTC with a `Z`, the format Vonage webhooks use (`2020-01-01T14:00:00.000Z`)."""
    dt = datetime.fromtimestamp(ts, tz=UTC)
    if millis:
        return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
