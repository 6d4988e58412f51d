"""Summaries for the inbox overview: one row per conversation (channel x end-user address).

Pure: takes messages newest first and returns rows newest first. Virtual time stands still in
manual mode, so many messages share a timestamp; arrival order (not ``created_at``) is what
"newest first" means here, and one walk over the messages in arrival order gives it, the unread
counts and the search matches together.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sandbox.core.models import Message
from sandbox.core.store import ConversationKey, MemoryStore, MessageFilter, Store


@dataclass(slots=True)
class ConversationSummary:
    channel: str
    peer: str  # the end user's address
    app_address: str  # the app's number / page / service id in the latest message
    last: Message
    count: int = 0
    unread: int = 0  # inbound messages not yet opened in the inbox

    @property
    def key(self) -> ConversationKey:
        return (self.channel, self.peer)

    @property
    def status(self) -> str:
        return self.last.status


def _matches(m: Message, needle: str) -> bool:
    if needle in m.peer.lower() or needle in m.from_.lower() or needle in m.to.lower():
        return True
    text = m.text
    return text is not None and needle in text.lower()


def summarise(
    newest_first: Iterable[Message],
    *,
    channel: str | None = None,
    q: str | None = None,
) -> list[ConversationSummary]:
    """Conversations newest activity first, optionally only one channel's, optionally only
    those where the address or any message text contains ``q`` (case-insensitive)."""
    needle = q.strip().lower() if q else None
    rows: dict[ConversationKey, ConversationSummary] = {}
    hit: set[ConversationKey] = set()
    for m in newest_first:
        if channel is not None and m.channel != channel:
            continue
        key = (m.channel, m.peer)
        row = rows.get(key)
        if row is None:
            app = m.from_ if m.direction == "outbound" else m.to
            row = rows[key] = ConversationSummary(m.channel, m.peer, app, m)
        row.count += 1
        if m.direction == "inbound" and not m.seen:
            row.unread += 1
        if needle is not None and key not in hit and _matches(m, needle):
            hit.add(key)
    if needle is None:
        return list(rows.values())
    return [row for key, row in rows.items() if key in hit]


def newest_first(store: Store) -> Iterable[Message]:
    """Every stored message, newest first, by the cheapest route the store offers."""
    if isinstance(store, MemoryStore):
        return reversed(list(store))  # arrival order, no filter to evaluate
    page, _ = store.query(MessageFilter(), store.count(), 0)
    return page
