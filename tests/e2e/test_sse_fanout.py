"""`GET /_sandbox/events` with many streams open: one subscriber on the bus whatever their
number, each event summarised and rendered once, the same bytes to every stream, and one
`resync` for a burst or a stream that fell too far behind."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from sandbox.app import create_app
from sandbox.asgi.api import control_events
from sandbox.asgi.api.control_events import BACKLOG, FRAMES_PER_FLUSH, RESYNC, Broadcaster
from sandbox.core.events import ClockMoved, Event, EventBus
from sandbox.server import BackgroundServer
from sandbox.settings import Settings
from tests.helpers import BASIC, sms

pytestmark = pytest.mark.e2e

STREAMS = 20
WAIT = 10.0  # bound on every read; nothing here waits on a clock


@dataclass
class Open:
    srv: BackgroundServer
    client: httpx.Client
    lines: list[Iterator[str]]  # each stream's lines, past its `: connected`
    others: int  # the bus's subscribers before any stream opened

    @property
    def bus(self) -> EventBus:
        bus: EventBus = self.srv.app.state.runtime.bus
        return bus

    def send(self) -> str:
        r = self.client.post("/v1/messages", json=sms(), headers={"Authorization": BASIC})
        assert r.status_code == 202, r.text
        return str(r.json()["message_uuid"])


@contextlib.contextmanager
def streams(count: int) -> Iterator[Open]:
    """A server and ``count`` open event streams. The server is stopped when the block ends,
    which ends every stream before the code after the block runs."""
    srv = BackgroundServer(create_app(Settings(clock="manual"))).start()
    others = srv.app.state.runtime.bus.subscriber_count
    limits = httpx.Limits(max_connections=None)
    try:
        with (
            httpx.Client(base_url=srv.url, timeout=WAIT, limits=limits) as client,
            contextlib.ExitStack() as stack,
        ):
            lines: list[Iterator[str]] = []
            for _ in range(count):
                response = stack.enter_context(client.stream("GET", "/_sandbox/events"))
                it = response.iter_lines()
                assert next(it) == "retry: 1000" and next(it).startswith(": connected")
                lines.append(it)
            yield Open(srv, client, lines, others)
    finally:
        srv.stop()


def frames_until(lines: Iterator[str], done: Callable[[str, dict[str, Any]], bool]) -> list[str]:
    """The raw frames ("event: ...\\ndata: ...") up to and including the first one ``done``
    accepts; comments are skipped."""
    out: list[str] = []
    name, data = "", ""
    for line in lines:
        if line.startswith("event: "):
            name = line[len("event: ") :]
        elif line.startswith("data: "):
            data = line[len("data: ") :]
        elif line == "" and data:
            out.append(f"event: {name}\ndata: {data}")
            if done(name, json.loads(data)):
                return out
            name, data = "", ""
    raise AssertionError("the stream ended")


def status_of(uuid: str) -> Callable[[str, dict[str, Any]], bool]:
    return lambda name, data: name == "message.status" and data.get("message_uuid") == uuid


def counting(monkeypatch: pytest.MonkeyPatch, name: str) -> list[int]:
    """Wrap control_events.<name> to count its calls."""
    calls = [0]
    real = getattr(control_events, name)

    def wrapper(*args: Any) -> Any:
        calls[0] += 1
        return real(*args)

    monkeypatch.setattr(control_events, name, wrapper)
    return calls


def test_many_streams_are_one_subscriber_and_get_the_same_bytes() -> None:
    with streams(STREAMS) as live:
        assert live.bus.subscriber_count == live.others + 1
        uuid = live.send()
        seen = [frames_until(it, status_of(uuid)) for it in live.lines]
        assert all(s == seen[0] for s in seen)
        kinds = [f.split("\n")[0] for f in seen[0]]
        assert "event: message.created" in kinds and kinds[-1] == "event: message.status"
    # Every stream ended with the server: the broadcaster has left the bus.
    assert live.bus.subscriber_count == live.others


def test_each_event_is_summarised_and_rendered_once_whatever_the_streams(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    summaries = counting(monkeypatch, "summary")
    frames = counting(monkeypatch, "frame")
    with streams(STREAMS) as live:
        published: list[Event] = []
        live.bus.on_any(published.append)  # nothing is published while the test subscribes
        summaries[0] = frames[0] = 0  # from here on
        uuid = live.send()
        for it in live.lines:
            frames_until(it, status_of(uuid))
        # The last stream has the last event, so every event has been rendered by now.
        assert len(published) >= 3
        assert summaries[0] == len(published)  # not len(published) * STREAMS
        assert frames[0] == len(published)


def test_a_burst_gives_every_stream_one_resync_then_events_flow_again() -> None:
    with streams(5) as live:
        bus, loop = live.bus, live.srv.loop
        assert loop is not None

        def burst(count: int) -> Callable[[], None]:
            def publish() -> None:  # one callback on the server's loop: one flush sees it all
                for i in range(count):
                    bus.publish(ClockMoved(0.0, float(i), i))

            return publish

        loop.call_soon_threadsafe(burst(FRAMES_PER_FLUSH + 1))
        got = [frames_until(it, lambda name, data: name == "resync") for it in live.lines]
        assert all(g == ['event: resync\ndata: {"kind":"resync"}'] for g in got)
        # The flush after a resync waits longer and holds as many more events: this many
        # (over the bound for one ordinary flush, under it for the pause) come one by one.
        count = FRAMES_PER_FLUSH + 10
        loop.call_soon_threadsafe(burst(count))
        for it in live.lines:
            got = frames_until(it, lambda name, data: data.get("fired") == count - 1)
            assert len(got) == count and all(g.startswith("event: clock.moved") for g in got)
        uuid = live.send()
        for it in live.lines:
            assert frames_until(it, status_of(uuid))[-1].startswith("event: message.status")


def run_async(scenario: Callable[[], Any]) -> Any:
    """asyncio.run in a thread of its own (a browser test may have left a loop running in the
    main thread)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(scenario())).result()


def test_a_stream_that_fell_behind_the_log_gets_one_resync(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(control_events, "FLUSH", 0.0)  # a flush on the loop's next turn

    async def scenario() -> tuple[bytes, bytes, bytes]:
        bus = EventBus()
        hub = Broadcaster(bus, asyncio.get_running_loop())
        stalled = hub.seq  # a stream that stops writing here
        for i in range(BACKLOG + 1):
            changed = hub.changed
            bus.publish(ClockMoved(0.0, float(i), i))
            await changed.wait()  # that event's flush
        one_behind = hub.since(hub.seq - 1)
        all_kept = hub.since(hub.seq - BACKLOG)
        lost = hub.since(stalled)
        hub.close()
        return one_behind, all_kept, lost

    one_behind, all_kept, lost = run_async(scenario)
    assert one_behind.count(b"event: clock.moved") == 1 and b'"fired":%d' % BACKLOG in one_behind
    assert all_kept.count(b"event: clock.moved") == BACKLOG
    assert lost == RESYNC.encode()


def test_the_first_event_after_a_quiet_spell_goes_out_at_once_then_at_most_every_flush() -> None:
    """An idle inbox tab sees a change on the loop's next turn; under load the streams are
    still written at most every FLUSH seconds."""

    async def scenario() -> tuple[float, float]:
        loop = asyncio.get_running_loop()
        bus = EventBus()
        hub = Broadcaster(bus, loop)
        changed = hub.changed
        bus.publish(ClockMoved(0.0, 1.0, 1))
        assert hub._timer is not None
        first = hub._timer.when() - loop.time()  # due now: no FLUSH to wait
        await asyncio.wait_for(changed.wait(), control_events.FLUSH)
        flushed_at = loop.time()
        bus.publish(ClockMoved(1.0, 2.0, 2))  # right behind it: waits out the rest of FLUSH
        assert hub._timer is not None
        second = hub._timer.when() - flushed_at
        hub.close()
        return first, second

    first, second = run_async(scenario)
    assert first <= 0.0
    assert control_events.FLUSH * 0.9 <= second <= control_events.FLUSH
