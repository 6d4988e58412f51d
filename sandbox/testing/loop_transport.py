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

from sandbox.core.clock import real_monotonic  # a frozen test clock must not stop the wait

_SLICE = 1.0  # seconds between looks at whether the server still runs


class ServerLoopTransport(httpx.BaseTransport):
    def __init__(self, app: Any, loop: asyncio.AbstractEventLoop) -> None:
        # As over the socket: a failure inside the sandbox is its 500 answer, not an exception
        # of the server raised in the caller's thread.
        self._asgi = httpx.ASGITransport(
            app=app, client=("127.0.0.1", 0), raise_app_exceptions=False
        )
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
        if asyncio._get_running_loop() is self._loop:
            raise RuntimeError("a control call from the sandbox's own loop would wait for itself")
        if not self._loop.is_running():
            raise httpx.ConnectError("the in-process sandbox has stopped", request=request)
        future = asyncio.run_coroutine_threadsafe(self._call(copy), self._loop)
        deadline = None if limit is None else real_monotonic() + limit
        try:
            while True:
                # In slices: a server that stops meanwhile must not leave the caller waiting.
                left = _SLICE if deadline is None else min(_SLICE, deadline - real_monotonic())
                try:
                    return future.result(max(left, 0.0))
                except TimeoutError:
                    if deadline is not None and real_monotonic() >= deadline:
                        raise httpx.ReadTimeout(
                            f"the in-process sandbox did not answer {request.method} "
                            f"{request.url.path} within {limit:g} s",
                            request=request,
                        ) from None
                    if not self._loop.is_running():
                        raise httpx.ConnectError(
                            "the in-process sandbox stopped before it answered", request=request
                        ) from None
        except BaseException:
            future.cancel()  # a timeout, Ctrl-C: the server stops working on it too
            raise
