"""Time-faking libraries in the test process (freezegun, time-machine): which one is active,
and the time it says, read without going through it (from any thread, ignore lists aside).

The sandbox signs webhooks and judges JWT expiry by this process's ``time.time()`` anyway (see
sandbox.core.clock), so a frozen test never breaks it; with the fixture's ``follow_time=True``,
:func:`followed_time` also drives its virtual clock (sandbox.asgi.follow).
"""

from __future__ import annotations

import calendar
import sys
import time


def faked_time() -> str | None:
    """The library faking this process's clock right now ("freezegun", "time-machine"), if any."""
    freezegun = sys.modules.get("freezegun.api")
    if freezegun is not None and getattr(freezegun, "freeze_factories", None):
        return "freezegun"
    hatch = getattr(sys.modules.get("time_machine"), "escape_hatch", None)
    if hatch is not None and hatch.is_travelling():
        return "time-machine"
    return None


def followed_time() -> float | None:
    """The faked time as Unix seconds, or None when nothing fakes it."""
    freezegun = sys.modules.get("freezegun.api")
    if freezegun is not None and getattr(freezegun, "freeze_factories", None):
        try:
            factory = freezegun.freeze_factories[-1]
        except IndexError:  # the test thread left its freeze just now
            return None
        # Naive UTC. A ticking freeze is asked (it reads the real clock); the others are read,
        # not called: calling an auto_tick_seconds freeze would move the test's own time.
        moment = factory() if hasattr(factory, "start") else factory.time_to_freeze
        return float(calendar.timegm(moment.timetuple()) + moment.microsecond / 1_000_000)
    hatch = getattr(sys.modules.get("time_machine"), "escape_hatch", None)
    if hatch is not None and hatch.is_travelling():
        return time.time()  # time-machine fakes the C function itself: every caller sees it
    return None
