"""Fixtures for the inbox tests: a real sandbox server on a free port, a real webhook receiver,
and real headless Chromium driven by Playwright (skipped without it on a user's machine,
a failure in CI where NEXMO_SANDBOX_REQUIRE_ALL=1)."""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from sandbox.app import create_app
from sandbox.server import BackgroundServer
from sandbox.settings import Settings
from tests.conftest import need
from tests.helpers import BASIC

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


# -- a webhook receiver -----------------------------------------------------------------------
@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Receiver:
    url: str
    hits: list[Hit] = field(default_factory=list)
    status: int = 200  # what to answer; a test sets 500 to make deliveries fail

    def bodies(self, path: str) -> list[Any]:
        return [h.body for h in list(self.hits) if h.path == path]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = Receiver("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length") or 0))
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode(errors="replace")
            rec.hits.append(Hit(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(rec.status)
            self.send_header("content-type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if rec.status < 300 else b"receiver says no")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    rec.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield rec
    server.shutdown()
    server.server_close()


# -- the sandbox ------------------------------------------------------------------------------
class Sandbox:
    """A running sandbox plus a few calls a test makes the way an app or a script would."""

    def __init__(self, server: BackgroundServer) -> None:
        self.server = server
        self.url = server.url
        self.http = httpx.Client(base_url=server.url, timeout=10)

    @property
    def rt(self) -> Any:
        return self.server.app.state.runtime

    def send(self, body: dict[str, Any], path: str = "/v1/messages") -> dict[str, Any]:
        r = self.http.post(path, json=body, headers={"Authorization": BASIC})
        assert r.status_code == 202, r.text
        out: dict[str, Any] = r.json()
        return out

    def text(self, to: str, text: str, channel: str = "sms", frm: str = "447700900000") -> str:
        body = {"channel": channel, "message_type": "text", "to": to, "from": frm, "text": text}
        return str(self.send(body)["message_uuid"])

    def message(self, uuid: str) -> dict[str, Any]:
        r = self.http.get(f"/_sandbox/messages/{uuid}")
        assert r.status_code == 200, r.text
        out: dict[str, Any] = r.json()
        return out

    def control(self, method: str, path: str, body: Any = None) -> Any:
        r = self.http.request(method, path, json=body)
        assert r.status_code < 300, r.text
        return r.json()


@pytest.fixture
def sandbox(receiver: Receiver) -> Iterator[Sandbox]:
    settings = Settings(
        clock="manual",
        status_url=receiver.url + "/status",
        inbound_url=receiver.url + "/inbound",
    )
    server = BackgroundServer(create_app(settings)).start()
    sb = Sandbox(server)
    yield sb
    sb.http.close()
    server.stop()


# -- the browser ------------------------------------------------------------------------------
# Module scope, not session: Playwright's sync API keeps an asyncio loop running in the main
# thread while it is started, which would break asyncio.run() in every later test module.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    path = chromium_path()
    need(path is not None, "Chromium is not installed (Debian package chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        need(False, "Playwright for Python is not installed")
        raise
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class PageProblems:
    console: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture
def problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def page(browser: Any, problems: PageProblems, sandbox: Sandbox) -> Iterator[Any]:
    """A fresh page (closed before the sandbox stops); console errors, uncaught exceptions
    and dialogs fail the test."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.set_default_timeout(5000)
    pg = context.new_page()
    pg.on(
        "console",
        lambda msg: problems.console.append(msg.text) if msg.type == "error" else None,
    )
    pg.on("pageerror", lambda exc: problems.console.append(f"uncaught: {exc}"))

    def on_dialog(dialog: Any) -> None:
        problems.dialogs.append(dialog.message)
        dialog.dismiss()

    pg.on("dialog", on_dialog)
    yield pg
    context.close()
    assert problems.dialogs == [], f"a dialog opened: {problems.dialogs}"
    assert problems.console == [], f"console errors: {problems.console}"


def settled(page: Any) -> None:
    """Wait until the page's control calls have answered. The event stream can show a change
    before the call that caused it returns (the call also waits for its webhooks)."""
    page.wait_for_function("() => !document.documentElement.dataset.pending")
