"""Control API: waiting without sleeping (`/_sandbox/wait`) and the error log (`/_sandbox/errors`).

`GET /_sandbox/wait` is a long poll: it answers as soon as the store holds at least ``count``
messages matching the same filters as `GET /_sandbox/messages`, or when ``timeout`` *real*
seconds have passed. It blocks on the event bus, not in a loop, so it wakes within one event of
the match. Real seconds, because what it waits for is another program (the app under test
sending from a worker thread); virtual time never passes by itself in manual mode, so "nothing
arrives within N virtual seconds" is expressed by advancing the clock instead.

`GET /_sandbox/errors` lists what went wrong inside the sandbox (a handler or timer that
raised), so a test can fail with the traceback instead of a mysterious missing webhook.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.asgi.io import json_response, runtime
from sandbox.asgi.runtime import Runtime
from sandbox.control.params import MAX_PAGE, MESSAGE_FILTERS, message_filter, number_param, only
from sandbox.control.views import message_json
from sandbox.core.errors import BadControlRequest
from sandbox.core.events import Event, MessageCreated, MessageStatus, MessageUpdated, Reset
from sandbox.core.store import MessageFilter

MAX_WAIT = 60.0  # real seconds: a long poll longer than this is a hung test, not a wait
WAKE_KINDS = (MessageCreated, MessageStatus, MessageUpdated, Reset)


def _matching(rt: Runtime, flt: MessageFilter, limit: int) -> tuple[list[Any], int]:
    return rt.store.query(flt, limit, 0)


async def wait(request: Request) -> Response:
    """`?kind=message&<message filters>&count=1&timeout=5&limit=100`."""
    rt = runtime(request)
    query = request.query_params
    kind = query.get("kind", "message")
    if kind != "message":
        raise BadControlRequest(
            "Only kind=message can be waited for; webhooks are attempted before the call that "
            "caused them answers (use POST /_sandbox/settle, then GET /_sandbox/webhooks).",
            invalid=[("kind", "must be message")],
        )
    only(query, ("kind", *MESSAGE_FILTERS, "count", "timeout", "limit"))
    flt = message_filter(query)
    count = int(number_param(query, "count", 1, 1, MAX_PAGE))
    timeout = number_param(query, "timeout", 5.0, 0, MAX_WAIT)
    limit = int(number_param(query, "limit", 100, 1, MAX_PAGE))

    page, total = _matching(rt, flt, limit)
    if total < count and timeout > 0:
        woken = asyncio.Event()

        def on_event(event: Event) -> None:
            woken.set()

        unsubscribe = rt.bus.on_any(on_event, WAKE_KINDS)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            while total < count:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                try:
                    await asyncio.wait_for(woken.wait(), remaining)
                except TimeoutError:
                    break
                woken.clear()
                page, total = _matching(rt, flt, limit)
        finally:
            unsubscribe()
        page, total = _matching(rt, flt, limit)
    return json_response(
        {
            "matched": total >= count,
            "count": count,
            "total": total,
            "messages": [message_json(m) for m in page],
        }
    )


async def errors(request: Request) -> Response:
    """`?offset=N`: errors recorded since the N-th (a shared server's tests each keep theirs)."""
    rt = runtime(request)
    only(request.query_params, ("offset",))
    offset = int(number_param(request.query_params, "offset", 0, 0, 10**9))
    items = rt.errors[offset:]
    return json_response({"errors": items, "total": len(rt.errors)})


routes = [
    Route("/_sandbox/wait", wait, methods=["GET"]),
    Route("/_sandbox/errors", errors, methods=["GET"]),
]
