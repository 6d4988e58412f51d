"""Webhooks into an app object, with no port: an httpx transport that hands requests for a
mounted host straight to an ASGI or WSGI app (Starlette, FastAPI, Django, Flask...), and
everything else to the network as usual.

The pytest fixture builds its in-process sandbox with one :class:`RoutingTransport`
(``create_app(..., transport=...)``) and mounts and unmounts apps on it per test, so the webhook
sender's client never has to be rebuilt.

The app under test never runs on the sandbox's event loop. ASGI apps share one loop of their own
in a worker thread (as Starlette's TestClient runs one behind an anyio portal), kept for the
session so that what an app object holds across tests (an ``httpx.AsyncClient``, a database
pool) stays on the loop it was made on; a WSGI app gets a daemon thread per request. So an
``async def`` handler that calls the synchronous SDK (the textbook auto-reply) blocks only the
app's loop while the sandbox answers the SDK, and a handler that never returns wedges only that
loop: the webhook attempt gives up after the sender's limit, the stall is recorded
(:class:`AppStall`), and at unmount a loop that is still blocked is left behind (a daemon
thread) for a fresh one.

An exception raised by the app is recorded (with its traceback) and answered as a 500, the way
a real server would answer; the fixture turns recorded exceptions and stalls into a failed test.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import inspect
import threading
import time
import traceback
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

import httpx

# How long an unmounted app's loop gets to finish what it still runs before it is left behind
# (a daemon thread): a wedged handler must not hold up the next test.
_STOP_GRACE_SECONDS = 0.5
# How long, after a stalled request, the loop has to run a ping before it is called blocked.
_PING_SECONDS = 0.5
APP_CLOCK_KEPT = 10_000


@dataclass(frozen=True, slots=True)
class AppError:
    method: str
    url: str
    traceback: str


@dataclass(slots=True)
class AppStall:
    """A request the app did not answer before the webhook sender gave up on it."""

    method: str
    url: str
    kind: str  # "asgi" | "wsgi"
    # Set by the app's own loop when it gets round to it: never set = the loop is blocked.
    ping: threading.Event = field(default_factory=threading.Event)

    def explain(self) -> str:
        where = f"{self.method} {self.url} did not answer before the webhook attempt's limit"
        if self.kind == "wsgi":
            return (
                f"{where}: the WSGI handler is still running (a call that never returns, a lock, "
                "a request to a server that does not answer?)."
            )
        if not self.ping.wait(_PING_SECONDS):
            return (
                f"{where}, and the app's event loop is blocked: a blocking call in an async "
                "handler (time.sleep, a synchronous HTTP client, a lock)? Make the handler a "
                "plain `def` (Starlette and FastAPI run those in a thread) or await an async "
                "call instead."
            )
        return (
            f"{where}; the app's event loop is free, so the handler is awaiting something that "
            "never completed."
        )


def is_asgi(app: Any) -> bool:
    """ASGI 3 apps are ``async def app(scope, receive, send)`` (or objects with one)."""
    if inspect.iscoroutinefunction(app):
        return True
    call = getattr(type(app), "__call__", None)  # noqa: B004 (the method itself, not callability)
    return call is not None and inspect.iscoroutinefunction(call)


class _AppLoop:
    """One event loop in a daemon thread, for one mounted ASGI app."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_forever()
        finally:
            pending = asyncio.all_tasks(self.loop)
            for task in pending:
                task.cancel()
            with contextlib.suppress(Exception):
                self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self.loop.close()

    def submit(self, coro: Coroutine[Any, Any, Any]) -> concurrent.futures.Future[Any]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def ping(self, event: threading.Event) -> None:
        with contextlib.suppress(RuntimeError):  # closed already: nothing to ask
            self.loop.call_soon_threadsafe(event.set)

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError):
            self.loop.call_soon_threadsafe(self.loop.stop)
        # A loop stuck in a handler never stops: leave it (daemon), the next mount starts anew.
        self._thread.join(_STOP_GRACE_SECONDS)


def _as_recordable(exc: BaseException) -> BaseException:
    """What the app raised, as something the sandbox's loop may catch: a ``SystemExit`` or a
    ``pytest.fail()`` inside a handler must fail the test, not stop the sandbox."""
    if isinstance(exc, Exception):
        return exc
    wrapped = RuntimeError(f"the app raised {type(exc).__name__}: {exc}")
    wrapped.__cause__ = exc
    return wrapped


class _Unmounted(httpx.RemoteProtocolError):
    """The app was unmounted (the test ended, or it was replaced) while it handled a request."""


class _Isolated(httpx.AsyncBaseTransport):
    """Runs each request on the apps' own loop (ASGI) or a thread (WSGI), never the sandbox's."""

    def __init__(self, app: Any, host: str, loop: Callable[[], _AppLoop]) -> None:
        self._loop: _AppLoop | None = None
        self._name = f"app {host}"
        self._in_flight: set[concurrent.futures.Future[httpx.Response]] = set()
        # The app may start (and the test see it start) before the sandbox's loop has noted
        # the request in flight; an unmount in between must still reach it.
        self._guard = threading.Lock()
        self._closed = False
        self.stalls: list[AppStall] = []
        if is_asgi(app):
            self.kind = "asgi"
            self._asgi = httpx.ASGITransport(app=app, raise_app_exceptions=True)
            self._loop = loop()
        elif callable(app):
            self.kind = "wsgi"
            self._wsgi = httpx.WSGITransport(app=app, raise_app_exceptions=True)
        else:
            raise TypeError(f"{app!r} is neither an ASGI nor a WSGI app")

    async def _call_asgi(self, request: httpx.Request) -> httpx.Response:
        try:
            response = await self._asgi.handle_async_request(request)
            content = await response.aread()
        except asyncio.CancelledError:
            raise
        except BaseException as exc:
            raise _as_recordable(exc)  # noqa: B904 (the cause is kept on the wrapper itself)
        return httpx.Response(response.status_code, headers=response.headers, content=content)

    def _call_wsgi(self, request: httpx.Request) -> httpx.Response:
        response = self._wsgi.handle_request(request)
        content = response.read()
        return httpx.Response(response.status_code, headers=response.headers, content=content)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        copy = httpx.Request(request.method, request.url, headers=request.headers, content=body)
        future: concurrent.futures.Future[httpx.Response]
        if self._loop is not None:
            future = self._loop.submit(self._call_asgi(copy))
        else:
            future = self._in_thread(copy)
        with self._guard:
            self._in_flight.add(future)
            closed = self._closed
        future.add_done_callback(self._in_flight.discard)
        if closed:  # unmounted while the request was being handed over
            future.cancel()
        try:
            return await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is None or not task.cancelling():
                # Not the sandbox giving up: the app was unmounted (or replaced) mid-request.
                # An attempt that failed, recorded and retried as Vonage would.
                raise _Unmounted(
                    "the app was unmounted before it answered", request=request
                ) from None
            # The sender's limit ran out (or the sandbox is stopping): say what the app was doing.
            stall = AppStall(request.method, str(request.url), self.kind)
            if self._loop is not None:
                self._loop.ping(stall.ping)
            self.stalls.append(stall)
            raise

    def _in_thread(self, request: httpx.Request) -> concurrent.futures.Future[httpx.Response]:
        """A daemon thread per request: a WSGI handler that never returns must not hold up the
        next request, nor the interpreter's exit (a ThreadPoolExecutor's workers would)."""
        future: concurrent.futures.Future[httpx.Response] = concurrent.futures.Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(self._call_wsgi(request))
            except BaseException as exc:  # handed to the awaiting side, which records it
                future.set_exception(_as_recordable(exc))

        threading.Thread(target=run, name=self._name, daemon=True).start()
        return future

    @property
    def wedged_loop(self) -> bool:
        """The shared loop is still blocked by one of this mount's handlers."""
        return any(s.kind == "asgi" and not s.ping.is_set() for s in self.stalls)

    def close(self) -> None:
        """Unmounted: what the app still runs for this mount is cancelled (a handler awaiting
        forever); a handler blocking its loop cannot be, and the loop is given up instead."""
        with self._guard:
            self._closed = True
            in_flight = list(self._in_flight)
        for future in in_flight:
            future.cancel()


class RoutingTransport(httpx.AsyncBaseTransport):
    def __init__(self, fallback: httpx.AsyncBaseTransport | None = None) -> None:
        # Made on first use: loading the CA bundle costs ~30 ms of session start-up, and a
        # suite that mounts its app never needs it.
        self._fallback = fallback
        self._apps: dict[str, _Isolated] = {}
        self._loop: _AppLoop | None = None  # every ASGI app's, for the session (made on use)
        self._lock = threading.Lock()  # mounts change from the test thread
        self.errors: list[AppError] = []
        # The process's clock (freezegun, time-machine...) when each signed request reached an
        # app, by its Authorization value: the fixture compares it with the token's `iat`.
        self.app_clock: dict[str, float] = {}

    def _app_loop(self) -> _AppLoop:
        if self._loop is None:
            self._loop = _AppLoop("apps under test")
        return self._loop

    @property
    def stalls(self) -> list[AppStall]:
        """Requests the mounted apps did not answer in time, since they were mounted."""
        with self._lock:
            return [s for t in self._apps.values() for s in t.stalls]

    def mount(self, host: str, app: Any) -> None:
        """Send requests for ``host`` (``app.test`` or ``app.test:80``) into ``app``."""
        transport = _Isolated(app, host.lower(), self._app_loop)
        with self._lock:
            old = self._apps.pop(host.lower(), None)
            self._apps[host.lower()] = transport
        if old is not None:
            self._retire([old])

    @property
    def mounted(self) -> bool:
        with self._lock:
            return bool(self._apps)

    def unmount_all(self) -> None:
        with self._lock:
            apps = list(self._apps.values())
            self._apps.clear()
            self.errors = []  # a late answer of an unmounted app is no later test's problem
            self.app_clock.clear()
        self._retire(apps)

    def _retire(self, transports: list[_Isolated]) -> None:
        for transport in transports:
            transport.close()
        if self._loop is not None and any(t.wedged_loop for t in transports):
            self._loop.stop()  # blocked: it stops if it ever unblocks; never waited for
            self._loop = None

    def _target(self, url: httpx.URL) -> _Isolated | None:
        with self._lock:
            host = url.host.lower()
            return self._apps.get(f"{host}:{url.port}") or self._apps.get(host)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        target = self._target(request.url)
        auth = request.headers.get("authorization")
        if auth is not None and len(self.app_clock) < APP_CLOCK_KEPT:
            self.app_clock[auth] = time.time()  # looked up now: the faked clock, if any
        if target is None:
            if self._fallback is None:
                self._fallback = httpx.AsyncHTTPTransport()
            return await self._fallback.handle_async_request(request)
        try:
            return await target.handle_async_request(request)
        except _Unmounted:
            raise  # an attempt that failed, as a connection the server dropped would
        except Exception as exc:
            text = "".join(traceback.format_exception(exc))
            self.errors.append(AppError(request.method, str(request.url), text))
            return httpx.Response(
                500, text="Internal Server Error (exception in the app under test)"
            )

    async def aclose(self) -> None:
        self.unmount_all()
        if self._loop is not None:
            self._loop.stop()
        if self._fallback is not None:
            await self._fallback.aclose()
