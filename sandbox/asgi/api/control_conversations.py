"""Control API: conversations, the inbox's view of the store (what a person sees on the page
a script can read and do too):

- `GET /_sandbox/conversations?channel=&q=&limit=&offset=` -> `{"conversations": [...], "total",
  "limit", "offset"}` newest activity first (one row per channel x end-user address).
- `POST /_sandbox/conversations/seen` `{"channel", "peer"}` -> `{"seen": N}`: marks the
  conversation's inbound messages as opened (the overview's unread count); publishes
  `conversation.seen`.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.asgi.io import json_response, read_control_json, runtime
from sandbox.control.params import PAGING, int_param, only, str_param
from sandbox.core.clock import iso
from sandbox.core.conversations import ConversationSummary, newest_first, summarise
from sandbox.core.errors import BadControlRequest

MAX_PAGE = 500  # conversations per page


def summary_json(row: ConversationSummary) -> dict[str, Any]:
    last = row.last
    return {
        "channel": row.channel,
        "peer": row.peer,
        "app_address": row.app_address,
        "count": row.count,
        "unread": row.unread,
        "status": row.status,
        "last": {
            "message_uuid": last.uuid,
            "direction": last.direction,
            "message_type": last.message_type,
            "text": last.text,
            "timestamp": iso(last.created_at),
        },
    }


async def list_conversations(request: Request) -> Response:
    rt = runtime(request)
    query = request.query_params
    only(query, ("channel", "q", *PAGING))
    limit = int_param(query, "limit", 50, MAX_PAGE)
    offset = int_param(query, "offset", 0, 10**9)
    rows = summarise(
        newest_first(rt.store), channel=str_param(query, "channel"), q=str_param(query, "q")
    )
    return json_response(
        {
            "conversations": [summary_json(r) for r in rows[offset : offset + limit]],
            "total": len(rows),
            "limit": limit,
            "offset": offset,
        }
    )


async def mark_seen(request: Request) -> Response:
    rt = runtime(request)
    body = await read_control_json(request, fields=("channel", "peer"))
    channel, peer = body.get("channel"), body.get("peer")
    invalid = [
        (n, "must be a string.") for n in ("channel", "peer") if not isinstance(body.get(n), str)
    ]
    if invalid:
        raise BadControlRequest("channel and peer are required.", invalid=invalid)
    assert isinstance(channel, str) and isinstance(peer, str)
    return json_response({"seen": rt.engine.mark_seen(channel, peer)})


routes = [
    Route("/_sandbox/conversations", list_conversations, methods=["GET"]),
    Route("/_sandbox/conversations/seen", mark_seen, methods=["POST"]),
]
