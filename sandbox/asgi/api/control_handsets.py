"""Control API: handset profiles (`/_sandbox/handsets`) and the built-in magic numbers
(`/_sandbox/handsets/magic`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.asgi.io import json_response, read_control_json, runtime
from sandbox.control.handsets import parse_handset
from sandbox.core.errors import ControlNotFound


async def list_handsets(request: Request) -> Response:
    book = runtime(request).handsets
    return json_response(
        {
            "handsets": [h.to_dict() for h in book.all()],
            "magic": [h.to_dict() for h in book.magic.values()],
        }
    )


async def list_magic(request: Request) -> Response:
    book = runtime(request).handsets
    return json_response({"magic": [h.to_dict() for h in book.magic.values()]})


async def get_handset(request: Request) -> Response:
    address = request.path_params["address"]
    handset = runtime(request).handsets.get(address)
    if handset is None:
        raise ControlNotFound(f"No profile for {address}: it is an ordinary handset.")
    return json_response(handset.to_dict())


async def put_handset(request: Request) -> Response:
    """Set (replace) the profile of one address; it applies to messages sent from now on."""
    rt = runtime(request)
    body = await read_control_json(request)
    handset = parse_handset(request.path_params["address"], body, rt.channels)
    rt.handsets.put(handset)
    return json_response(handset.to_dict())


async def delete_handset(request: Request) -> Response:
    rt = runtime(request)
    address = request.path_params["address"]
    if not rt.handsets.remove(address):
        raise ControlNotFound(f"No profile set for {address}.")
    restored = rt.handsets.get(address)
    return json_response(
        {"deleted": address, "now": None if restored is None else restored.to_dict()}
    )


routes = [
    Route("/_sandbox/handsets", list_handsets, methods=["GET"]),
    Route("/_sandbox/handsets/magic", list_magic, methods=["GET"]),
    Route("/_sandbox/handsets/{address}", get_handset, methods=["GET"]),
    Route("/_sandbox/handsets/{address}", put_handset, methods=["PUT"]),
    Route("/_sandbox/handsets/{address}", delete_handset, methods=["DELETE"]),
]
