"""`GET /_sandbox/events` against a real server: frames, heartbeat, unsubscribe on disconnect;
and the per-client queue that must never block the bus."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import httpx
import pytest

from sandbox.asgi.api import control_events
from sandbox.asgi.api.control_events import Subscription, frame, summary
from sandbox.core.events import MessageCreated, Reset, WebhookUpdated, WorkflowUpdated
from sandbox.core.ledger import Delivery
from sandbox.core.models import Message, Sender, StatusChange
from sandbox.core.workflow import Workflow
from tests.harness import Live

pytestmark = pytest.mark.e2e


def frames(lines: Iterator[str]) -> Iterator[tuple[str, Any]]:
    """(event name, data) for each event; comments come through as ("comment", text)."""
    name, data = "message", None
    for line in lines:
        if line.startswith(":"):
            yield "comment", line[1:].strip()
        elif line.startswith("event: "):
            name = line[len("event: ") :]
        elif line.startswith("data: "):
            data = json.loads(line[len("data: ") :])
        elif line == "" and data is not None:
            yield name, data
            name, data = "message", None


T = TypeVar("T")


def run_async(scenario: Callable[[], Awaitable[T]]) -> T:
    """asyncio.run in a thread of its own: Playwright's sync API keeps a loop running in the
    main thread once a browser test has run in this session."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(scenario())).result()  # type: ignore[arg-type]


def subscribers(sb: Live) -> int:
    return sb.rt.bus.subscriber_count


def test_stream_sends_small_frames_for_changes(sandbox: Live) -> None:
    with (
        httpx.Client(base_url=sandbox.url, timeout=5) as client,
        client.stream("GET", "/_sandbox/events") as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        events = frames(response.iter_lines())
        kind, text = next(events)
        assert kind == "comment" and text.startswith("connected")
        uuid = sandbox.text("447700900001", "hello", channel="sms")
        sandbox.control("POST", f"/_sandbox/messages/{uuid}/status", {"status": "delivered"})
        sandbox.control("POST", "/_sandbox/clock/advance", {"seconds": 5})
        seen: list[tuple[str, Any]] = []
        for kind, data in events:
            seen.append((kind, data))
            if kind == "clock.moved":
                break
    kinds = [k for k, _ in seen]
    assert kinds.index("message.created") < kinds.index("message.status")
    created = next(d for k, d in seen if k == "message.created")
    assert created == {
        "kind": "message.created",
        "message_uuid": uuid,
        "channel": "sms",
        "peer": "447700900001",
        "status": "submitted",
        "direction": "outbound",
    }
    statuses = [d["status"] for k, d in seen if k == "message.status"]
    assert statuses == ["submitted", "delivered"]
    # Each status is recorded in the webhook ledger, and an open stream is told of it (the
    # engine makes observer-only events only while someone listens: EventBus.heard).
    hooks = [d for k, d in seen if k == "webhook.updated"]
    assert len(hooks) >= 2 and all(d["message_uuid"] == uuid for d in hooks)
    moved = next(d for k, d in seen if k == "clock.moved")
    assert moved["fired"] == 0 and moved["from"] < moved["to"]
    # Frames carry ids, never whole payloads.
    assert all(len(json.dumps(d)) < 400 for _, d in seen)


def test_heartbeat_comment_keeps_an_idle_stream_alive(
    sandbox: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(control_events, "HEARTBEAT", 0.05)  # real seconds, transport only
    with (
        httpx.Client(base_url=sandbox.url, timeout=5) as client,
        client.stream("GET", "/_sandbox/events") as response,
    ):
        events = frames(response.iter_lines())
        assert next(events)[1].startswith("connected")
        assert next(events) == ("comment", "keep-alive")


def test_disconnect_unsubscribes(sandbox: Live) -> None:
    before = subscribers(sandbox)
    with (
        httpx.Client(base_url=sandbox.url, timeout=5) as client,
        client.stream("GET", "/_sandbox/events") as response,
    ):
        # Keep the generator referenced: dropping it would close the response early.
        events = frames(response.iter_lines())
        assert next(events)[0] == "comment"
        assert subscribers(sandbox) == before + 1
    deadline = time.monotonic() + 5  # the server notices the closed socket asynchronously
    while subscribers(sandbox) != before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert subscribers(sandbox) == before
    sandbox.text("447700900001", "nobody listens", channel="sms")  # no error, nothing queued


def _message() -> Message:
    change = StatusChange("submitted", 0.0)
    return Message("u-1", "outbound", "sms", "4477", "4478", "text", "x", (change,))  # fmt: skip


def test_a_slow_client_never_blocks_the_bus_and_gets_a_resync() -> None:
    async def scenario() -> list[str]:
        sub = Subscription(asyncio.get_running_loop(), size=3)
        for _ in range(10):
            sub(MessageCreated(_message()))  # returns at once, whatever the queue
        assert sub.overflowed and sub.queue.qsize() == 3
        sub.drain()
        assert not sub.overflowed and sub.queue.empty()
        return ["ok"]

    assert run_async(scenario) == ["ok"]


def test_publish_from_another_thread_is_handed_to_the_loop() -> None:
    async def scenario() -> dict[str, Any]:
        sub = Subscription(asyncio.get_running_loop())
        await asyncio.to_thread(sub, Reset("app-1"))
        return await asyncio.wait_for(sub.queue.get(), 1)

    assert run_async(scenario) == {"kind": "reset", "application_id": "app-1"}


def test_summary_and_frame_shapes() -> None:
    wf = Workflow("W1", "v1", [], Sender(application_id="a"), 0.0)
    assert summary(WorkflowUpdated(wf)) == {
        "kind": "workflow.updated",
        "id": "W1",
        "status": "active",
        "workflow_kind": "v1",
        "application_id": "a",
    }
    delivery = Delivery(1, "status", "delivered", None, "v1", b"{}", 0.0, message_uuid="u")
    delivery.state = "failed"
    assert summary(WebhookUpdated(delivery)) == {
        "kind": "webhook.updated",
        "id": "wh_000001",
        "message_uuid": "u",
        "state": "failed",
    }
    assert frame("odd\nkind", {"a": 1}) == 'event: oddkind\ndata: {"a":1}\n\n'
