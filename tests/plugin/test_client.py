"""sandbox.client against a real server on a free port: every call, the long poll, errors."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from sandbox.client import AsyncSandboxClient, SandboxAPIError, SandboxClient
from sandbox.server import BackgroundServer, running
from sandbox.testing.fixture import Options, SandboxHandle, SandboxServer
from tests.helpers import BASIC, sms


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    with running() as srv:
        yield srv


@pytest.fixture
def sb(server: BackgroundServer) -> Iterator[SandboxClient]:
    with SandboxClient(server.url) as client:
        client.reset()
        yield client


def send(url: str, **overrides: object) -> str:
    r = httpx.post(url + "/v1/messages", json=sms(**overrides), headers={"Authorization": BASIC})
    assert r.status_code == 202, r.text
    return str(r.json()["message_uuid"])


def test_messages_mark_inbound_and_history(sb: SandboxClient) -> None:
    uuid = send(sb.url, text="Your code: 1234", client_ref="ref-1")
    [m] = sb.messages(channel="sms", to="447700900000")
    assert (m.uuid, m.direction, m.status, m.client_ref) == (uuid, "outbound", "submitted", "ref-1")
    assert m.code() == "1234"
    assert sb.count(text="code") == 1 and sb.count(text="nothing like it") == 0
    rejected = sb.mark(uuid, "rejected", 1300)
    assert rejected.statuses == ["submitted", "rejected"] and rejected.error_code == 1300
    reply = sb.inbound("sms", "447700900000", text="hello?")
    assert (reply.direction, reply.to, reply.from_) == ("inbound", "447700900001", "447700900000")
    assert [x.uuid for x in sb.messages(peer="447700900000")] == [reply.uuid, uuid]
    assert sb.message(uuid).raw["webhooks"][0]["event"] == "submitted"


def test_problems_raise_with_the_detail(sb: SandboxClient) -> None:
    uuid = send(sb.url)
    with pytest.raises(SandboxAPIError) as err:
        sb.mark(uuid, "read")  # SMS has no read receipts
    assert err.value.status_code == 409 and "no read receipts" in str(err.value)
    with pytest.raises(SandboxAPIError) as err:
        sb.mark(uuid, "exploded")
    assert err.value.status_code == 422 and "status: must be one of" in str(err.value)
    with pytest.raises(SandboxAPIError, match="404"):
        sb.message("no-such-uuid")


def test_clock_config_and_settle(sb: SandboxClient) -> None:
    sb.configure(auto_deliver=10)
    assert sb.config()["auto_deliver"] == 10
    uuid = send(sb.url)
    before = sb.clock()
    assert before.mode == "manual" and before.pending == 1
    moved = sb.advance(9)
    assert moved.fired == 0 and moved.now_ts == pytest.approx(before.now_ts + 9)
    assert sb.advance_to_next().fired == 1
    assert sb.message(uuid).status == "delivered"
    assert sb.run_until_idle().pending == 0
    sb.settle()
    sb.reset()
    assert sb.config()["auto_deliver"] is None and sb.messages() == []


def test_wait_wakes_on_the_event_not_on_a_timer(sb: SandboxClient) -> None:
    send(sb.url, text="one")
    results: list[object] = []
    started = time.perf_counter()
    waiter = threading.Thread(
        target=lambda: results.append(sb_wait(sb.url, count=2, timeout=20)), daemon=True
    )
    waiter.start()
    send(sb.url, text="two")  # before or after the wait reached the server: same answer
    waiter.join(20)
    elapsed = time.perf_counter() - started
    [result] = results
    assert result.matched and result.total == 2  # type: ignore[attr-defined]
    assert [m.text for m in result.messages] == ["two", "one"]  # type: ignore[attr-defined]
    assert elapsed < 5  # far below the 20 s timeout: it woke on the message


def sb_wait(url: str, **kwargs: object) -> object:
    with SandboxClient(url) as client:
        return client.wait_for_messages(channel="sms", **kwargs)  # type: ignore[arg-type]


def test_wait_times_out_unmatched(sb: SandboxClient) -> None:
    result = sb.wait_for_messages(to="447700900555", timeout=0.1)
    assert not result.matched and result.total == 0 and result.messages == ()
    with pytest.raises(SandboxAPIError, match="timeout must be a number from 0 to 60"):
        sb.wait_for_messages(timeout=600)
    with pytest.raises(SandboxAPIError, match="kind"):
        sb.call(sb_call("/_sandbox/wait", {"kind": "webhook"}))


def sb_call(path: str, params: dict[str, object]) -> object:
    from sandbox.client import _Call

    return _Call("GET", path, params)


def test_errors_inside_the_sandbox_are_listed(sb: SandboxClient, server: BackgroundServer) -> None:
    rt = server.app.state.runtime

    def boom() -> None:
        raise RuntimeError("a timer that explodes")

    rt.scheduler.at(rt.clock.now() + 1, "boom", "explodes", boom)
    sb.advance(1)
    records, total = sb.errors()
    assert total == 1 and records[0].where == "timer boom"
    assert "RuntimeError: a timer that explodes" in records[0].traceback
    assert sb.errors(offset=1) == ([], 1)
    sb.reset()
    assert sb.errors() == ([], 0)


def test_handle_problems_report_sandbox_errors() -> None:
    server = SandboxServer.start()
    try:
        handle = SandboxHandle(server, Options())
        handle.begin()
        rt = server.runtime

        def boom() -> None:
            raise KeyError("lost")

        rt.scheduler.at(rt.clock.now(), "boom", "explodes", boom)
        handle.advance(0)
        [problem] = handle.problems()
        assert problem.startswith("the sandbox failed in timer boom") and "KeyError" in problem
        quiet = SandboxHandle(server, Options(check_errors=False))
        quiet._errors_offset = 0
        assert quiet.problems() == []
    finally:
        server.stop()


def test_async_client(server: BackgroundServer) -> None:
    async def scenario() -> None:
        async with AsyncSandboxClient(server.url) as sb:
            await sb.reset()
            uuid = send(server.url)
            [m] = await sb.messages(channel="sms")
            assert m.uuid == uuid and (await sb.message(uuid)).status == "submitted"
            assert (await sb.mark(uuid, "delivered")).status == "delivered"
            reply = await sb.inbound("sms", "447700900000", text="ok")
            assert reply.text == "ok"
            waited = await sb.wait_for_messages(direction="inbound", timeout=1)
            assert waited.matched and waited.messages[0].uuid == reply.uuid
            await sb.configure(auto_read=1)
            assert (await sb.advance(1)).now_ts > 0
            await sb.settle()
            deliveries = await sb.webhooks(message_uuid=uuid)
            assert [d.event for d in deliveries] == ["delivered", "submitted"]
            assert await sb.errors() == ([], 0)
            await sb.reset()

    asyncio.run(scenario())
