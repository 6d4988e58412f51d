"""A lean HTTP/1.1 client for webhooks to plain `http://` URLs: keep-alive connections pooled
per origin, one write per request, nothing else.

Why not httpx here: a profile of `serve --auto-deliver 0` under load put ~80 % of the process
in httpx/httpcore (its pool re-scans every connection and queued request on each request, and
probes idle sockets), about 1 ms of CPU per POST; this client needs well under 0.1 ms, so the
sandbox can deliver webhooks faster than an app under load test sends messages. httpx still
carries https URLs and any injected transport (see :class:`sandbox.webhooks.Webhooks`).

Error names follow httpx's (ConnectError, ConnectTimeout, ReadTimeout ...) so the ledger reads
the same whichever client made the attempt.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from urllib.parse import urlsplit

MAX_HEAD = 64 * 1024  # a response head larger than this is not a webhook receiver's answer


class HttpError(Exception):
    """Base of everything a webhook POST can fail with (named as httpx names them)."""


class ConnectError(HttpError):
    pass


class RemoteProtocolError(HttpError):
    pass


class TimeoutException(HttpError):
    pass


class ConnectTimeout(TimeoutException):
    pass


class ReadTimeout(TimeoutException):
    pass


@dataclass(slots=True)
class Reply:
    status_code: int
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


Conn = tuple[asyncio.StreamReader, asyncio.StreamWriter]


@dataclass(slots=True)
class _Origin:
    slots: asyncio.Semaphore
    idle: list[Conn] = field(default_factory=list)


def is_plain_http(url: str) -> bool:
    return url[:7].lower() == "http://"


class Http11Pool:
    def __init__(
        self,
        *,
        connect_timeout: float,
        timeout: float,
        user_agent: str,
        max_per_origin: int = 32,
    ) -> None:
        self.connect_timeout = connect_timeout
        self.timeout = timeout
        self.user_agent = user_agent
        self.max_per_origin = max_per_origin
        self._origins: dict[tuple[str, int], _Origin] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> Reply:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or 80
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        lines = [f"POST {target} HTTP/1.1", f"Host: {parts.netloc.rpartition('@')[2]}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        lines += [f"User-Agent: {self.user_agent}", f"Content-Length: {len(body)}", "", ""]
        request = "\r\n".join(lines).encode("latin-1") + body
        origin = self._origin(host, port)
        async with origin.slots:
            while origin.idle:
                reader, writer = origin.idle.pop()
                if reader.at_eof() or writer.is_closing():
                    writer.close()
                    continue
                try:
                    return await self._exchange(origin, reader, writer, request)
                except _StaleConnection:
                    continue  # closed by the receiver while idle: try a fresh one
            reader, writer = await self._connect(host, port)
            try:
                return await self._exchange(origin, reader, writer, request)
            except _StaleConnection:
                raise RemoteProtocolError(
                    "Server disconnected without sending a response."
                ) from None

    def _origin(self, host: str, port: int) -> _Origin:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            # Connections and semaphores belong to one loop; a new loop starts afresh.
            self._origins = {}
            self._loop = loop
        origin = self._origins.get((host, port))
        if origin is None:
            origin = _Origin(asyncio.Semaphore(self.max_per_origin))
            self._origins[(host, port)] = origin
        return origin

    async def _connect(self, host: str, port: int) -> Conn:
        try:
            async with asyncio.timeout(self.connect_timeout):
                return await asyncio.open_connection(host, port, limit=MAX_HEAD)
        except TimeoutError:
            raise ConnectTimeout(
                f"no connection to {host}:{port} within {self.connect_timeout} s"
            ) from None
        except OSError as exc:
            raise ConnectError(str(exc)) from None

    async def _exchange(
        self,
        origin: _Origin,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        request: bytes,
    ) -> Reply:
        reusable = False
        try:
            async with asyncio.timeout(self.timeout):
                writer.write(request)
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except asyncio.IncompleteReadError as exc:
                    if not exc.partial:
                        raise _StaleConnection() from None
                    raise RemoteProtocolError("Server disconnected mid-response.") from None
                except ConnectionError:
                    raise _StaleConnection() from None
                status, length, chunked, keep = _parse_head(head)
                if chunked:
                    body = await _read_chunked(reader)
                elif length is not None:
                    body = await reader.readexactly(length)
                else:
                    body = await reader.read()  # delimited by the connection closing
                    keep = False
            reusable = keep
        except TimeoutError:
            raise ReadTimeout(f"no response within {self.timeout} s") from None
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
            raise RemoteProtocolError(f"malformed response: {exc}") from None
        except ConnectionError as exc:
            raise RemoteProtocolError(str(exc) or type(exc).__name__) from None
        finally:
            if not reusable:
                writer.close()
        origin.idle.append((reader, writer))
        return Reply(status, body)

    async def aclose(self) -> None:
        origins, self._origins = self._origins, {}
        for origin in origins.values():
            for _, writer in origin.idle:
                with contextlib.suppress(Exception):
                    writer.close()


class _StaleConnection(Exception):
    """The connection closed before any byte of the response: safe to retry on a new one."""


def _parse_head(head: bytes) -> tuple[int, int | None, bool, bool]:
    """Status code, Content-Length, chunked?, keep-alive? from a response head."""
    lines = head.decode("latin-1").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    if not version.startswith("HTTP/1."):
        raise ValueError(f"not an HTTP/1.x status line: {lines[0][:80]!r}")
    status = int(rest[:3])
    keep = version == "HTTP/1.1"
    length: int | None = None
    chunked = False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        value = value.strip()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding":
            chunked = "chunked" in value.lower()
        elif name == "connection":
            low = value.lower()
            keep = "close" not in low and (keep or "keep-alive" in low)
    if status < 200 or status in (204, 304):
        length = 0 if not chunked else length
    return status, length, chunked, keep


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";")[0].strip(), 16)
        if size == 0:
            # Trailers, if any, end with an empty line.
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)
