"""A channel made in a test and handed to ``create_app(channels=...)`` works end to end like a
built-in one: sends, statuses with its own webhook fields and price, inbound messages and the
inbox's conversations; a sandbox built without it still refuses it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from sandbox.app import create_app
from sandbox.core.channel import Channel
from sandbox.core.models import Message, StatusChange
from sandbox.server import BackgroundServer
from sandbox.settings import Settings
from tests.harness import Live, live_sandbox
from tests.receiver import receiver

BASE = "https://developer.vonage.com/api-errors/messages#"
USER = "447700900000"
BOT = "line-bot-1"


def line_extras(message: Message, change: StatusChange) -> dict[str, Any]:
    return {"line": {"status_seen": change.status, "chars": len(message.text or "")}}


LINE = Channel(
    name="line",
    v01_name="line",
    label="LINE",
    to_kind="number",
    from_kind="id",
    outbound_types=("text",),
    inbound_types=("text",),
    has_read=True,
    text_limit=500,
    price="0.0050",
    status_extras=line_extras,
)


@contextmanager
def line_sandbox(**settings: Any) -> Iterator[Live]:
    """A real server whose app registers LINE next to the built-in channels."""
    app = create_app(Settings(clock="manual", **settings), channels=[LINE])
    server = BackgroundServer(app).start()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            yield Live(server.url, app.state.runtime, http)
    finally:
        server.stop()


def line(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "line",
        "message_type": "text",
        "to": USER,
        "from": BOT,
        "text": "Hello from LINE",
    }
    body.update(overrides)
    return body


def test_send_statuses_inbound_and_conversation() -> None:
    with (
        receiver() as rec,
        line_sandbox(status_url=rec.at("/status"), inbound_url=rec.at("/inbound")) as sb,
    ):
        answer = sb.sent(line())
        uuid = answer["message_uuid"]
        sb.control("POST", "/settle")
        sb.mark(uuid, "delivered")
        assert sb.mark(uuid, "read")["status"] == "read"
        got = rec.bodies("/status")
        assert [b["status"] for b in got] == ["submitted", "delivered", "read"]
        for b in got:
            assert b["message_uuid"] == uuid
            assert b["channel"] == "line"
            assert (b["to"], b["from"]) == (USER, BOT)
            assert b["usage"] == {"currency": "EUR", "price": "0.0050"}
            assert b["line"] == {"status_seen": b["status"], "chars": len("Hello from LINE")}

        created = sb.control("POST", "/inbound", {"channel": "line", "from": USER, "text": "hi!"})
        assert created["to"] == BOT  # the app's address, from the conversation
        (inbound,) = rec.bodies("/inbound")
        assert inbound["channel"] == "line"
        assert inbound["message_uuid"] == created["message_uuid"]
        assert (inbound["from"], inbound["to"]) == (USER, BOT)
        assert inbound["message_type"] == "text"
        assert inbound["text"] == "hi!"

        data = sb.control("GET", "/conversations?channel=line")
        assert data["total"] == 1
        (row,) = data["conversations"]
        assert (row["channel"], row["peer"], row["app_address"]) == ("line", USER, BOT)
        assert row["count"] == 2
        assert row["unread"] == 1
        assert row["last"]["message_uuid"] == created["message_uuid"]
        assert row["last"]["text"] == "hi!"
        everything = sb.control("GET", "/conversations")["conversations"]
        assert [r["channel"] for r in everything] == ["line"]


def test_rejected_is_not_charged_and_carries_the_hook_field() -> None:
    with receiver() as rec, line_sandbox(status_url=rec.at("/status")) as sb:
        uuid = sb.sent(line())["message_uuid"]
        sb.mark(uuid, "rejected", error_code=1300)
        _, rejected = rec.bodies("/status")
        assert rejected["status"] == "rejected"
        assert rejected["error"]["type"] == f"{BASE}1300"
        assert "usage" not in rejected
        assert rejected["line"]["status_seen"] == "rejected"


@pytest.mark.parametrize(
    ("body", "code", "bad"),
    [
        (line(text="x" * 501), 1150, ["text"]),
        (
            line(message_type="image", image={"url": "https://example.com/a.jpg"}),
            1140,
            ["message_type"],
        ),
        (line(to="+447700900000"), 1130, ["to"]),
        (line(**{"from": ""}), 1120, ["from"]),
        (line(**{"from": "b" * 51}), 1120, ["from"]),
    ],
    ids=["text-501", "image", "to-with-plus", "from-empty", "from-51"],
)
def test_the_channels_limits_apply(body: dict[str, Any], code: int, bad: list[str]) -> None:
    with line_sandbox() as sb:
        r = sb.send(body)
        assert r.status_code == 422, r.text
        assert r.json()["type"] == f"{BASE}{code}"
        assert [p["name"] for p in r.json()["invalid_parameters"]] == bad


def test_the_limits_admit_what_they_allow() -> None:
    with line_sandbox() as sb:
        assert sb.send(line(text="x" * 500)).status_code == 202
        assert sb.send(line(**{"from": "b" * 50})).status_code == 202


def test_the_built_in_channels_still_work_next_to_it() -> None:
    with line_sandbox() as sb:
        r = sb.send({**line(), "channel": "sms", "from": "447700900001"})
        assert r.status_code == 202, r.text
        assert sb.message(r.json()["message_uuid"])["channel"] == "sms"


def test_the_2018_api_does_not_know_it() -> None:
    with line_sandbox() as sb:
        body = {
            "from": {"type": "line", "id": BOT},
            "to": {"type": "line", "number": USER},
            "message": {"content": {"type": "text", "text": "hi"}},
        }
        r = sb.send(body, path="/v0.1/messages")
        assert r.status_code == 400, r.text
        assert [p["name"] for p in r.json()["invalid_parameters"]] == ["to.type"]


def test_the_default_app_refuses_the_channel() -> None:
    with receiver() as rec, live_sandbox(status_url=rec.at("/status")) as sb:
        r = sb.send(line())
        assert r.status_code == 422, r.text
        data = r.json()
        assert data["type"] == f"{BASE}1100"
        assert [p["name"] for p in data["invalid_parameters"]] == ["channel"]
        assert "line" not in data["invalid_parameters"][0]["reason"]
        inbound = sb.http.post(
            "/_sandbox/inbound", json={"channel": "line", "from": USER, "to": BOT, "text": "hi"}
        )
        assert inbound.status_code == 422
        sb.control("POST", "/settle")
        assert rec.received == []
        assert sb.control("GET", "/messages")["total"] == 0
