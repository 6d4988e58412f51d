"""Webhooks into an app object, with no port: an httpx transport that hands requests for a
mounted host straight to an ASGI or WSGI app (Starlette, FastAPI, Django, Flask...), and
everything else to the network as usual.

The pytest fixture builds its in-process sandbox with one :class:`RoutingTransport`
(``create_app(..., transport=...)``) and mounts and unmounts apps on it per test, so the webhook
sender's client never has to be rebuilt.

An exception raised by the app is recorded (with its traceback) and answered as a 500, the way
a real server would answer; the fixture turns recorded exceptions into a failed test.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True, slots=True)
class AppError:
    method: str
    url: str
    traceback: str


def is_asgi(app: Any) -> bool:
    """ASGI 3 apps are ``async def app(scope, receive, send)`` (or objects with one)."""
    if inspect.iscoroutinefunction(app):
        return True
    call = getattr(type(app), "__call__", None)  # noqa: B004 (the method itself, not callability)
    return call is not None and inspect.iscoroutinefunction(call)


class _WsgiTransport(httpx.AsyncBaseTransport):
    """httpx's WSGITransport is synchronous; run it in a worker thread so that a handler that
    calls back into the sandbox (a reply sent through the SDK) does not block the sandbox."""

    def __init__(self, app: Callable[..., Any]) -> None:
        self._sync = httpx.WSGITransport(app=app, raise_app_exceptions=True)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        sync_request = httpx.Request(
            request.method, request.url, headers=request.headers, content=body
        )

        def run() -> httpx.Response:
            response = self._sync.handle_request(sync_request)
            content = response.read()
            return httpx.Response(response.status_code, headers=response.headers, content=content)

        return await asyncio.to_thread(run)


class RoutingTransport(httpx.AsyncBaseTransport):
    def __init__(self, fallback: httpx.AsyncBaseTransport | None = None) -> None:
        # Made on first use: loading the CA bundle costs ~30 ms of session start-up, and a
        # suite that mounts its app never needs it.
        self._fallback = fallback
        self._apps: dict[str, httpx.AsyncBaseTransport] = {}
        self._lock = threading.Lock()  # mounts change from the test thread
        self.errors: list[AppError] = []

    def mount(self, host: str, app: Any) -> None:
        """Send requests for ``host`` (``app.test`` or ``app.test:80``) into ``app``."""
        transport: httpx.AsyncBaseTransport
        if is_asgi(app):
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
        elif callable(app):
            transport = _WsgiTransport(app)
        else:
            raise TypeError(f"{app!r} is neither an ASGI nor a WSGI app")
        with self._lock:
            self._apps[host.lower()] = transport

    def unmount_all(self) -> None:
        with self._lock:
            self._apps.clear()
            self.errors.clear()

    def _target(self, url: httpx.URL) -> httpx.AsyncBaseTransport | None:
        with self._lock:
            host = url.host.lower()
            return self._apps.get(f"{host}:{url.port}") or self._apps.get(host)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        target = self._target(request.url)
        if target is None:
            if self._fallback is None:
                self._fallback = httpx.AsyncHTTPTransport()
            return await self._fallback.handle_async_request(request)
        try:
            return await target.handle_async_request(request)
        except Exception as exc:
            text = "".join(traceback.format_exception(exc))
            self.errors.append(AppError(request.method, str(request.url), text))
            return httpx.Response(
                500, text="Internal Server Error (exception in the app under test)"
            )

    async def aclose(self) -> None:
        if self._fallback is not None:
            await self._fallback.aclose()
