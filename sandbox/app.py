"""The app factory: ``create_app(settings, *, clock=None, store=None, transport=None,
channels=())``.

Everything is built from the arguments; there is no module-level app and no global state, so
a test can build as many independent sandboxes as it likes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import traceback
from collections.abc import AsyncIterator, Sequence

import httpx
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from fake_channels import DEFAULT_CHANNELS
from sandbox.asgi.access import ControlGuard
from sandbox.asgi.api import routes as api_routes
from sandbox.asgi.follow import FollowClock
from sandbox.asgi.hosts import HostGuard
from sandbox.asgi.io import problem
from sandbox.asgi.runtime import Runtime
from sandbox.core.channel import Channel, Registry
from sandbox.core.clock import VirtualClock
from sandbox.core.errors import (
    ControlMethodNotAllowed,
    ControlNotFound,
    MethodNotAllowed,
    NotFound,
    SandboxError,
    is_control_path,
)
from sandbox.core.events import ErrorRaised
from sandbox.core.store import Store
from sandbox.core.timeline import live_ticker
from sandbox.settings import Settings
from ui import routes as ui_routes

log = logging.getLogger("nexmo_sandbox")


def create_app(
    settings: Settings | None = None,
    *,
    clock: VirtualClock | None = None,
    store: Store | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    channels: Sequence[Channel] = (),
) -> Starlette:
    """``channels``: more simulated channels, registered after the built-in ones exactly as
    they are (a channel of the same name replaces the built-in one)."""
    settings = settings or Settings()
    registry = Registry((*DEFAULT_CHANNELS, *channels))
    rt = Runtime(settings, clock=clock, store=store, channels=registry)
    rt.transport = transport

    # The browser inbox last: it serves `/`.
    routes: list[BaseRoute] = [*api_routes, *ui_routes]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        wake = asyncio.Event()
        rt.scheduler.on_change = wake.set
        ticker = asyncio.create_task(live_ticker(rt.timeline, wake))
        rt.webhooks.chains.start()  # deliveries a restart took back (`--db`) go out now
        try:
            yield
        finally:
            ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await ticker
            rt.scheduler.on_change = None
            await rt.aclose()

    async def sandbox_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SandboxError)
        return problem(exc)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        # The control API answers in the sandbox's own types; Vonage's paths in Vonage's.
        control = is_control_path(request.url.path)
        if exc.status_code == 405:
            if not control:
                return problem(MethodNotAllowed(request.method))
            wrong = f"{request.method} is not allowed on {request.url.path}."
            return problem(ControlMethodNotAllowed(wrong))
        if exc.status_code == 404:
            missing = f"No such endpoint: {request.url.path}."
            return problem(ControlNotFound(missing) if control else NotFound(missing))
        err = SandboxError(str(exc.detail))
        err.status = exc.status_code
        err.title = str(exc.detail)
        return problem(err)

    async def unexpected(request: Request, exc: Exception) -> Response:
        text = "".join(traceback.format_exception(exc))
        log.error("unhandled error on %s %s:\n%s", request.method, request.url.path, text)
        rt.bus.publish(ErrorRaised(f"{request.method} {request.url.path}", text))
        return problem(SandboxError())

    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(HostGuard, bound=settings.host, extra=settings.allowed_hosts),
            Middleware(ControlGuard, token=settings.control_token),
            Middleware(FollowClock, followed=rt.followed),
        ],
        lifespan=lifespan,
        exception_handlers={
            SandboxError: sandbox_error,
            HTTPException: http_error,
            Exception: unexpected,
        },
    )
    app.state.runtime = rt
    return app
