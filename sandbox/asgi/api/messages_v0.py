"""`POST /v0.1/messages` and `POST /v0.1/dispatch`: the 2018 Messages and Dispatch APIs.

Validation errors are 400s in the v0.1 shape (`#InvalidParams`), not v1's 422s. The 2018
`nexmo` Node beta posts to `/v0.1/messages?` (an empty query string); that needs nothing
special, but a trailing slash is accepted too.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.asgi.io import accept_send
from sandbox.asgi.runtime import Runtime
from sandbox.core.models import Sender
from sandbox.wire.v01 import parse_dispatch, parse_message


def _message(rt: Runtime, sender: Sender, body: dict[str, Any]) -> dict[str, Any]:
    draft = parse_message(body, rt.channels)
    rt.engine.require_credit(sender, draft)
    message = rt.engine.send(draft, sender, api="v0.1")
    return {"message_uuid": message.uuid}


def _dispatch(rt: Runtime, sender: Sender, body: dict[str, Any]) -> dict[str, Any]:
    items = parse_dispatch(body, rt.channels)
    rt.engine.require_credit(sender, items[0].message)
    wf = rt.dispatches.start(items, sender)
    return {"dispatch_uuid": wf.id}


async def send(request: Request) -> Response:
    return await accept_send(request, "v0.1", _message)


async def dispatch(request: Request) -> Response:
    return await accept_send(request, "v0.1", _dispatch)


routes = [
    Route("/v0.1/messages", send, methods=["POST"]),
    Route("/v0.1/messages/", send, methods=["POST"]),
    Route("/v0.1/dispatch", dispatch, methods=["POST"]),
    Route("/v0.1/dispatch/", dispatch, methods=["POST"]),
]
