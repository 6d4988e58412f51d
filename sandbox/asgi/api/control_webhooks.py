"""Control API: the webhook delivery ledger (`/_sandbox/webhooks`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.asgi.io import json_response, read_control_json, runtime
from sandbox.control.params import (
    DELIVERY_FILTERS,
    MAX_PAGE,
    PAGING,
    delivery_filter,
    int_param,
    only,
)
from sandbox.core.checks import is_http_url
from sandbox.core.errors import BadControlRequest, ControlNotFound
from sandbox.core.ledger import Delivery


def _get(request: Request) -> Delivery:
    rt = runtime(request)
    delivery = rt.webhooks.ledger.get(request.path_params["delivery_id"])
    if delivery is None:
        raise ControlNotFound(f"No webhook delivery {request.path_params['delivery_id']}.")
    return delivery


async def list_webhooks(request: Request) -> Response:
    rt = runtime(request)
    query = request.query_params
    only(query, (*DELIVERY_FILTERS, *PAGING))
    flt = delivery_filter(query)
    limit = int_param(query, "limit", 100, MAX_PAGE)
    offset = int_param(query, "offset", 0, 10**9)
    page, total = rt.webhooks.ledger.query(flt, limit, offset)
    return json_response(
        {
            "webhooks": [d.to_dict() for d in page],
            "total": total,
            "limit": limit,
            "offset": offset,
            "in_flight": rt.webhooks.in_flight,
        }
    )


async def get_webhook(request: Request) -> Response:
    return json_response(_get(request).to_dict())


async def resend(request: Request) -> Response:
    """Attempt a delivery once more, now; `{"url": ...}` sends it somewhere else instead."""
    rt = runtime(request)
    body = await read_control_json(request, optional=True, fields=("url",))
    url = body.get("url")
    if url is not None and not is_http_url(url):
        raise BadControlRequest("url must be an http(s) URL.", invalid=[("url", "not a URL")])
    delivery = _get(request)
    await rt.webhooks.resend(delivery, url)
    return json_response(delivery.to_dict())


routes = [
    Route("/_sandbox/webhooks", list_webhooks, methods=["GET"]),
    Route("/_sandbox/webhooks/{delivery_id}", get_webhook, methods=["GET"]),
    Route("/_sandbox/webhooks/{delivery_id}/resend", resend, methods=["POST"]),
]
