"""The store's indexes (per conversation, per application) answer every query exactly as a
scan of all stored messages would, whatever was added, taken back, pruned or cleared."""

from __future__ import annotations

from itertools import product
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.core.models import Message, StatusChange
from sandbox.core.store import MemoryStore, MessageFilter

CHANNELS = ("sms", "whatsapp")
USERS = ("447700900001", "447700900002")
APP_NUMBER = "447700900000"
APPS = ("app-a", "app-b", None)


def message(i: int, channel: str, user: str, inbound: bool, app: str | None) -> Message:
    return Message(
        uuid=f"m{i:05d}",
        direction="inbound" if inbound else "outbound",
        channel=channel,
        to=APP_NUMBER if inbound else user,
        from_=user if inbound else APP_NUMBER,
        message_type="text",
        body=f"n{i}",
        changes=(StatusChange("received" if inbound else "submitted", float(i)),),
        application_id=app,
    )


adds = st.tuples(
    st.sampled_from(CHANNELS), st.sampled_from(USERS), st.booleans(), st.sampled_from(APPS)
)
ops = st.lists(
    st.one_of(
        st.tuples(st.just("add"), adds),
        st.tuples(st.just("remove"), st.integers(0, 60)),
        st.tuples(st.just("prune"), st.integers(0, 8)),
        st.tuples(st.just("clear"), st.sampled_from(APPS[:2])),
    ),
    max_size=60,
)


def every_filter() -> list[MessageFilter]:
    """Every combination of the indexed fields over a few values (486 filters)."""
    ends = (None, APP_NUMBER, USERS[0])
    return [
        MessageFilter(
            channel=channel,
            to=to,
            from_=from_,
            direction=direction,
            application_id=app,
            peer=peer,
        )
        for channel, to, from_, direction, app, peer in product(
            (None, *CHANNELS),
            ends,
            ends,
            (None, "outbound", "inbound"),
            (None, "app-a", "app-none"),
            (None, USERS[0]),
        )
    ]


FILTERS = every_filter()


@settings(max_examples=150, deadline=None)
@given(ops, st.integers(0, 5), st.integers(0, 4))
def test_indexed_queries_answer_what_a_scan_would(
    steps: list[tuple[str, Any]], limit: int, offset: int
) -> None:
    store = MemoryStore()
    added: list[Message] = []
    for i, (op, arg) in enumerate(steps):
        if op == "add":
            channel, user, inbound, app = arg
            m = message(i, channel, user, inbound, app)
            store.add(m)
            added.append(m)
        elif op == "remove" and added:
            store.remove(added[arg % len(added)])
        elif op == "prune":
            store.prune(arg)
        elif op == "clear":
            store.clear(arg)
    everything = list(reversed(list(store)))
    for flt in FILTERS:
        expected = [m for m in everything if flt.matches(m)]
        page, total = store.query(flt, limit, offset)
        assert total == len(expected), flt
        assert page == expected[offset : offset + limit], flt


def test_a_cleared_application_leaves_no_trace_in_its_conversations() -> None:
    store = MemoryStore()
    mine = message(1, "sms", USERS[0], False, "app-a")
    theirs = message(2, "sms", USERS[0], False, "app-b")
    store.add(mine)
    store.add(theirs)
    store.clear("app-a")
    assert store.conversation(("sms", USERS[0])) == [theirs]
    assert store.query(MessageFilter(application_id="app-a"), 10, 0) == ([], 0)
    assert store.query(MessageFilter(channel="sms", peer=USERS[0]), 10, 0) == ([theirs], 1)
