"""`POST /v0.1/messages` and `POST /v0.1/dispatch`: the 2018 APIs (reference §3, §8).

Validation errors are 400s in the v0.1 shape (`#InvalidParams`), not v1's 422s. The 2018
`nexmo` Node beta posts to `/v0.1/messages?` (an empty query string); that needs nothing
special, but a trailing slash is accepted too.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.asgi.io import json_response, problem, read_json, runtime
from sandbox.core.errors import SandboxError
from sandbox.wire.v01 import parse_dispatch, parse_message


async def send(request: Request) -> Response:
    rt = runtime(request)
    try:
        sender = rt.auth.authenticate(request.headers.get("authorization"))
        body = await read_json(request, "v0.1")
        draft = parse_message(body, rt.channels)
        message = rt.engine.send(draft, sender, api="v0.1")
    except SandboxError as exc:
        return problem(exc, "v0.1")
    rt.timeline.fire_due()
    await rt.webhooks.backpressure()
    return json_response({"message_uuid": message.uuid}, 202)


async def dispatch(request: Request) -> Response:
    rt = runtime(request)
    try:
        sender = rt.auth.authenticate(request.headers.get("authorization"))
        body = await read_json(request, "v0.1")
        items = parse_dispatch(body, rt.channels)
        wf = rt.workflows.start_dispatch(items, sender)
    except SandboxError as exc:
        return problem(exc, "v0.1")
    rt.timeline.fire_due()
    await rt.webhooks.backpressure()
    return json_response({"dispatch_uuid": wf.id}, 202)


routes = [
    Route("/v0.1/messages", send, methods=["POST"]),
    Route("/v0.1/messages/", send, methods=["POST"]),
    Route("/v0.1/dispatch", dispatch, methods=["POST"]),
    Route("/v0.1/dispatch/", dispatch, methods=["POST"]),
]
