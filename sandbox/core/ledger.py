"""The webhook delivery ledger: every webhook the sandbox meant to send, with each attempt.

Bodies are kept as the exact bytes sent (the `payload_hash` is over them); the parsed payload
is derived on demand, which halves what a stored delivery costs.
"""

from __future__ import annotations

import json
from bisect import bisect_left, insort
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from sandbox.core.clock import iso
from sandbox.core.jsontext import compact_json
from sandbox.core.scheduler import Timer

# `dropped`: a chaos rule kept it from being sent (core/chaos.py); like `no_url`, on purpose.
DeliveryState = Literal["pending", "delivered", "retrying", "failed", "no_url", "dropped"]
DeliveryKind = Literal["status", "inbound", "report"]
RESPONSE_BODY_MAX = 2048  # what is kept of a receiver's answer
CHAOS_ATTEMPT = "chaos "  # how an attempt a chaos rule failed on purpose begins its `error`


ID_PREFIX = "wh_"
MAX_DIGITS = 18  # more deliveries than any sandbox will make


def delivery_id(seq: int) -> str:
    return f"{ID_PREFIX}{seq:06d}"


def delivery_seq(text: str) -> int | None:
    """The number of a delivery id, or None when it is not one the ledger gives."""
    digits = text.removeprefix(ID_PREFIX)
    # The length first: int() refuses more than 4,300 digits, and a path can hold them.
    if len(digits) > MAX_DIGITS or not digits.isascii() or not digits.isdigit():
        return None
    seq = int(digits)
    return seq if delivery_id(seq) == text else None


def _seq(d: Delivery) -> int:
    return d.seq


@dataclass(slots=True)
class Attempt:
    n: int
    at: float  # virtual time
    url: str
    status_code: int | None = None
    response_body: str = ""
    duration_ms: float = 0.0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "at": iso(self.at),
            "url": self.url,
            "status_code": self.status_code,
            "response_body": self.response_body,
            "duration_ms": round(self.duration_ms, 3),
            "error": self.error,
        }


@dataclass(slots=True)
class Sending:
    """A delivery's part that only one sent to a URL has."""

    headers: dict[str, str] | None = None  # None until the first attempt, not an empty dict
    attempts: tuple[Attempt, ...] = ()
    next_attempt_at: float | None = None
    timer: Timer | None = None


@dataclass(slots=True)
class Delivery:
    # Its number: the id `wh_000042` is derived from it when shown, since a string per
    # delivery was ~60 bytes of each stored message, an int ~30 (bench/memory.py).
    seq: int
    kind: DeliveryKind
    event: str  # submitted, delivered ..., inbound, completed, error
    url: str | None
    version: str
    # The exact bytes of the body, or, until anything needs them, what renders them: a tuple
    # ``(render, *args)``, since most deliveries of a busy sandbox are `no_url` records nobody
    # ever opens. What it renders from (a message's immutable fields and one status change)
    # cannot change in between. One slot for both, and a function with its arguments in one
    # tuple, cost a third of what a functools.partial did (bench/memory.py).
    source: bytes | tuple[Any, ...]
    created_at: float
    message_uuid: str | None = None
    dispatch_uuid: str | None = None
    application_id: str | None = None
    api_key: str = ""
    chain: str | None = None  # first attempts in one chain go out in order (a message, a workflow)
    state: DeliveryState = "pending"
    # What only a delivery that goes out has (its headers, attempts and retry), made with its
    # first: most deliveries of a busy sandbox are `no_url` records that never get any, and
    # the four slots put every delivery in a larger size class (bench/memory.py).
    sending: Sending | None = None
    # What chaos rules did to it, in words naming each rule ("chaos_0002: duplicate of ...").
    chaos: str | None = None

    @property
    def id(self) -> str:
        return delivery_id(self.seq)

    def _sending(self) -> Sending:
        if self.sending is None:
            self.sending = Sending()
        return self.sending

    @property
    def headers(self) -> dict[str, str] | None:
        return None if self.sending is None else self.sending.headers

    @headers.setter
    def headers(self, value: dict[str, str] | None) -> None:
        self._sending().headers = value

    @property
    def attempts(self) -> tuple[Attempt, ...]:
        return () if self.sending is None else self.sending.attempts

    @attempts.setter
    def attempts(self, value: tuple[Attempt, ...]) -> None:
        self._sending().attempts = value

    @property
    def next_attempt_at(self) -> float | None:
        return None if self.sending is None else self.sending.next_attempt_at

    @next_attempt_at.setter
    def next_attempt_at(self, value: float | None) -> None:
        self._sending().next_attempt_at = value

    @property
    def timer(self) -> Timer | None:
        return None if self.sending is None else self.sending.timer

    @timer.setter
    def timer(self, value: Timer | None) -> None:
        self._sending().timer = value

    def add_chaos(self, note: str) -> None:
        self.chaos = note if self.chaos is None else f"{self.chaos}; {note}"

    @property
    def body(self) -> bytes:
        """The exact bytes sent (the signature's `payload_hash` is over them)."""
        source = self.source
        if isinstance(source, bytes):
            return source
        render, *args = source
        body = self.source = compact_json(render(*args)).encode()
        return body

    @property
    def payload(self) -> Any:
        return json.loads(self.body)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "event": self.event,
            "message_uuid": self.message_uuid,
            "dispatch_uuid": self.dispatch_uuid,
            "application_id": self.application_id,
            "url": self.url,
            "state": self.state,
            "version": self.version,
            "payload": self.payload,
            "body": self.body.decode(),
            "headers": dict(self.headers or {}),
            "created_at": iso(self.created_at),
            "next_attempt_at": None if self.next_attempt_at is None else iso(self.next_attempt_at),
            "retry": self.retry_reason(),
            "chaos": self.chaos,
            "attempts": [a.to_dict() for a in self.attempts],
        }

    def retry_reason(self) -> str | None:
        """Why the next attempt is coming, in words (the ledger and the UI show it)."""
        if self.state != "retrying" or not self.attempts:
            return None
        last = self.attempts[-1]
        due = self.next_attempt_at
        when = "" if due is None else f"; next attempt at {iso(due)}"
        if last.status_code is not None:
            why = f"attempt {last.n} was answered HTTP {last.status_code}"
        else:
            why = f"attempt {last.n} failed ({last.error})"
        return why + when


@dataclass(frozen=True, slots=True)
class DeliveryFilter:
    message_uuid: str | None = None
    dispatch_uuid: str | None = None
    kind: str | None = None
    state: str | None = None
    event: str | None = None
    application_id: str | None = None

    def matches(self, d: Delivery) -> bool:
        return (
            (self.message_uuid is None or d.message_uuid == self.message_uuid)
            and (self.dispatch_uuid is None or d.dispatch_uuid == self.dispatch_uuid)
            and (self.kind is None or d.kind == self.kind)
            and (self.state is None or d.state == self.state)
            and (self.event is None or d.event == self.event)
            and (self.application_id is None or d.application_id == self.application_id)
        )


DROP_ONE_BY_ONE = 16  # fewer deliveries than this go by bisection; more, by one rebuild


class Ledger:
    def __init__(self) -> None:
        # In order of their numbers, found by bisection: a list costs 8 bytes a delivery, a
        # dict by id ~50 at 200,000 (bench/memory.py). What goes is rarer than what comes:
        # a prune takes 5 % of the bound at once, so rebuilding the list then is cheap.
        self._items: list[Delivery] = []
        # The one delivery itself, or a tuple of several, not a list: most messages have one
        # or two deliveries, and a list's spare room was ~70 bytes of each stored message, a
        # tuple of one ~50 (bench/memory.py).
        self._by_message: dict[str, Delivery | tuple[Delivery, ...]] = {}
        self._seq = 0

    def new_seq(self) -> int:
        self._seq += 1
        return self._seq

    def add(self, delivery: Delivery) -> None:
        items = self._items
        if not items or items[-1].seq < delivery.seq:
            items.append(delivery)
        else:
            insort(items, delivery, key=_seq)
        uuid = delivery.message_uuid
        if uuid is not None:
            known = self._by_message.get(uuid)
            self._by_message[uuid] = delivery if known is None else (*self._of(known), delivery)

    def restore(self, delivery: Delivery) -> None:
        """Add a delivery kept across a restart; new ids continue after its own."""
        self.add(delivery)
        self._seq = max(self._seq, delivery.seq)

    def _index(self, seq: int) -> int | None:
        items = self._items
        i = bisect_left(items, seq, key=_seq)
        return i if i < len(items) and items[i].seq == seq else None

    def _position(self, delivery: Delivery) -> int | None:
        """Where ``delivery`` itself is in the list, if it is still there."""
        i = self._index(delivery.seq)
        return i if i is not None and self._items[i] is delivery else None

    def holds(self, delivery: Delivery) -> bool:
        """Whether ``delivery`` is still in the ledger (not taken back, pruned or reset)."""
        return self._position(delivery) is not None

    def get(self, delivery_id: str) -> Delivery | None:
        seq = delivery_seq(delivery_id)
        i = None if seq is None else self._index(seq)
        return None if i is None else self._items[i]

    @staticmethod
    def _of(known: Delivery | tuple[Delivery, ...] | None) -> tuple[Delivery, ...]:
        if known is None:
            return ()
        return known if isinstance(known, tuple) else (known,)

    def _message(self, message_uuid: str) -> tuple[Delivery, ...]:
        return self._of(self._by_message.get(message_uuid))

    def for_message(self, message_uuid: str) -> list[Delivery]:
        return list(self._message(message_uuid))

    def __iter__(self) -> Iterator[Delivery]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def summary(self, application_id: str | None = None) -> dict[str, int]:
        """Counts for a quick health check (all, or one application's): ``total``; ``troubled``,
        deliveries with an attempt that was not a 2xx or not yet delivered at all though they
        have a URL; ``no_url``, deliveries that had nowhere to go. What a chaos rule did on
        purpose (a drop, a delay, a receiver it took down) is no trouble of the receiver's."""
        total = troubled = no_url = 0
        for d in self._items:
            if application_id is not None and d.application_id != application_id:
                continue
            total += 1
            if d.state in ("no_url", "dropped"):
                no_url += d.state == "no_url"
            else:
                # Trouble only in what the receiver did itself, not in what a rule made fail
                # or held back on purpose.
                planned = [(a.error or "").startswith(CHAOS_ATTEMPT) for a in d.attempts]
                refused = any(not a.ok and not p for a, p in zip(d.attempts, planned, strict=True))
                chaos = d.chaos is not None or any(planned)
                troubled += refused or (d.state != "delivered" and not chaos)
        return {"total": total, "troubled": troubled, "no_url": no_url}

    def query(self, flt: DeliveryFilter, limit: int, offset: int) -> tuple[list[Delivery], int]:
        source = (
            reversed(self._message(flt.message_uuid))
            if flt.message_uuid is not None
            else reversed(self._items)
        )
        page: list[Delivery] = []
        total = 0
        for d in source:
            if flt.matches(d):
                if offset <= total < offset + limit:
                    page.append(d)
                total += 1
        return page, total

    def discard(self, delivery: Delivery) -> None:
        """Take back a delivery just added (its write to `--db` failed)."""
        i = self._position(delivery)
        if i is None:
            return
        del self._items[i]
        self._unindex([delivery])

    def _remove(self, dropped: list[Delivery]) -> None:
        if len(dropped) <= DROP_ONE_BY_ONE:
            for d in dropped:  # a message withdrawn: a bisection each, not a rebuild
                i = self._position(d)
                if i is not None:
                    del self._items[i]
        else:
            gone = {id(d) for d in dropped}
            self._items = [d for d in self._items if id(d) not in gone]

    def _unindex(self, gone: Iterable[Delivery]) -> None:
        for delivery in gone:
            uuid = delivery.message_uuid
            if uuid is None:
                continue
            kept = tuple(d for d in self._message(uuid) if d is not delivery)
            if kept:
                self._by_message[uuid] = kept[0] if len(kept) == 1 else kept
            else:
                self._by_message.pop(uuid, None)

    def drop_messages(self, uuids: Iterable[str]) -> list[Delivery]:
        """Forget the deliveries of these messages (pruned by the retention bound)."""
        dropped: list[Delivery] = []
        for uuid in uuids:
            dropped.extend(self._of(self._by_message.pop(uuid, None)))
        self._remove(dropped)
        return dropped

    def clear(self, application_id: str | None = None) -> list[Delivery]:
        """Forget deliveries (all, or one application's); returns what was dropped."""
        if application_id is None:
            dropped = self._items
            self._items = []
            self._by_message.clear()
            return dropped
        dropped = [d for d in self._items if d.application_id == application_id]
        if dropped:
            self._items = [d for d in self._items if d.application_id != application_id]
            self._unindex(dropped)
        return dropped
