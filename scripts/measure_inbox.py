"""How fast the inbox is with many stored messages: seeds a real server, then times the summary
helper, each page over HTTP (median of several runs) and, if Chromium is there, a page load in
the browser.

    .venv/bin/python scripts/measure_inbox.py [--messages 10000] [--runs 7]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx

from sandbox.app import create_app
from sandbox.core.conversations import newest_first, summarise
from sandbox.core.engine import InboundDraft
from sandbox.core.models import Outbound, Sender
from sandbox.server import BackgroundServer
from sandbox.settings import Settings

CHANNELS = [("sms", "447700900000"), ("whatsapp", "447700900000"), ("mms", "447700900000"),
            ("messenger", "1099887766"), ("viber_service", "ShopCo")]  # fmt: skip
BIG = "447700999999"  # one long conversation, to page through


def seed(rt: Any, n: int) -> None:
    """`n` messages: a quarter in one long WhatsApp thread, the rest spread over ~n/5
    conversations on every channel, one reply in ten."""
    sender = Sender(api_key="demo")
    conversations = max(1, n // 5)
    for i in range(n):
        if i % 4 == 0:
            channel, app, peer = "whatsapp", "447700900000", BIG
        else:
            channel, app = CHANNELS[i % len(CHANNELS)]
            peer = (
                f"4477{(i % conversations):08d}"
                if channel != "messenger"
                else f"40{i % conversations:08d}"
            )
        if i % 10 == 9:
            rt.engine.receive(InboundDraft(channel, peer, app, "text", {"text": f"reply {i}"}, {}))
        else:
            draft = Outbound(channel, peer, app, "text", {"text": f"message number {i}"})
            rt.engine.send(draft, sender)


def timed(fn: Callable[[], Any], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    server = BackgroundServer(create_app(Settings(clock="manual"))).start()
    rt = server.app.state.runtime
    assert server.loop is not None

    async def load() -> None:
        seed(rt, args.messages)
        await rt.settle()

    start = time.perf_counter()
    asyncio.run_coroutine_threadsafe(load(), server.loop).result()
    print(f"seeded {rt.store.count()} messages in {time.perf_counter() - start:.1f} s")
    rows = summarise(newest_first(rt.store))
    print(f"{len(rows)} conversations")
    print()
    print(f"{'what':70} {'median ms':>10}")
    everything = timed(lambda: summarise(newest_first(rt.store)), args.runs)
    search = timed(lambda: summarise(newest_first(rt.store), q="number 99"), args.runs)
    print(f"{'summarise() all conversations':70} {everything:10.1f}")
    print(f"{'summarise(q=...) text search':70} {search:10.1f}")
    pages = [
        "/",
        "/?channel=sms",
        "/?q=number%209999",
        "/?offset=1000",
        f"/conversation?channel=whatsapp&peer={BIG}",
        f"/conversation?channel=whatsapp&peer={BIG}&offset=2000",
        "/time",
        "/webhooks",
        "/failover",
        "/_sandbox/conversations",
    ]
    with httpx.Client(base_url=server.url, timeout=30) as http:
        for path in pages:
            r = http.get(path)
            assert r.status_code == 200, (path, r.status_code)
            ms = timed(lambda p=path: http.get(p), args.runs)  # type: ignore[misc]
            print(f"GET {path:66} {ms:10.1f}   ({len(r.content) // 1024} KiB)")

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        chromium = ""
    if chromium and shutil.which(chromium):
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page()
            for path in ("/", f"/conversation?channel=whatsapp&peer={BIG}"):

                def visit(p: str = path) -> None:
                    page.goto(server.url + p)
                    page.wait_for_selector("#live[data-state=open]")

                ms = timed(visit, args.runs)
                print(f"browser load {path:57} {ms:10.1f}")
            browser.close()
    server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
