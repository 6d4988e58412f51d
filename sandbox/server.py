"""Running the app under uvicorn: the CLI's `serve`, and a background server for tests and the
pytest plugin (a real server on a free port, in a thread)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Iterator
from typing import IO

import uvicorn
from starlette.applications import Starlette

from sandbox.app import create_app
from sandbox.settings import Settings


def _banner(settings: Settings, port: int, secret: str, out: IO[str]) -> None:
    base = f"http://{settings.host}:{port}"
    print(f"nexmo-sandbox listening on {base}", file=out)
    print(
        f"  Vonage API host: {base}  (POST /v1/messages, /v0.1/messages, /v0.1/dispatch)", file=out
    )
    print(f"  inbox UI:        {base}/", file=out)
    print(f"  control API:     {base}/_sandbox/health", file=out)
    print(
        f"  clock: {settings.clock}, auth: {'strict' if settings.strict_auth else 'open'}", file=out
    )
    out.flush()


def serve(settings: Settings, out: IO[str]) -> int:
    app = create_app(settings)
    sock = socket.socket(socket.AF_INET6 if ":" in settings.host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((settings.host, settings.port))
    except OSError as exc:
        print(f"nexmo-sandbox: cannot listen on {settings.host}:{settings.port}: {exc}", file=out)
        return 1
    port = sock.getsockname()[1]
    rt = app.state.runtime
    rt.public_url = f"http://{settings.host}:{port}"
    config = uvicorn.Config(app, log_level=settings.log_level, access_log=False)
    server = uvicorn.Server(config)
    _banner(settings, port, rt.webhooks.signature_secret, out)
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[sock])
    print("nexmo-sandbox stopped", file=out)
    return 0


class BackgroundServer:
    """A real uvicorn server on a free loopback port, in a daemon thread."""

    def __init__(self, app: Starlette, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.host = host
        self._sock = socket.socket(socket.AF_INET)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self.port: int = self._sock.getsockname()[1]
        rt = getattr(app.state, "runtime", None)
        if rt is not None:
            rt.public_url = self.url
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
        self.server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _run(self) -> None:
        # uvloop when present (as uvicorn picks it for `serve`): the plain asyncio loop in a
        # thread answers loopback requests ~40 ms late, which would make test suites crawl.
        try:
            import uvloop

            self.loop = uvloop.new_event_loop()
        except ImportError:  # pragma: no cover - uvicorn[standard] brings uvloop on Linux
            self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.server.serve(sockets=[self._sock]))
        self.loop.close()

    def start(self) -> BackgroundServer:
        self._thread = threading.Thread(target=self._run, name="nexmo-sandbox", daemon=True)
        self._thread.start()
        started = threading.Event()
        # uvicorn sets `started` once the socket is accepting; wait on it without sleeping
        # in a loop by joining in short slices.
        while not self.server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the sandbox server failed to start")
            started.wait(0.005)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._sock.close()


@contextlib.contextmanager
def running(settings: Settings | None = None, **kwargs: object) -> Iterator[BackgroundServer]:
    app = create_app(settings or Settings(), **kwargs)  # type: ignore[arg-type]
    server = BackgroundServer(app).start()
    try:
        yield server
    finally:
        server.stop()
