"""Control API: the virtual clock (`/_sandbox/clock`)."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.asgi.io import json_response, read_control_json, runtime
from sandbox.control.views import clock_json
from sandbox.core.clock import iso
from sandbox.core.errors import BadControlRequest

MAX_ADVANCE = 400 * 24 * 3600.0  # a year and a bit: more is a typo
# The clock never goes past this, so that every time it shows (now, and timers due up to a
# run-time delay later) is a date ISO 8601 can write: year 9999 is the last one.
LATEST = datetime(9000, 1, 1, tzinfo=UTC).timestamp()


async def get_clock(request: Request) -> Response:
    rt = runtime(request)
    return json_response(clock_json(rt.clock, rt.scheduler))


async def advance(request: Request) -> Response:
    """`{"seconds": N}`, `{"to": "next"}` or `{"to": "idle"}` (also `{"until": "idle"}`)."""
    rt = runtime(request)
    body = await read_control_json(request)
    seconds = body.get("seconds")
    target = body.get("to", body.get("until"))
    if seconds is not None:
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise BadControlRequest(
                "seconds must be a number >= 0.", invalid=[("seconds", "must be a number >= 0.")]
            )
        if seconds > MAX_ADVANCE:
            raise BadControlRequest(
                "seconds is too large.",
                invalid=[("seconds", f"must be at most {MAX_ADVANCE:.0f}.")],
            )
        if rt.clock.now() + seconds > LATEST:
            raise BadControlRequest(
                f"The clock cannot go past {iso(LATEST)}.",
                invalid=[("seconds", f"must not move the clock past {iso(LATEST)}.")],
            )
        moved = await rt.timeline.advance(float(seconds))
    elif target == "next":
        moved = await rt.timeline.advance_to_next()
    elif target == "idle":
        moved = await rt.timeline.run_until_idle()
    else:
        raise BadControlRequest(
            'Say how far: {"seconds": N}, {"to": "next"} or {"to": "idle"}.',
            invalid=[("seconds", "is required unless to is next or idle.")],
        )
    out = clock_json(rt.clock, rt.scheduler)
    out["moved"] = {
        "from": iso(moved.start),
        "to": iso(moved.end),
        "seconds": moved.end - moved.start,
        "fired": moved.fired,
    }
    return json_response(out)


async def set_clock(request: Request) -> Response:
    rt = runtime(request)
    body = await read_control_json(request)
    mode = body.get("mode")
    if mode not in ("manual", "live"):
        raise BadControlRequest(
            "mode must be manual or live.", invalid=[("mode", "must be manual or live.")]
        )
    rt.clock.set_mode(mode)
    if rt.scheduler.on_change is not None:
        rt.scheduler.on_change()
    return json_response(clock_json(rt.clock, rt.scheduler))


routes = [
    Route("/_sandbox/clock", get_clock, methods=["GET"]),
    Route("/_sandbox/clock", set_clock, methods=["PUT"]),
    Route("/_sandbox/clock/advance", advance, methods=["POST"]),
]
