"""The stored message record: its compact parts read back as the v1 shapes, and a `--db` record
written in the shape of earlier versions (content, history, status, created_at) loads. A
delivery's record keeps its id and bytes, and only one that went out comes back with a Sending."""

from __future__ import annotations

import json

from sandbox.asgi.records import (
    delivery_from_json,
    delivery_to_json,
    message_from_json,
    message_to_json,
)
from sandbox.core.ledger import Attempt, Delivery
from sandbox.core.models import NO_CONTENT, Message, StatusChange, body_of


def message(message_type: str, content: dict[str, object]) -> Message:
    return Message(
        uuid="m-1",
        direction="inbound",
        channel="whatsapp",
        to="447700900001",
        from_="447700900555",
        message_type=message_type,
        body=body_of(message_type, content),
        changes=StatusChange("received", 100.0, by="user"),
    )


def test_content_comes_back_in_the_shape_it_came_in() -> None:
    image = {"url": "https://example.com/i.jpg", "caption": "a picture"}
    assert message("image", {"image": image}).content == {"image": image}
    assert message("image", {"image": image}).body is image  # the value, not a copy
    assert message("text", {"text": "hi"}).content == {"text": "hi"}
    assert message("text", {"text": None}).content == {"text": None}  # not the same as none
    none = message("unsupported", {})
    assert none.body is NO_CONTENT and none.content == {} and none.text is None
    # Any other shape is kept whole.
    odd = message("custom", {"custom": {"a": 1}, "text": "also"})
    assert odd.content == {"custom": {"a": 1}, "text": "also"} and odd.text == "also"
    assert message("image", {"image": image}).text is None
    # Each read is a fresh dict: changing it changes nothing stored.
    m = message("text", {"text": "hi"})
    m.content["text"] = "changed"
    assert m.text == "hi"


def test_status_and_creation_time_are_those_of_the_changes() -> None:
    m = message("text", {"text": "hi"})
    assert m.history == (m.changes,) and m.status == "received" and m.created_at == 100.0
    m.add_change(StatusChange("read", 130.0, by="api"))
    assert [c.status for c in m.history] == ["received", "read"]
    assert m.status == "read" and m.created_at == 100.0 and m.last_change.at == 130.0
    m.keep_changes(1)  # a write that failed is taken back
    assert m.status == "received" and isinstance(m.changes, StatusChange)


def test_a_record_keeps_the_v1_shape_both_ways() -> None:
    m = message("image", {"image": {"url": "https://x/i.jpg"}})
    m.add_change(StatusChange("read", 130.0))
    data = json.loads(message_to_json(m))
    assert data["content"] == {"image": {"url": "https://x/i.jpg"}}
    assert [c["status"] for c in data["history"]] == ["received", "read"]
    assert data["status"] == "read" and data["created_at"] == 100.0
    assert "body" not in data and "changes" not in data
    back = message_from_json(message_to_json(m))
    assert back == m


def test_a_record_of_an_earlier_version_loads() -> None:
    # Written before the compact record: every field in the old shape, as `--db` files hold it.
    old = {
        "uuid": "m-7",
        "direction": "outbound",
        "channel": "sms",
        "to": "447700900555",
        "from_": "447700900001",
        "message_type": "text",
        "content": {"text": "Your code is 1234"},
        "created_at": 50.0,
        "status": "delivered",
        "history": [
            {"status": "submitted", "at": 50.0, "error_code": None, "reason": None, "by": "api",
             "cause": None},
            {"status": "delivered", "at": 55.0, "error_code": None, "reason": None, "by": "auto",
             "cause": None},
        ],
        "api": "v1",
        "options": None,
        "client_ref": "ref-1",
        "webhook_url": None,
        "webhook_version": None,
        "application_id": "app-a",
        "api_key": "k",
        "workflow": None,
        "extra": None,
        "seen": False,
    }  # fmt: skip
    m = message_from_json(json.dumps(old))
    assert m.text == "Your code is 1234" and m.status == "delivered" and m.created_at == 50.0
    assert [c.by for c in m.history] == ["api", "auto"] and m.client_ref == "ref-1"
    assert json.loads(message_to_json(m)) == old


def test_a_delivery_record_comes_back_with_its_id_and_only_what_it_had() -> None:
    quiet = Delivery(42, "status", "submitted", None, "v1", b'{"a":1}', 100.0, message_uuid="m-1")
    quiet.state = "no_url"
    back = delivery_from_json(delivery_to_json(quiet))
    assert back.id == "wh_000042" and back.body == b'{"a":1}' and back.state == "no_url"
    assert back.sending is None and back.attempts == () and back.headers is None  # no Sending

    sent = Delivery(43, "status", "delivered", "http://h/s", "v1", b"{}", 100.0)
    sent.headers = {"Authorization": "Bearer x"}
    sent.attempts = (Attempt(1, 101.0, "http://h/s", status_code=503),)
    sent.next_attempt_at, sent.state = 106.0, "retrying"
    again = delivery_from_json(delivery_to_json(sent))
    assert again.sending is not None and again.sending == sent.sending
    assert again.attempts[0].status_code == 503 and again.next_attempt_at == 106.0
    assert delivery_to_json(again) == delivery_to_json(sent)
