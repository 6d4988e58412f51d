"""Limits at the connection: what uvicorn's own HTTP protocol does not bound.

uvicorn's `http="auto"` is its httptools protocol (httptools comes with uvicorn[standard]),
and that protocol bounds neither the size of a request head (httptools has no limit: a 10 MB
header was accepted, and each header is collected by concatenating bytes) nor the time a
request may take to arrive: uvicorn's only timer is the keep-alive one, armed after a
response, so a connection that sends nothing, or half a request, stays open for ever.
`h11_max_incomplete_event_size` bounds the head for the h11 protocol only, and h11 has no
such timer either. So every listener runs `_BoundedHttpTools` below: uvicorn's own protocol
with those two bounds added, passed through uvicorn's `http` option.
"""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from starlette.applications import Starlette
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# The request line and headers together: 4 times Node's 16 KiB and twice nginx's default 32 KiB,
# so that a browser with a large cookie jar for `localhost` (every local app's cookies) still
# gets the inbox, and still small enough that holding it is nothing.
MAX_HEADER_BYTES = 64 * 1024
# A request must arrive whole (head and body) within this many seconds of its first byte, or
# of the connection opening: on loopback a 1 MiB body takes milliseconds, so this only ever
# closes connections that stalled (a client that died mid-request, a slow-loris). Twice the
# keep-alive timeout, so that a loop busy with a long clock advance does not cut off a client
# whose bytes have already arrived.
REQUEST_TIMEOUT = 10.0
# uvicorn's own default, named here: an idle keep-alive connection is closed after 5 s.
KEEP_ALIVE_TIMEOUT = 5


class _HeadTooLarge(Exception):
    pass


class _BoundedHttpTools(HttpToolsProtocol):
    """uvicorn's httptools protocol with a bound on the request head (431) and on the time a
    request may take to arrive (the connection is closed).

    The head is measured twice, neither costing anything on a request that arrives in one read.
    When a read completes a head that, with the reads before it, could be over the limit, the
    URL and headers are counted exactly. And reads that arrive wholly inside an unfinished head
    are added up as they come, so that a header that never ends is refused once the limit has
    arrived beyond its first read, before httptools has collected much more of it.
    """

    max_header_bytes = MAX_HEADER_BYTES
    request_timeout = REQUEST_TIMEOUT

    def __init__(
        self,
        config: uvicorn.Config,
        server_state: Any,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._in_head = False  # from a request's first byte to the end of its headers
        self._begun = 0  # requests begun on this connection
        self._head_within = 0  # bytes of reads wholly inside the current head
        self._head_touched = 0  # bytes of every read that ended inside it
        self._read = 0  # length of the read being parsed
        self._receiving = False  # from a request's first byte to its last
        self._too_large = False
        self._deadline: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._deadline = self.loop.call_later(self.request_timeout, self._timed_out)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _timed_out(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()  # a connection that never sends anything

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        inside, begun = self._in_head, self._begun
        self._read = len(data)
        super().data_received(data)  # parses; a head found too large ends in send_400_response
        if self.transport.is_closing():
            return
        if self._in_head:
            self._head_touched += len(data)
            if inside and self._begun == begun:  # the whole read is that one head's
                self._head_within += len(data)
                if self._head_within > self.max_header_bytes:
                    self.logger.warning(
                        "Request head over %d bytes refused.", self.max_header_bytes
                    )
                    self._refuse_head()
                    return
        # Mid-request, or bytes while no response is pending (a drip of blank lines between
        # requests): either way the connection must get somewhere before the deadline. Not
        # while the app answers, which may take as long as it likes (an event stream).
        if self._deadline is None and (
            self._receiving or self.cycle is None or self.cycle.response_complete
        ):
            self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._receiving = self._in_head = True
        self._head_within = self._head_touched = 0
        self._begun += 1

    def on_headers_complete(self) -> None:
        if self._head_touched + self._read > self.max_header_bytes and (
            len(self.url) + sum(len(n) + len(v) + 4 for n, v in self.headers)
            > self.max_header_bytes
        ):
            self._too_large = True
            raise _HeadTooLarge  # stops the parser; uvicorn then calls send_400_response
        self._in_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._receiving = False
        self._disarm()

    def handle_websocket_upgrade(self) -> None:
        self._disarm()  # the connection belongs to the WebSocket protocol from now on
        super().handle_websocket_upgrade()

    def send_400_response(self, msg: str) -> None:
        if self._too_large:
            self._refuse_head()
        else:
            super().send_400_response(msg)

    def _refuse_head(self) -> None:
        self._disarm()
        body = f"The request line and headers must be at most {self.max_header_bytes} bytes."
        self.transport.write(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
            b"content-type: text/plain; charset=utf-8\r\n"
            b"content-length: " + str(len(body)).encode() + b"\r\n"
            b"connection: close\r\n\r\n" + body.encode()
        )
        self.transport.close()


def _http_protocol(request_timeout: float) -> type[asyncio.Protocol]:
    if request_timeout == REQUEST_TIMEOUT:
        return _BoundedHttpTools
    # A test's shorter deadline, without a setting of uvicorn's to carry it.
    return type("_BoundedHttpTools", (_BoundedHttpTools,), {"request_timeout": request_timeout})


def config_for(app: Starlette, request_timeout: float, **options: Any) -> uvicorn.Config:
    """Every listener's uvicorn.Config: the same limits on the plain and the TLS side."""
    return uvicorn.Config(
        app,
        access_log=False,
        http=_http_protocol(request_timeout),
        timeout_keep_alive=KEEP_ALIVE_TIMEOUT,
        # Not read by the protocol above; the same bound should anyone pass http="h11".
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        **options,
    )
