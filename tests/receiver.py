"""The one webhook receiver of the tests: a Starlette app under uvicorn on a free loopback
port that records every request (path, headers, exact body) and answers what it is told."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.server import BackgroundServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int = 0  # the status code the receiver answered with

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def token(self) -> str:
        auth = self.headers.get("authorization", "")
        assert auth.startswith("Bearer "), auth
        return auth[len("Bearer ") :]


@dataclass
class Receiver:
    url: str = ""
    received: list[Received] = field(default_factory=list)
    # (request, attempt number for this path) -> status code; default 200
    answer: Callable[[Received], int] = lambda r: 200
    delay: float = 0.0  # real seconds to wait before answering (to provoke timeouts)
    # Requests to these paths wait for `release` before they are answered (a hung receiver).
    held: tuple[str, ...] = ()
    release: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, path: str, count: int = 1, timeout: float = 10.0) -> list[Any]:
        """Block (real time, at most ``timeout``) until ``count`` requests reached ``path``;
        for what another thread sends, with no polling loop."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.bodies(path)) >= count, timeout)
        return self.bodies(path)

    def at(self, path: str) -> str:
        return self.url + path

    def bodies(self, path: str | None = None) -> list[Any]:
        return [r.json for r in self.received if path is None or r.path == path]


@contextmanager
def receiver() -> Iterator[Receiver]:
    rec = Receiver()

    async def handle(request: Request) -> Response:
        item = Received(request.url.path, dict(request.headers), await request.body())
        with rec.arrived:
            rec.received.append(item)
            rec.arrived.notify_all()
        if item.path in rec.held:
            await asyncio.to_thread(rec.release.wait, 30)
        if rec.delay:
            await asyncio.sleep(rec.delay)
        item.answered = rec.answer(item)
        text = "ok" if item.answered < 300 else "receiver says no"
        return Response(text, status_code=item.answered)

    app = Starlette(routes=[Route("/{path:path}", handle, methods=["POST", "GET"])])
    server = BackgroundServer(app).start()
    rec.url = server.url
    try:
        yield rec
    finally:
        server.stop()
