"""Where things are kept: the message store (newest first, filters, pages, conversations,
per-application clears), the webhook delivery ledger, and the inbox's conversation summaries."""

from __future__ import annotations

import json
from typing import Any

from sandbox.core.clock import iso
from sandbox.core.conversations import newest_first, summarise
from sandbox.core.ledger import Attempt, Delivery, DeliveryFilter, Ledger, delivery_id
from sandbox.core.models import Account, Application, Direction, Message, StatusChange
from sandbox.core.store import MemoryStore, MessageFilter
from tests.unit.core_harness import APP_NUMBER, START, USER

_seq = iter(range(1, 1_000_000))


def msg(
    direction: Direction = "outbound",
    *,
    channel: str = "sms",
    peer: str = USER,
    app_address: str = APP_NUMBER,
    text: str | None = "hello",
    status: str | None = None,
    application_id: str | None = "app-a",
    client_ref: str | None = None,
    seen: bool = False,
) -> Message:
    """A message with a fresh uuid (m0001, m0002 ... in creation order)."""
    n = next(_seq)
    status = status or ("submitted" if direction == "outbound" else "received")
    to, from_ = (peer, app_address) if direction == "outbound" else (app_address, peer)
    return Message(
        uuid=f"m{n:04d}",
        direction=direction,
        channel=channel,
        to=to,
        from_=from_,
        message_type="text" if text is not None else "image",
        body=text if text is not None else {"url": "https://x/i"},
        changes=(StatusChange(status, START),),
        application_id=application_id,
        client_ref=client_ref,
        seen=seen,
    )


def filled(*messages: Message) -> MemoryStore:
    store = MemoryStore()
    for m in messages:
        store.add(m)
    return store


def uuids(messages: list[Message]) -> list[str]:
    return [m.uuid for m in messages]


# -- MemoryStore ---------------------------------------------------------------------------


def test_add_get_and_count() -> None:
    a = msg()
    store = filled(a)
    assert store.get(a.uuid) is a and store.get("missing") is None
    assert store.count() == 1 and list(store) == [a]


def test_query_is_newest_first_with_a_total() -> None:
    ms = [msg(text=f"n{i}") for i in range(5)]
    store = filled(*ms)
    page, total = store.query(MessageFilter(), limit=10, offset=0)
    assert uuids(page) == uuids(ms[::-1]) and total == 5


def test_query_pages_with_limit_and_offset() -> None:
    ms = [msg(text=f"n{i}") for i in range(7)]
    store = filled(*ms)
    newest = ms[::-1]
    page, total = store.query(MessageFilter(), limit=3, offset=0)
    assert uuids(page) == uuids(newest[0:3]) and total == 7
    page, total = store.query(MessageFilter(), limit=3, offset=6)
    assert uuids(page) == uuids(newest[6:]) and total == 7
    page, total = store.query(MessageFilter(), limit=3, offset=10)
    assert page == [] and total == 7
    page, total = store.query(MessageFilter(), limit=0, offset=0)
    assert page == [] and total == 7


def test_query_filters() -> None:
    out_sms = msg(text="Your code is 1234", client_ref="ref-1")
    in_sms = msg("inbound", text="thanks")
    wa = msg(channel="whatsapp", peer="447700900555", status="delivered", application_id="app-b")
    img = msg(text=None)
    store = filled(out_sms, in_sms, wa, img)

    def q(**kw: Any) -> list[str]:
        page, total = store.query(MessageFilter(**kw), 100, 0)
        assert total == len(page)
        return uuids(page)

    assert q(channel="whatsapp") == [wa.uuid]
    assert q(direction="inbound") == [in_sms.uuid]
    assert q(to=USER) == [img.uuid, out_sms.uuid]  # the inbound one is *from* the user
    assert q(from_=USER) == [in_sms.uuid]
    assert q(peer=USER) == [img.uuid, in_sms.uuid, out_sms.uuid]
    assert q(status="delivered") == [wa.uuid]
    assert q(application_id="app-b") == [wa.uuid]
    assert q(client_ref="ref-1") == [out_sms.uuid]
    assert q(text="CODE") == [out_sms.uuid]  # case-insensitive; image messages have no text
    assert q(text="hello") == [wa.uuid]
    assert q(channel="sms", peer=USER, direction="outbound") == [img.uuid, out_sms.uuid]
    assert q(channel="sms", peer="nobody") == []


def test_conversation_keys_by_channel_and_end_user() -> None:
    a = msg()
    b = msg("inbound")
    other_channel = msg(channel="whatsapp")
    other_user = msg(peer="447700900555")
    store = filled(a, b, other_channel, other_user)
    assert store.conversation(("sms", USER)) == [a, b]  # oldest first
    assert store.conversation(("whatsapp", USER)) == [other_channel]
    assert store.conversation(("mms", USER)) == []


def test_clear_one_application_keeps_the_rest() -> None:
    a1 = msg(application_id="app-a")
    b1 = msg("inbound", application_id="app-b")
    a2 = msg(peer="447700900555", application_id="app-a")
    none = msg(application_id=None)
    store = filled(a1, b1, a2, none)
    store.applications["app-a"] = Application("app-a")
    store.applications["app-b"] = Application("app-b")
    store.accounts["k"] = Account("k")
    store.clear("app-a")
    assert uuids(list(store)) == [b1.uuid, none.uuid]
    assert store.conversation(("sms", USER)) == [b1, none]
    assert store.conversation(("sms", "447700900555")) == []
    assert list(store.applications) == ["app-b"] and "k" in store.accounts
    assert store.query(MessageFilter(channel="sms", peer="447700900555"), 10, 0) == ([], 0)


def test_clear_everything() -> None:
    store = filled(msg(), msg("inbound"))
    store.applications["a"] = Application("a")
    store.accounts["k"] = Account("k")
    store.clear()
    assert store.count() == 0 and store.conversation(("sms", USER)) == []
    assert store.applications == {} and store.accounts == {}


# -- Ledger --------------------------------------------------------------------------------


class Renderer:
    """A render callback that counts its calls and renders something new each time."""

    def __init__(self, payload: dict[str, Any]) -> None:
        self.payload = payload
        self.calls = 0

    def __call__(self) -> dict[str, Any]:
        self.calls += 1
        return {**self.payload, "render": self.calls}


def delivery(
    ledger: Ledger,
    *,
    message_uuid: str | None = "m-1",
    dispatch_uuid: str | None = None,
    kind: Any = "status",
    event: str = "submitted",
    state: Any = "pending",
    application_id: str | None = "app-a",
    payload: dict[str, Any] | None = None,
) -> Delivery:
    d = Delivery(
        seq=ledger.new_seq(),
        kind=kind,
        event=event,
        url="http://h/status",
        version="v1",
        source=(Renderer(payload or {"status": event}),),
        created_at=START,
        message_uuid=message_uuid,
        dispatch_uuid=dispatch_uuid,
        application_id=application_id,
        state=state,
    )
    ledger.add(d)
    return d


def test_ledger_ids_are_sequential_and_padded() -> None:
    ledger = Ledger()
    taken = [delivery_id(ledger.new_seq()) for _ in range(3)]
    assert taken == ["wh_000001", "wh_000002", "wh_000003"]
    d = delivery(ledger)
    assert d.id == "wh_000004" and ledger.get("wh_000004") is d and len(ledger) == 1
    assert ledger.get("wh_000001") is None  # an id taken but never added
    # Only the ids the ledger gives are found: not another spelling of the same number.
    assert ledger.get("wh_4") is None and ledger.get("wh_0000004") is None
    assert ledger.get("wh_٠٠٠٠٠٤") is None and ledger.get("nope") is None
    assert ledger.get("wh_" + "9" * 5000) is None  # not int()'s ValueError: a 404, not a 500
    assert ledger.holds(d) and not ledger.holds(delivery(Ledger()))


def test_delivery_body_is_rendered_once_then_fixed() -> None:
    ledger = Ledger()
    d = delivery(ledger, payload={"text": "héllo €", "n": 1})
    assert isinstance(d.source, tuple) and not isinstance(d.source, bytes)
    render = d.source[0]
    assert isinstance(render, Renderer) and render.calls == 0  # nothing rendered yet
    first = d.body
    assert render.calls == 1 and isinstance(d.source, bytes) and d.source is first
    assert d.body is first and render.calls == 1  # the same bytes, not rendered again
    assert first == '{"text":"héllo €","n":1,"render":1}'.encode()  # compact, UTF-8
    assert d.payload == {"text": "héllo €", "n": 1, "render": 1}
    assert json.loads(first) == d.payload


def test_delivery_to_dict_shows_body_payload_and_attempts() -> None:
    ledger = Ledger()
    d = delivery(ledger, payload={"a": 1})
    d.attempts = (Attempt(1, START + 1, "http://h/status", 200, "ok", 1.23456),)
    out = d.to_dict()
    assert out["payload"] == {"a": 1, "render": 1}
    assert out["body"] == '{"a":1,"render":1}'
    assert out["headers"] == {} and out["next_attempt_at"] is None
    assert out["created_at"] == iso(START)
    assert out["attempts"] == [
        {
            "n": 1,
            "at": iso(START + 1),
            "url": "http://h/status",
            "status_code": 200,
            "response_body": "ok",
            "duration_ms": 1.235,
            "error": None,
        }
    ]


def test_ledger_query_newest_first_with_filters_and_pages() -> None:
    ledger = Ledger()
    s1 = delivery(ledger, message_uuid="m-1", event="submitted", state="delivered")
    s2 = delivery(ledger, message_uuid="m-2", event="delivered", state="failed")
    inb = delivery(ledger, message_uuid="m-3", kind="inbound", event="inbound", application_id="b")
    rep = delivery(ledger, message_uuid=None, dispatch_uuid="d-1", kind="report", event="completed")
    s3 = delivery(ledger, message_uuid="m-1", event="delivered", state="retrying")

    def q(limit: int = 100, offset: int = 0, **kw: Any) -> tuple[list[str], int]:
        page, total = ledger.query(DeliveryFilter(**kw), limit, offset)
        return [d.id for d in page], total

    assert q() == ([s3.id, rep.id, inb.id, s2.id, s1.id], 5)
    assert q(limit=2, offset=1) == ([rep.id, inb.id], 5)
    assert q(message_uuid="m-1") == ([s3.id, s1.id], 2)
    assert q(message_uuid="m-1", event="submitted") == ([s1.id], 1)
    assert q(dispatch_uuid="d-1") == ([rep.id], 1)
    assert q(kind="inbound") == ([inb.id], 1)
    assert q(state="failed") == ([s2.id], 1)
    assert q(event="delivered") == ([s3.id, s2.id], 2)
    assert q(application_id="b") == ([inb.id], 1)
    assert q(message_uuid="m-404") == ([], 0)


def test_ledger_for_message_in_order() -> None:
    ledger = Ledger()
    a = delivery(ledger, message_uuid="m-1")
    delivery(ledger, message_uuid="m-2")
    b = delivery(ledger, message_uuid="m-1", event="delivered")
    delivery(ledger, message_uuid=None, dispatch_uuid="d")
    assert ledger.for_message("m-1") == [a, b]
    assert ledger.for_message("nope") == []
    assert next(iter(ledger)) is a and len(ledger) == 4


def test_ledger_clear_one_application() -> None:
    ledger = Ledger()
    a1 = delivery(ledger, message_uuid="m-1", application_id="app-a")
    b1 = delivery(ledger, message_uuid="m-1", application_id="app-b")
    a2 = delivery(ledger, message_uuid="m-2", application_id="app-a")
    rep = delivery(ledger, message_uuid=None, dispatch_uuid="d", application_id="app-a")
    dropped = ledger.clear("app-a")
    assert dropped == [a1, a2, rep]
    assert list(ledger) == [b1] and ledger.for_message("m-1") == [b1]
    assert ledger.for_message("m-2") == []
    assert ledger.query(DeliveryFilter(message_uuid="m-2"), 10, 0) == ([], 0)
    assert ledger.clear() == [b1] and len(ledger) == 0 and ledger.for_message("m-1") == []
    assert ledger.new_seq() == 5  # ids are never reused


def test_ledger_restores_out_of_order_and_finds_by_bisection() -> None:
    ledger = Ledger()
    made = [delivery(ledger) for _ in range(3)]  # wh_000001 .. wh_000003
    later = Delivery(1_234_567, "status", "read", None, "v1", b"{}", START, message_uuid="m-1")
    early = Delivery(2, "status", "read", None, "v1", b"{}", START, message_uuid="m-9")
    ledger.discard(made[1])  # wh_000002 is free again for a record kept on disk
    ledger.restore(later)
    ledger.restore(early)
    assert [d.seq for d in ledger] == [1, 2, 3, 1_234_567]  # number order, not arrival
    assert ledger.get("wh_1234567") is later and later.id == "wh_1234567"
    assert ledger.get("wh_000002") is early and ledger.get("wh_000003") is made[2]
    assert ledger.new_seq() == 1_234_568  # new ids continue after the restored ones
    ledger.discard(made[1])  # no longer in the ledger: nothing happens to its successor
    assert ledger.get("wh_000002") is early
    assert ledger.for_message("m-1") == [made[0], made[2], later]
    assert ledger.drop_messages(["m-1"]) == [made[0], made[2], later]
    assert list(ledger) == [early] and ledger.for_message("m-1") == []
    # Many at once (a prune) go in one rebuild, the same way.
    many = [delivery(ledger, message_uuid=f"p-{i}") for i in range(40)]
    assert ledger.drop_messages(f"p-{i}" for i in range(0, 40, 2)) == many[::2]
    assert list(ledger) == [early, *many[1::2]] and not ledger.holds(many[0])


def test_one_delivery_per_message_and_then_several() -> None:
    ledger = Ledger()
    first = delivery(ledger, message_uuid="m-1")
    assert ledger.for_message("m-1") == [first]
    second = delivery(ledger, message_uuid="m-1", event="delivered")
    third = delivery(ledger, message_uuid="m-1", event="read")
    assert ledger.for_message("m-1") == [first, second, third]
    ledger.discard(second)
    assert ledger.for_message("m-1") == [first, third]
    ledger.discard(first)
    assert ledger.for_message("m-1") == [third]
    assert ledger.query(DeliveryFilter(message_uuid="m-1"), 10, 0) == ([third], 1)
    ledger.discard(third)
    assert ledger.for_message("m-1") == [] and len(ledger) == 0


def test_what_only_a_sent_delivery_has_is_made_with_its_first_attempt() -> None:
    ledger = Ledger()
    d = delivery(ledger)
    assert d.sending is None and d.attempts == () and d.headers is None
    assert d.next_attempt_at is None and d.timer is None
    d.attempts = (Attempt(1, START, "http://h/status", status_code=500),)
    assert d.sending is not None and d.attempts[0].status_code == 500
    d.next_attempt_at = START + 5
    assert d.sending.next_attempt_at == START + 5 and d.to_dict()["attempts"][0]["n"] == 1


# -- conversation summaries ------------------------------------------------------------------


def test_summaries_newest_activity_first_with_counts() -> None:
    a_out = msg(peer="447700900111", text="hi Ann")
    b_out = msg(peer="447700900222", app_address="447700900999", text="hi Bob")
    a_in = msg("inbound", peer="447700900111", text="hello back")
    a_in_seen = msg("inbound", peer="447700900111", text="old news", seen=True)
    wa = msg(channel="whatsapp", peer="447700900111")
    store = filled(a_out, b_out, a_in, a_in_seen, wa)
    rows = summarise(newest_first(store))
    assert [(r.channel, r.peer) for r in rows] == [
        ("whatsapp", "447700900111"),
        ("sms", "447700900111"),
        ("sms", "447700900222"),
    ]
    ann = rows[1]
    assert ann.key == ("sms", "447700900111")
    assert (ann.count, ann.unread, ann.last) == (3, 1, a_in_seen)
    assert ann.app_address == APP_NUMBER and ann.status == "received"
    bob = rows[2]
    assert (bob.count, bob.unread, bob.app_address, bob.status) == (
        1,
        0,
        "447700900999",
        "submitted",
    )


def test_summaries_of_one_channel() -> None:
    store = filled(msg(), msg(channel="whatsapp"), msg(peer="447700900555"))
    rows = summarise(newest_first(store), channel="sms")
    assert [r.peer for r in rows] == ["447700900555", USER]


def test_summaries_search_addresses_and_any_text() -> None:
    early = msg(peer="447700900111", text="Your PIN is 4242")
    later = msg(peer="447700900111", text="bye")
    other = msg(peer="447700900222", text="nothing here")
    store = filled(early, later, other)
    rows = summarise(newest_first(store), q="  pin ")
    # An older message matches, the row still shows the newest one and all messages count.
    assert [(r.peer, r.last.uuid, r.count) for r in rows] == [("447700900111", later.uuid, 2)]
    assert [r.peer for r in summarise(newest_first(store), q="900222")] == ["447700900222"]
    assert [r.peer for r in summarise(newest_first(store), q=APP_NUMBER)] == [
        "447700900222",
        "447700900111",
    ]
    assert summarise(newest_first(store), q="absent") == []
    assert summarise([], q="x") == []
