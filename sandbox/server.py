"""Running the app under uvicorn: the CLI's `serve`, and a background server for tests and the
pytest plugin (a real server on a free port, in a thread)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import socket
import threading
from collections.abc import Iterator
from typing import IO, Any

import uvicorn
from starlette.applications import Starlette

from sandbox.app import create_app
from sandbox.asgi.persistence import UnusableDatabase
from sandbox.asgi.settings_files import UnusableSettingsFile
from sandbox.http_limits import REQUEST_TIMEOUT, config_for
from sandbox.settings import Settings
from sandbox.state import signature_secret, state_dir
from sandbox.tls import TlsFiles, ensure_certificate, trust_hint
from sandbox.webhooks.engine import prepare_network


def _banner(
    settings: Settings,
    port: int,
    secret: str,
    out: IO[str],
    tls: tuple[int, TlsFiles] | None = None,
    kept_secret: bool = False,
) -> None:
    base = f"http://{settings.host}:{port}"
    print(f"nexmo-sandbox listening on {base}", file=out)
    if tls is not None:
        print(f"  and with HTTPS on https://{_tls_host(settings.host)}:{tls[0]}", file=out)
    print(
        f"  Vonage API host: {base}  (POST /v1/messages, /v0.1/messages, /v0.1/dispatch)", file=out
    )
    if tls is not None:
        print(f"  Python SDKs (https only): api_host={_tls_host(settings.host)}:{tls[0]}", file=out)
        for line in trust_hint(tls[1]):
            print(line, file=out)
    print(f"  inbox UI:        {base}/", file=out)
    print(f"  control API:     {base}/_sandbox/health", file=out)
    print(
        f"  clock: {settings.clock}, auth: {'strict' if settings.strict_auth else 'open'}", file=out
    )
    if settings.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"  WARNING: listening on {settings.host}: anyone who can reach this address can read "
            "every message, send as your apps and change the sandbox (control API and inbox).",
            file=out,
        )
    given = (
        f" (generated once, kept in {state_dir(settings.state_dir)}; --signature-secret sets it)"
        if kept_secret
        else ""
    )
    print(f"  webhook signature secret: {secret}{given}", file=out)
    out.flush()


def _tls_host(host: str) -> str:
    """The name to give clients for the HTTPS listener: the certificate names localhost and
    loopback only, so a wildcard bind is reached (and verified) as 127.0.0.1."""
    if host in ("0.0.0.0", "::", ""):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


BACKLOG = 2048


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket: bound and already accepting into its backlog, so a client that
    connects as soon as the banner says "listening" waits for uvicorn instead of being refused."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError:
        sock.close()
        raise
    return sock


class _TlsServer(uvicorn.Server):
    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # Closing an idle keep-alive TLS connection waits for the client's close_notify, and
        # a client that is not reading (a requests pool) never sends it: shutdown would hang
        # for the 30 s SSL shutdown timeout. Abort idle connections; busy ones still finish.
        for conn in list(self.server_state.connections):
            cycle = getattr(conn, "cycle", None)
            transport = getattr(conn, "transport", None)
            if transport is not None and (cycle is None or cycle.response_complete):
                transport.abort()
        await super().shutdown(sockets)


def _tls_server(
    app: Starlette, files: TlsFiles, log_level: str, request_timeout: float = REQUEST_TIMEOUT
) -> uvicorn.Server:
    """The HTTPS twin of the main server: same app (same Runtime, same messages), and no
    lifespan of its own, since the main server's lifespan already started the runtime."""
    config = config_for(
        app,
        request_timeout,
        log_level=log_level,
        lifespan="off",
        ssl_certfile=str(files.cert),
        ssl_keyfile=str(files.key),
    )
    return _TlsServer(config)


# uvicorn's server and protocol log to this logger; what the sandbox adds to it below goes
# where uvicorn's own lines go, in the same format.
uvicorn_log = logging.getLogger("uvicorn.error")
TLS_RECORD = 0x16  # the first byte of a TLS connection: a handshake record (ClientHello)


def _tls_hint(plain_url: str, tls_url: str | None) -> str:
    port = plain_url.rsplit(":", 1)[1]
    other = (
        f"or {tls_url} for https" if tls_url else "or start with --tls for https on its own port"
    )
    return f"a TLS (HTTPS) request reached the plain-HTTP port {port}: use {plain_url}, {other}"


def _hint_tls_on_plain(config: uvicorn.Config, plain_url: str, tls_url: str | None) -> None:
    """Give the plain listener's protocol (uvicorn's `http` option, as http_limits sets it) a
    look at each connection's first byte: a TLS handshake there only makes uvicorn log
    "Invalid HTTP request received.", so say once, before it, what happened and what to do."""
    if isinstance(config.http, str):  # a protocol by name: nothing to build on
        return
    base: type[Any] = config.http
    hint = _tls_hint(plain_url, tls_url)
    told = [False]  # once per listener: a browser retries the handshake several times

    class _SniffTls(base):  # type: ignore[misc]
        _first_read = True

        def data_received(self, data: bytes) -> None:
            if self._first_read:
                self._first_read = False
                if data[:1] == bytes([TLS_RECORD]) and not told[0]:
                    told[0] = True
                    uvicorn_log.warning(hint)
            super().data_received(data)

    _SniffTls.__name__ = _SniffTls.__qualname__ = base.__name__
    config.http = _SniffTls


class _Once(logging.Filter):
    """Two uvicorn servers in one process (plain and TLS) would each announce the process
    ("Started server process [N]" twice): pass each of these lines once, and "Finished" only
    when it is last (``finishing``), so the log reads as one server's."""

    ONCE = ("Started server process", "Shutting down")
    LAST = "Finished server process"

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[str] = set()
        self.finishing = False

    def filter(self, record: logging.LogRecord) -> bool:
        if not isinstance(record.msg, str):
            return True
        if record.msg.startswith(self.LAST):
            return self.finishing
        if record.msg.startswith(self.ONCE):
            line = record.getMessage()
            if line in self.seen:
                return False
            self.seen.add(line)
        return True


async def _serve_pair(
    main: uvicorn.Server,
    main_sock: socket.socket,
    twin: uvicorn.Server,
    twin_sock: socket.socket,
    once: _Once | None = None,
) -> None:
    """Run both listeners on one loop; when either stops (Ctrl-C, a failure), stop both. With
    ``once`` (`serve`), the process is announced once, not once per listener."""
    if once is not None:
        uvicorn_log.addFilter(once)
    try:
        first = asyncio.ensure_future(main.serve(sockets=[main_sock]))
        # The HTTPS side opens only once the lifespan has started the runtime.
        while not main.started and not first.done():
            await asyncio.sleep(0.005)
        second = asyncio.ensure_future(twin.serve(sockets=[twin_sock]))
        await asyncio.wait({first, second}, return_when=asyncio.FIRST_COMPLETED)
        main.should_exit = twin.should_exit = True
        await asyncio.wait({second})  # the HTTPS side first: the main one finishes the process
        if once is not None:
            once.finishing = True
        await asyncio.gather(first, second)
    finally:
        if once is not None:
            uvicorn_log.removeFilter(once)


# The sandbox process keeps every message, status and webhook record for its whole life: a
# large heap of long-lived objects with almost no reference cycles. CPython's default
# collector thresholds (700 allocations) suit short-lived objects and made the collector a
# third of the CPU of a send (bench/README.md); collecting young objects every 50,000
# allocations keeps cycles bounded and stops walking the store over and over.
GC_THRESHOLDS = (50_000, 20, 100)


def tune_gc() -> None:
    gc.freeze()  # what start-up allocated is never garbage
    gc.set_threshold(*GC_THRESHOLDS)


def serve(settings: Settings, out: IO[str]) -> int:
    kept_secret = settings.signature_secret is None
    if kept_secret:  # the same secret after a restart, so the app's verification keeps working
        settings = settings.replace(signature_secret=signature_secret(settings.state_dir))
    try:
        app = create_app(settings)
    except (UnusableDatabase, UnusableSettingsFile) as exc:
        print(f"nexmo-sandbox: {exc}", file=out)
        return 1
    # What the first webhook to the network would make lazily (a test process pays for it only
    # if it sends one); done on the first webhook, it held up the first second's webhooks by up
    # to half a second. Before tune_gc: frozen with the rest of start-up.
    prepare_network()
    tune_gc()  # only for `serve`: a test process or a host app keeps its own settings
    try:
        sock = _bind(settings.host, settings.port)
    except OSError as exc:
        print(f"nexmo-sandbox: cannot listen on {settings.host}:{settings.port}: {exc}", file=out)
        return 1
    port = sock.getsockname()[1]
    tls: tuple[int, TlsFiles] | None = None
    tls_sock: socket.socket | None = None
    if settings.tls:
        try:
            files = ensure_certificate(settings.state_dir)
        except OSError as exc:
            print(f"nexmo-sandbox: cannot make the TLS certificate: {exc}", file=out)
            return 1
        try:
            tls_sock = _bind(settings.host, settings.tls_port)
        except OSError as exc:
            print(
                f"nexmo-sandbox: cannot listen on {settings.host}:{settings.tls_port} "
                f"(--tls-port): {exc}",
                file=out,
            )
            return 1
        tls = (tls_sock.getsockname()[1], files)
    rt = app.state.runtime
    rt.public_url = f"http://{settings.host}:{port}"
    config = config_for(app, REQUEST_TIMEOUT, log_level=settings.log_level)
    tls_url = None if tls is None else f"https://{_tls_host(settings.host)}:{tls[0]}"
    _hint_tls_on_plain(config, rt.public_url, tls_url)
    server = uvicorn.Server(config)
    _banner(settings, port, rt.webhooks.signature_secret, out, tls, kept_secret)
    with contextlib.suppress(KeyboardInterrupt):
        if tls is None or tls_sock is None:
            server.run(sockets=[sock])
        else:
            twin = _tls_server(app, tls[1], settings.log_level)
            asyncio.run(_serve_pair(server, sock, twin, tls_sock, _Once()))
    print("nexmo-sandbox stopped", file=out)
    return 0


class BackgroundServer:
    """A real uvicorn server on a free loopback port, in a daemon thread.

    ``tls`` (a :class:`~sandbox.tls.TlsFiles`, e.g. from ``ensure_certificate()``) adds an
    HTTPS listener for the same app on ``tls_port`` (0: a free one): ``tls_url``, ``ca_path``.
    ``request_timeout`` shortens :data:`REQUEST_TIMEOUT` for a test of that timeout.
    """

    def __init__(
        self,
        app: Starlette,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        tls: TlsFiles | None = None,
        tls_port: int = 0,
        request_timeout: float = REQUEST_TIMEOUT,
    ) -> None:
        self.app = app
        self.host = host
        self._sock = _bind(host, port)
        self.port: int = self._sock.getsockname()[1]
        rt = getattr(app.state, "runtime", None)
        if rt is not None:
            rt.public_url = self.url
        config = config_for(app, request_timeout, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.tls = tls
        self.tls_port: int | None = None
        self._tls_sock: socket.socket | None = None
        self.tls_server: uvicorn.Server | None = None
        if tls is not None:
            self._tls_sock = _bind(host, tls_port)
            self.tls_port = self._tls_sock.getsockname()[1]
            self.tls_server = _tls_server(app, tls, "warning", request_timeout)
        self._thread: threading.Thread | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def tls_url(self) -> str | None:
        """``https://host:port`` of the HTTPS listener, or None without ``tls``."""
        return None if self.tls_port is None else f"https://{self.host}:{self.tls_port}"

    @property
    def ca_path(self) -> str | None:
        """The certificate clients trust for ``tls_url`` (REQUESTS_CA_BUNDLE and friends)."""
        return None if self.tls is None else str(self.tls.ca_path)

    def _serve(self) -> Any:
        if self.tls_server is None or self._tls_sock is None:
            return self.server.serve(sockets=[self._sock])
        return _serve_pair(self.server, self._sock, self.tls_server, self._tls_sock)

    def _run(self) -> None:
        # uvloop when present (as uvicorn picks it for `serve`): the plain asyncio loop in a
        # thread answers loopback requests ~40 ms late, which would make test suites crawl.
        try:
            import uvloop

            self.loop = uvloop.new_event_loop()
        except ImportError:  # pragma: no cover - uvicorn[standard] brings uvloop on Linux
            self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._serve())
        self.loop.close()

    def start(self) -> BackgroundServer:
        self._thread = threading.Thread(target=self._run, name="nexmo-sandbox", daemon=True)
        self._thread.start()
        started = threading.Event()
        # uvicorn sets `started` once the socket is accepting; wait on it without sleeping
        # in a loop by joining in short slices.
        while not self.server.started or (
            self.tls_server is not None and not self.tls_server.started
        ):
            if not self._thread.is_alive():
                raise RuntimeError("the sandbox server failed to start")
            started.wait(0.005)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self.tls_server is not None:
            self.tls_server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._sock.close()
        if self._tls_sock is not None:
            self._tls_sock.close()


@contextlib.contextmanager
def running(settings: Settings | None = None, **kwargs: object) -> Iterator[BackgroundServer]:
    settings = settings or Settings()
    app = create_app(settings, **kwargs)  # type: ignore[arg-type]
    # With settings.tls, also an HTTPS listener on a free port (like the plain one).
    tls = ensure_certificate(settings.state_dir) if settings.tls else None
    server = BackgroundServer(app, tls=tls).start()
    try:
        yield server
    finally:
        server.stop()
