"""The only place the sandbox reads the time.

Virtual time is a float of Unix seconds. In ``manual`` mode it stands still until moved; in
``live`` mode it follows the wall clock from the last point it was set to, so advancing jumps
ahead and then keeps running. Webhook signatures need the *real* time (verifiers refuse a
token issued in the future), so :meth:`VirtualClock.wall` is offered beside :meth:`now`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Literal, Protocol

ClockMode = Literal["manual", "live"]


class Clock(Protocol):
    """What the engine needs: the current virtual time."""

    def now(self) -> float: ...


class VirtualClock:
    def __init__(
        self,
        mode: ClockMode = "manual",
        *,
        start: float | None = None,
        wall: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
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
