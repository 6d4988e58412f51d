"""Control API: messages, status marking and simulated users (`/_sandbox/messages`, `/inbound`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.asgi.io import json_response, read_control_json, runtime
from sandbox.control.inbound import parse_inbound
from sandbox.control.params import (
    MAX_PAGE,
    MESSAGE_FILTERS,
    PAGING,
    int_param,
    message_filter,
    only,
)
from sandbox.control.views import message_json
from sandbox.core.errors import BadControlRequest, ControlNotFound


async def list_messages(request: Request) -> Response:
    rt = runtime(request)
    query = request.query_params
    only(query, (*MESSAGE_FILTERS, *PAGING))
    limit = int_param(query, "limit", 100, MAX_PAGE)
    offset = int_param(query, "offset", 0, 10**9)
    page, total = rt.store.query(message_filter(query), limit, offset)
    return json_response(
        {
            "messages": [message_json(m) for m in page],
            "total": total,
            "limit": limit,
            "offset": offset,
        }
    )


def detail(request: Request, uuid: str) -> dict[str, object]:
    rt = runtime(request)
    message = rt.store.get(uuid)
    if message is None:
        raise ControlNotFound(f"No message {uuid}.")
    out = message_json(message)
    channel = rt.channels[message.channel]
    if channel.details is not None and (details := channel.details(message)):
        out["details"] = details
    out["webhooks"] = rt.message_detail(uuid)
    return out


async def get_message(request: Request) -> Response:
    return json_response(detail(request, request.path_params["message_uuid"]))


async def mark_status(request: Request) -> Response:
    rt = runtime(request)
    body = await read_control_json(request, fields=("status", "error_code", "reason", "by"))
    uuid = request.path_params["message_uuid"]
    status = body.get("status")
    if not isinstance(status, str):
        raise BadControlRequest("status is required.", invalid=[("status", "is required.")])
    error_code = body.get("error_code")
    if error_code is not None and (isinstance(error_code, bool) or not isinstance(error_code, int)):
        raise BadControlRequest(
            "error_code must be an integer.", invalid=[("error_code", "must be an integer.")]
        )
    reason = body.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise BadControlRequest(
            "reason must be a string.", invalid=[("reason", "must be a string.")]
        )
    if rt.store.get(uuid) is None:
        raise ControlNotFound(f"No message {uuid}.")
    by_value = body.get("by")
    by = by_value if isinstance(by_value, str) else "control"
    mark = rt.checkpoint()
    rt.engine.mark(uuid, status, error_code=error_code, reason=reason, by=by)
    await rt.settle(mark)
    return json_response(detail(request, uuid))


async def inbound(request: Request) -> Response:
    rt = runtime(request)
    body = await read_control_json(request)
    draft = parse_inbound(body, rt.channels, rt.store)
    mark = rt.checkpoint()
    message = rt.engine.receive(draft)
    await rt.settle(mark)
    return json_response(detail(request, message.uuid), 201)


async def tap(request: Request) -> Response:
    """`{"suggestion": N}` (its position, message-level chips after the cards') or
    `{"postback_data": "..."}`: the end user taps a suggestion; answers the inbound message."""
    rt = runtime(request)
    body = await read_control_json(request)
    index, postback = body.get("suggestion"), body.get("postback_data")
    if (index is None) == (postback is None):
        raise BadControlRequest(
            "Name the suggestion: its position or its postback data.",
            invalid=[("suggestion", "give suggestion (a number) or postback_data, not both.")],
        )
    if index is not None and (isinstance(index, bool) or not isinstance(index, int)):
        raise BadControlRequest(
            "suggestion must be a whole number.", invalid=[("suggestion", "must be an integer.")]
        )
    if postback is not None and not isinstance(postback, str):
        raise BadControlRequest(
            "postback_data must be a string.", invalid=[("postback_data", "must be a string.")]
        )
    uuid = request.path_params["message_uuid"]
    if rt.store.get(uuid) is None:
        raise ControlNotFound(f"No message {uuid}.")
    mark = rt.checkpoint()
    message = rt.engine.tap(uuid, index, postback)
    await rt.settle(mark)
    return json_response(detail(request, message.uuid), 201)


routes = [
    Route("/_sandbox/messages", list_messages, methods=["GET"]),
    Route("/_sandbox/messages/{message_uuid}", get_message, methods=["GET"]),
    Route("/_sandbox/messages/{message_uuid}/status", mark_status, methods=["POST"]),
    Route("/_sandbox/messages/{message_uuid}/tap", tap, methods=["POST"]),
    Route("/_sandbox/inbound", inbound, methods=["POST"]),
]
