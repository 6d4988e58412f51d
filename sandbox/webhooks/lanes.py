"""The webhook connection pool: httpx transports of one connection each, handed out in turn.

Lanes are per receiver (scheme, host, port): a receiver that accepts and never answers ties up
only its own lanes, for at most the webhook timeout each, and the others' webhooks go on.

Why not one `httpx.AsyncClient` with a big pool: httpcore re-scans every connection and every
waiting request on each request, so a single client slows down as more webhooks are in flight
at once (measured here against a bare receiver: 934 requests/s with one in flight, 171 with
64). Lanes of one connection each keep every pool trivially small, and a free-lane queue bounds
concurrency (16 lanes: 2,200 requests/s on the same machine). Each lane keeps its connection
alive, so a steady stream of webhooks reuses warm sockets. Six lanes: with 32 the latency
tail grew (p99 at 200 msg/s ~100 ms), with 4 the sustained rate fell just under 600 msg/s; six
gave 640 msg/s and a p99 of 15 ms in the same session (bench/README.md).

Each POST goes straight to its lane's transport (`handle_async_request`, the seam an injected
transport fills) as an `httpx.Request`, not through an `httpx.AsyncClient`: a webhook needs
none of a client's auth, redirect, cookie-jar and event-hook steps, and they were about a third
of the sender's CPU, more than the aiohttp engine under it (py-spy, bench/end_to_end.py). The
client's one useful part is kept: the timeouts, passed as the request's `timeout` extension.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx

DEFAULT_LANES = 6
URL_CACHE = 1024
# Receivers with lanes of their own at once. An app that gives every message its own webhook
# host would otherwise open six clients per host for good; past this, the receiver used least
# recently gives its lanes up (when none is busy) and gets new ones if it comes back.
MAX_RECEIVERS = 128
DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=3.0, pool=None)


Transport = httpx.AsyncBaseTransport


class _Pool:
    """``size`` transports of one connection each, for one receiver, handed out in turn."""

    def __init__(self, make: Callable[[], Transport], size: int) -> None:
        self.free: asyncio.Queue[Transport] = asyncio.Queue()
        self.transports = [make() for _ in range(size)]
        self.users = 0  # posts waiting for a lane or using one
        for transport in self.transports:
            self.free.put_nowait(transport)


class HttpLanes:
    """``lanes`` transports of one connection each *per receiver* (scheme, host and port), so
    a receiver that hangs holds only its own lanes: webhooks to every other receiver go on.
    ``lanes=0``: one shared transport, no lanes (an injected transport such as an app object
    has no connection pool to protect). ``headers`` go on every request (the User-Agent);
    ``timeout`` is httpx's, per request."""

    def __init__(
        self,
        make: Callable[[], Transport],
        lanes: int = DEFAULT_LANES,
        *,
        headers: dict[str, str] | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    ) -> None:
        self._make = make
        self._size = lanes
        self._headers = {"Accept": "*/*", **(headers or {})}
        self._timeout = timeout.as_dict()
        self._shared: Transport | None = None
        self._pools: dict[tuple[bytes, bytes, int | None], _Pool] = {}
        # Parsed once per receiver URL: httpx.URL parsing is a good part of a request's cost,
        # and a sandbox sends to a handful of URLs over and over.
        self._urls: dict[str, httpx.URL] = {}
        self._closing: set[asyncio.Task[None]] = set()  # retired lanes' clients, closing

    def _pool(self, url: httpx.URL) -> _Pool:
        # Built lazily: the queue and the clients belong to the loop that first sends.
        key = (url.raw_scheme, url.raw_host, url.port)
        pool = self._pools.pop(key, None)  # put back last: the dict's order is recency
        if pool is None:
            if len(self._pools) >= MAX_RECEIVERS:
                self._retire()
            pool = _Pool(self._make, self._size)
        self._pools[key] = pool
        return pool

    def _retire(self) -> None:
        """Close the lanes of the receiver used least recently that has none in use."""
        for key, pool in self._pools.items():
            if pool.users == 0:  # nobody using a lane or waiting for one
                del self._pools[key]
                for transport in pool.transports:
                    task = asyncio.get_running_loop().create_task(transport.aclose())
                    self._closing.add(task)
                    task.add_done_callback(self._closing.discard)
                return

    async def post(
        self, url: str, content: bytes, headers: dict[str, str], limit: float | None = None
    ) -> httpx.Response:
        """POST through a free lane of the receiver. ``limit`` bounds the request itself in
        real seconds (TimeoutError), not the wait for a lane: a webhook queued behind a slow
        receiver's others is still attempted in full."""
        parsed = self._urls.get(url)
        if parsed is None:
            if len(self._urls) >= URL_CACHE:
                self._urls.clear()
            parsed = self._urls[url] = httpx.URL(url)
        if parsed.scheme not in ("http", "https"):  # as AsyncClient refuses it, before any I/O
            raise httpx.UnsupportedProtocol(f"Request URL has an unsupported protocol '{url}'.")
        request = httpx.Request(
            "POST",
            parsed,
            content=content,
            headers={**self._headers, **headers},
            extensions={"timeout": self._timeout},
        )
        if self._size == 0:  # shared: one transport for every request at once
            if self._shared is None:
                self._shared = self._make()
            async with asyncio.timeout(limit):
                return await _send(self._shared, request)
        pool = self._pool(parsed)
        pool.users += 1
        try:
            transport = await pool.free.get()
            try:
                async with asyncio.timeout(limit):
                    return await _send(transport, request)
            finally:
                pool.free.put_nowait(transport)
        finally:
            pool.users -= 1

    @property
    def receivers(self) -> int:
        return len(self._pools)

    async def aclose(self) -> None:
        pools, self._pools = self._pools, {}
        shared, self._shared = self._shared, None
        transports = [t for p in pools.values() for t in p.transports]
        for transport in [*transports, *([shared] if shared else [])]:
            await transport.aclose()


async def _send(transport: Transport, request: httpx.Request) -> httpx.Response:
    """What `AsyncClient.send` does that a webhook needs: the answer read whole, the stream
    closed whatever happens (a lane's one connection goes back to it either way)."""
    response = await transport.handle_async_request(request)
    try:
        await response.aread()
    finally:
        await response.aclose()
    return response
