"""The one test harness: a real sandbox (uvicorn on a free loopback port) and an HTTP client
for it, with the few calls tests make the way an app or a script would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

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
        """POST a send request; the response, whatever it is."""
        headers = {"Authorization": auth} if auth else {}
        return self.http.post(path, json=body, headers=headers)

    def sent(self, body: Any, path: str = "/v1/messages") -> dict[str, Any]:
        """POST a send request that must be accepted; its JSON answer."""
        r = self.send(body, path=path)
        assert r.status_code == 202, r.text
        out: dict[str, Any] = r.json()
        return out

    def text(self, to: str, text: str, channel: str = "sms", frm: str = "447700900000") -> str:
        body = {"channel": channel, "message_type": "text", "to": to, "from": frm, "text": text}
        return str(self.sent(body)["message_uuid"])

    def control(self, method: str, path: str, body: Any = None) -> Any:
        """A control API call (``path`` with or without its `/_sandbox` prefix) that must
        succeed; its JSON answer."""
        if not path.startswith("/_sandbox"):
            path = "/_sandbox" + path
        r = self.http.request(method, path, json=body)
        assert r.status_code < 300, r.text
        return r.json()

    def message(self, uuid: str) -> dict[str, Any]:
        out: dict[str, Any] = self.control("GET", f"/messages/{uuid}")
        return out

    def mark(self, uuid: str, status: str, **extra: Any) -> Any:
        return self.control("POST", f"/messages/{uuid}/status", {"status": status, **extra})

    def advance(self, seconds: float) -> Any:
        return self.control("POST", "/clock/advance", {"seconds": seconds})

    def webhooks(self, **params: Any) -> list[dict[str, Any]]:
        r = self.http.get("/_sandbox/webhooks", params=params)
        assert r.status_code == 200, r.text
        return list(reversed(r.json()["webhooks"]))  # oldest first


# The 24-hour care windows are on by default, as on Vonage. Most tests here are about something
# else and send freeform WhatsApp or Messenger messages to users who never wrote: they run with
# the windows off unless they ask (tests/failover/test_handsets.py tests the windows).
NO_WINDOWS: dict[str, Any] = {"whatsapp_window": False, "messenger_window": False}


@contextmanager
def live_sandbox(**settings: Any) -> Iterator[Live]:
    app = create_app(Settings(clock="manual", **{**NO_WINDOWS, **settings}))
    server = BackgroundServer(app).start()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            yield Live(server.url, app.state.runtime, http)
    finally:
        server.stop()


def problem(live: Live, body: Any) -> dict[str, Any]:
    """Send ``body``; it must be refused with a 422 problem+json, which is returned."""
    r = live.send(body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    data: dict[str, Any] = r.json()
    return data


def names(data: dict[str, Any]) -> list[str]:
    """The `invalid_parameters` names of a problem body."""
    return [p["name"] for p in data.get("invalid_parameters", [])]
