"""Fixtures for the inbox tests: a real sandbox server on a free port, a real webhook receiver,
and real headless Chromium driven by Playwright (skipped without it on a user's machine,
a failure in CI where NEXMO_SANDBOX_REQUIRE_ALL=1)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.conftest import need
from tests.harness import Live, live_sandbox
from tests.receiver import Receiver
from tests.receiver import receiver as real_receiver

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


# -- the sandbox and its webhook receiver ------------------------------------------------------
@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with real_receiver() as rec:
        yield rec


@pytest.fixture
def sandbox(receiver: Receiver) -> Iterator[Live]:
    with live_sandbox(
        status_url=receiver.url + "/status", inbound_url=receiver.url + "/inbound"
    ) as sb:
        yield sb


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
def page(browser: Any, problems: PageProblems, sandbox: Live) -> Iterator[Any]:
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
