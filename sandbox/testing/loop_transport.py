"""The fixture's control calls into its in-process server without a socket: an httpx transport
that runs each request through the server's ASGI app on the server's own event loop (httpx's
ASGITransport, handed over with ``run_coroutine_threadsafe``) and waits for the answer.

The app, its middleware and its routes are exactly the ones the socket reaches; what is saved is
the loopback hop, uvicorn's parsing and httpx's connection handling, about half of each control
call's cost (bench/per_test.py). The SDK and the app under test still talk to the real port.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx


class ServerLoopTransport(httpx.BaseTransport):
    def __init__(self, app: Any, loop: asyncio.AbstractEventLoop) -> None:
        self._asgi = httpx.ASGITransport(app=app, client=("127.0.0.1", 0))
        self._loop = loop

    async def _call(self, request: httpx.Request) -> httpx.Response:
        response = await self._asgi.handle_async_request(request)
        content = await response.aread()
        return httpx.Response(response.status_code, headers=response.headers, content=content)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        copy = httpx.Request(request.method, request.url, headers=request.headers, content=body)
        # httpx applies no timeout to a transport like this one: take the call's read timeout.
        limit = (request.extensions.get("timeout") or {}).get("read")
        future = asyncio.run_coroutine_threadsafe(self._call(copy), self._loop)
        try:
            return future.result(limit)
        except TimeoutError:
            future.cancel()
            raise httpx.ReadTimeout(
                f"the in-process sandbox did not answer {request.method} {request.url.path} "
                f"within {limit:g} s",
                request=request,
            ) from None
