"""The in-process handle's control calls run on the server's loop, no socket: same app, same
answers, and a call that outlives its timeout fails as httpx would say, with what to look at."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from sandbox.testing.fixture import SandboxHandle, SandboxServer
from sandbox.testing.loop_transport import ServerLoopTransport


@pytest.fixture(scope="module")
def server() -> Iterator[SandboxServer]:
    started = SandboxServer.start()
    yield started
    started.stop()


def test_control_calls_skip_the_socket_and_answer_the_same(server: SandboxServer) -> None:
    assert isinstance(server.client._http._transport, ServerLoopTransport)
    handle = SandboxHandle(server)
    handle.begin()
    sent = httpx.post(  # the app under test still uses the port
        server.url + "/v1/messages",
        json={
            "channel": "sms",
            "message_type": "text",
            "to": "447700900000",
            "from": "447700900001",
            "text": "over the port",
        },
        auth=("abcd1234", "s3cr3tS3cr3t"),
    )
    assert sent.status_code == 202
    uuid = sent.json()["message_uuid"]
    assert handle.inbox("sms", "447700900000").last.message_uuid == uuid
    over_port = httpx.get(server.url + f"/_sandbox/messages/{uuid}").json()
    assert handle.message(uuid).raw == over_port
    # Problems come back as from the port: problem+json, status, the sandbox's wording.
    with pytest.raises(Exception, match="409") as err:
        handle.mark(uuid, "read")
    assert getattr(err.value, "status_code", None) == 409
    assert handle.problems() == []
    handle.finish()


def test_a_call_past_its_timeout_says_so(server: SandboxServer) -> None:
    http = server.client._http
    with pytest.raises(
        httpx.ReadTimeout, match="in-process sandbox did not answer GET /_sandbox/wait"
    ):
        http.get("/_sandbox/wait", params={"count": 1, "timeout": 5, "to": "nobody"}, timeout=0.2)
    # The server is fine afterwards.
    assert http.get("/_sandbox/health").status_code == 200


def test_a_failure_inside_the_sandbox_is_its_500_answer_as_over_the_socket(
    server: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sandbox.testing.calls import SandboxAPIError

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("a bug inside a control route")

    monkeypatch.setattr(server.runtime.store, "query", broken)
    with pytest.raises(SandboxAPIError) as err:
        server.client.messages()
    assert err.value.status_code == 500
    monkeypatch.undo()
    server.client.reset()  # the recorded error must not reach the next test


def test_an_unknown_channel_is_named_not_an_empty_inbox(server: SandboxServer) -> None:
    handle = SandboxHandle(server)
    with pytest.raises(ValueError, match=r"unknown channel 'whatsap'; the sandbox has: .*whatsapp"):
        handle.inbox("whatsap", "447700900000")
    assert handle.inbox("whatsapp", "447700900000").channel == "whatsapp"
