"""A webhook receiver for the benchmarks: answers 200 as fast as Python can, records arrivals.

A bare asyncio protocol on uvloop with httptools (no framework), so that on a 2-core machine
it takes as little CPU from the sandbox as possible. Arrival times are `time.monotonic()`,
the system-wide CLOCK_MONOTONIC, so another process on this machine can compare them with its
own readings.

    POST <anything>      a webhook: recorded by (message_uuid, status), answered 200
    GET  /stats          {"received", "by_status", "distinct", "first", "last"}
    GET  /stats/arrivals {"submitted": {message_uuid: monotonic seconds}}
    POST /reset          forget everything

    .venv/bin/python bench/receiver.py --port 8200
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

import httptools

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"


class State:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.received = 0
        self.by_status: dict[str, int] = {}
        self.seen: set[tuple[str, str]] = set()
        self.submitted_at: dict[str, float] = {}
        self.first: float | None = None
        self.last: float | None = None

    def record(self, body: bytes, now: float) -> None:
        self.received += 1
        if self.first is None:
            self.first = now
        self.last = now
        try:
            payload = json.loads(body)
            uuid, status = str(payload.get("message_uuid")), str(payload.get("status"))
        except (ValueError, AttributeError):
            uuid, status = "?", "unparsable"
        self.by_status[status] = self.by_status.get(status, 0) + 1
        self.seen.add((uuid, status))
        if status == "submitted":
            self.submitted_at.setdefault(uuid, now)

    def stats(self) -> dict[str, object]:
        return {
            "received": self.received,
            "by_status": self.by_status,
            "distinct": len(self.seen),
            "first": self.first,
            "last": self.last,
        }


STATE = State()


class Receiver(asyncio.Protocol):
    def __init__(self) -> None:
        self.parser = httptools.HttpRequestParser(self)
        self.url = b""
        self.body: list[bytes] = []
        self.transport: Any = None  # uvloop's transport is no asyncio.Transport subclass

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            assert self.transport is not None
            self.transport.close()

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        now = time.monotonic()
        assert self.transport is not None
        method = self.parser.get_method()
        url, body = self.url, b"".join(self.body)
        self.url, self.body = b"", []
        if method == b"GET" and url.startswith(b"/stats"):
            if url.startswith(b"/stats/arrivals"):
                data: object = {"submitted": STATE.submitted_at}
            else:
                data = STATE.stats()
            self._answer(json.dumps(data).encode())
        elif method == b"POST" and url == b"/reset":
            STATE.reset()
            self._answer(b"{}")
        else:
            STATE.record(body, now)
            self.transport.write(OK)

    def _answer(self, data: bytes) -> None:
        assert self.transport is not None
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n"
        )
        self.transport.write(head.encode() + data)


async def serve(host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Receiver, host, port, backlog=1024)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8200)
    args = parser.parse_args()
    try:
        with asyncio.Runner(loop_factory=new_loop()) as runner:
            runner.run(serve(args.host, args.port))
    except KeyboardInterrupt:
        pass


def new_loop():  # type: ignore[no-untyped-def]
    try:
        import uvloop

        return uvloop.new_event_loop
    except ImportError:  # pragma: no cover - uvicorn[standard] brings uvloop on Linux
        return asyncio.new_event_loop


if __name__ == "__main__":
    main()
