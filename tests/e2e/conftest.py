from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from sandbox.app import create_app
from sandbox.asgi.runtime import Runtime
from sandbox.server import BackgroundServer
from sandbox.settings import Settings
from tests.helpers import BASIC


@dataclass
class Live:
    """A real sandbox server on a free port and an HTTP client for it."""

    url: str
    rt: Runtime
    http: httpx.Client

    def send(self, body: Any, auth: str | None = BASIC, path: str = "/v1/messages") -> Any:
        headers = {"Authorization": auth} if auth else {}
        return self.http.post(path, json=body, headers=headers)

    def control(self, method: str, path: str, body: Any = None) -> Any:
        r = self.http.request(method, "/_sandbox" + path, json=body)
        assert r.status_code < 300, r.text
        return r.json()

    def mark(self, uuid: str, status: str, **extra: Any) -> Any:
        return self.control("POST", f"/messages/{uuid}/status", {"status": status, **extra})

    def advance(self, seconds: float) -> Any:
        return self.control("POST", "/clock/advance", {"seconds": seconds})

    def webhooks(self, **params: Any) -> list[dict[str, Any]]:
        r = self.http.get("/_sandbox/webhooks", params=params)
        assert r.status_code == 200, r.text
        return list(reversed(r.json()["webhooks"]))  # oldest first


@contextmanager
def live_sandbox(**settings: Any) -> Iterator[Live]:
    app = create_app(Settings(clock="manual", **settings))
    server = BackgroundServer(app).start()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            yield Live(server.url, app.state.runtime, http)
    finally:
        server.stop()


@pytest.fixture
def sandbox_server() -> Callable[..., AbstractContextManager[Live]]:
    return live_sandbox
