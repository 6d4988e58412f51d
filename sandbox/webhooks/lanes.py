"""The webhook connection pool: httpx clients of one connection each, handed out in turn.

Why not one `httpx.AsyncClient` with a big pool: httpcore re-scans every connection and every
waiting request on each request, so a single client slows down as more webhooks are in flight
at once (measured here against a bare receiver: 934 requests/s with one in flight, 171 with
64). Lanes of one connection each keep every pool trivially small, and a free-lane queue bounds
concurrency (16 lanes: 2,200 requests/s on the same machine). Each lane keeps its connection
alive, so a steady stream of webhooks reuses warm sockets. Six lanes: with 32 the latency
tail grew (p99 at 200 msg/s ~100 ms), with 4 the sustained rate fell just under 600 msg/s; six
gave 640 msg/s and a p99 of 15 ms in the same session (bench/README.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx

DEFAULT_LANES = 6
URL_CACHE = 1024


class HttpLanes:
    """``lanes`` clients of one connection each; ``lanes=0``: one shared client, no lanes (an
    injected transport such as an app object has no connection pool to protect)."""

    def __init__(self, make_client: Callable[[], httpx.AsyncClient], lanes: int = DEFAULT_LANES):
        self._make = make_client
        self._size = lanes
        self._clients: list[httpx.AsyncClient] = []
        self._free: asyncio.Queue[httpx.AsyncClient] | None = None
        # Parsed once per receiver URL: httpx.URL parsing is a good part of a request's cost,
        # and a sandbox sends to a handful of URLs over and over.
        self._urls: dict[str, httpx.URL] = {}

    def _queue(self) -> asyncio.Queue[httpx.AsyncClient]:
        # Built lazily: the queue and the clients belong to the loop that first sends.
        if self._free is None:
            self._free = asyncio.Queue()
            for _ in range(self._size):
                client = self._make()
                self._clients.append(client)
                self._free.put_nowait(client)
        return self._free

    async def post(self, url: str, content: bytes, headers: dict[str, str]) -> httpx.Response:
        parsed = self._urls.get(url)
        if parsed is None:
            if len(self._urls) >= URL_CACHE:
                self._urls.clear()
            parsed = self._urls[url] = httpx.URL(url)
        if self._size == 0:  # shared: one client for every request at once
            if not self._clients:
                self._clients.append(self._make())
            return await self._clients[0].post(parsed, content=content, headers=headers)
        free = self._queue()
        client = await free.get()
        try:
            return await client.post(parsed, content=content, headers=headers)
        finally:
            free.put_nowait(client)

    async def aclose(self) -> None:
        clients, self._clients, self._free = self._clients, [], None
        for client in clients:
            await client.aclose()
