"""Where messages, applications and accounts live. One protocol; an in-memory store today.

Messages are kept in arrival order (a dict keeps insertion order), so "newest first" is a
reverse walk. Two indexes, both in arrival order, make the queries the inbox, the UI and the
fixture make cost what they find, not what is stored: per conversation (channel, end user) and
per application (a test's own messages on a shared server). A query walks the smaller index
that holds every match; when the index alone answers the filter, the page is a slice and the
total its length (`limit=1` is O(1) at any size). Conversations are kept in order of their
latest message, so the retention bound finds the one quiet longest in O(1).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from itertools import islice
from typing import Protocol

from sandbox.core.models import Account, Application, Message

ConversationKey = tuple[str, str]  # (channel, end-user address)


@dataclass(frozen=True, slots=True)
class MessageFilter:
    channel: str | None = None
    to: str | None = None
    from_: str | None = None
    status: str | None = None
    direction: str | None = None
    application_id: str | None = None
    client_ref: str | None = None
    peer: str | None = None  # either end user address (to for outbound, from for inbound)
    text: str | None = None  # case-insensitive substring of the text

    def matches(self, m: Message) -> bool:
        if self.channel is not None and m.channel != self.channel:
            return False
        if self.to is not None and m.to != self.to:
            return False
        if self.from_ is not None and m.from_ != self.from_:
            return False
        if self.status is not None and m.status != self.status:
            return False
        if self.direction is not None and m.direction != self.direction:
            return False
        if self.application_id is not None and m.application_id != self.application_id:
            return False
        if self.client_ref is not None and m.client_ref != self.client_ref:
            return False
        if self.peer is not None and m.peer != self.peer:
            return False
        if self.text is not None:
            text = m.text
            if text is None or self.text.lower() not in text.lower():
                return False
        return True


EVERYTHING = MessageFilter()


class _Index(Protocol):
    """What a query walks: messages in arrival order, newest first on demand, with a length."""

    def __len__(self) -> int: ...
    def __reversed__(self) -> Iterator[Message]: ...


class Store(Protocol):
    def add(self, message: Message) -> None: ...
    def get(self, uuid: str) -> Message | None: ...
    def query(self, flt: MessageFilter, limit: int, offset: int) -> tuple[list[Message], int]: ...
    def conversation(self, key: ConversationKey) -> list[Message]: ...
    def count(self) -> int: ...
    def clear(self, application_id: str | None = None) -> None: ...
    def prune(self, keep: int, spare: ConversationKey | None = None) -> list[Message]: ...
    def remove(self, message: Message) -> None: ...
    def __iter__(self) -> Iterator[Message]: ...  # oldest first

    applications: dict[str, Application]
    accounts: dict[str, Account]


class MemoryStore:
    def __init__(self) -> None:
        self._messages: dict[str, Message] = {}
        self._conversations: dict[ConversationKey, list[Message]] = {}
        self._by_application: dict[str, dict[str, Message]] = {}
        self.applications: dict[str, Application] = {}
        self.accounts: dict[str, Account] = {}

    def add(self, message: Message) -> None:
        self._messages[message.uuid] = message
        key = (message.channel, message.peer)
        # Taken out and put back: the dict's order is the order of latest activity.
        items = self._conversations.pop(key, None) or []
        items.append(message)
        self._conversations[key] = items
        if message.application_id is not None:
            self._by_application.setdefault(message.application_id, {})[message.uuid] = message

    def _unindex(self, message: Message) -> None:
        if message.application_id is None:
            return
        mine = self._by_application.get(message.application_id)
        if mine is not None:
            mine.pop(message.uuid, None)
            if not mine:
                del self._by_application[message.application_id]

    def remove(self, message: Message) -> None:
        """Take back a message just added (its write to `--db` failed)."""
        if self._messages.pop(message.uuid, None) is None:
            return
        key = (message.channel, message.peer)
        items = self._conversations.get(key, [])
        if message in items:
            items.remove(message)
        if not items:
            self._conversations.pop(key, None)
        self._unindex(message)

    def prune(self, keep: int, spare: ConversationKey | None = None) -> list[Message]:
        """Drop whole conversations, quiet longest first, until at most ``keep`` messages
        remain; returns what was dropped. ``spare`` (the one just written to) is only trimmed
        of its oldest messages, and only when it alone is over the bound."""
        dropped: list[Message] = []
        while len(self._messages) > keep and self._conversations:
            # The conversation just written to is the newest, so it comes up only when it is
            # the last one left.
            key = next(iter(self._conversations))
            items = self._conversations[key]
            if key == spare:
                cut = len(self._messages) - keep
                gone, self._conversations[key] = items[:cut], items[cut:]
            else:
                gone = self._conversations.pop(key)
            for m in gone:
                del self._messages[m.uuid]
                self._unindex(m)
            dropped.extend(gone)
        return dropped

    def get(self, uuid: str) -> Message | None:
        return self._messages.get(uuid)

    def count(self) -> int:
        return len(self._messages)

    def __iter__(self) -> Iterator[Message]:
        return iter(self._messages.values())

    def _narrowest(self, flt: MessageFilter) -> tuple[_Index, MessageFilter]:
        """The smallest index that holds every message matching ``flt``, and what of the
        filter is left to check on each of its messages."""
        options: list[tuple[_Index, MessageFilter]] = []
        if flt.channel is not None:
            # The end user is the peer: `to` of what the app sent, `from` of what it got.
            user: str | None = None
            if flt.peer is not None:
                user, rest = flt.peer, replace(flt, channel=None, peer=None)
            elif flt.direction == "outbound" and flt.to is not None:
                user, rest = flt.to, replace(flt, channel=None, to=None)
            elif flt.direction == "inbound" and flt.from_ is not None:
                user, rest = flt.from_, replace(flt, channel=None, from_=None)
            if user is not None:
                options.append((self._conversations.get((flt.channel, user), []), rest))
        if flt.application_id is not None:
            mine = self._by_application.get(flt.application_id, {}).values()
            options.append((mine, replace(flt, application_id=None)))
        if not options:
            return self._messages.values(), flt
        return min(options, key=lambda option: len(option[0]))

    def query(self, flt: MessageFilter, limit: int, offset: int) -> tuple[list[Message], int]:
        """Matching messages newest first, a page of them, and how many match in all."""
        source, rest = self._narrowest(flt)
        if rest == EVERYTHING:
            return list(islice(reversed(source), offset, offset + limit)), len(source)
        page: list[Message] = []
        total = 0
        for m in reversed(source):
            if rest.matches(m):
                if offset <= total < offset + limit:
                    page.append(m)
                total += 1
        return page, total

    def conversation(self, key: ConversationKey) -> list[Message]:
        return self._conversations.get(key, [])

    def clear(self, application_id: str | None = None) -> None:
        if application_id is None:
            self._messages.clear()
            self._conversations.clear()
            self._by_application.clear()
            self.applications.clear()
            self.accounts.clear()
            return
        mine = self._by_application.pop(application_id, {})
        touched: set[ConversationKey] = set()
        for m in mine.values():
            del self._messages[m.uuid]
            touched.add((m.channel, m.peer))
        for key in touched:
            kept = [m for m in self._conversations[key] if m.application_id != application_id]
            if kept:
                self._conversations[key] = kept
            else:
                del self._conversations[key]
        self.applications.pop(application_id, None)
