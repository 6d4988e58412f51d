"""What chaos rules (core/chaos.py) do to webhooks: the at-least-once, out-of-order, late and
lost deliveries of the real service, on purpose and on the virtual clock.

Decided once, when the outbox queues a delivery (so the draws follow the events, never the
timing of HTTP), in this order:

- `drop`: never sent; the ledger keeps it as `dropped`, naming the rule.
- `delay`: held for a drawn number of virtual seconds, then queued (a later status of the
  same message, not held, goes first: "delivered before submitted").
- `reorder`: held until the next webhook of the same message is queued, which goes first
  (or until `hold` virtual seconds pass).
- `duplicate`: a second delivery of the same bytes (a new record in the ledger, freshly
  signed when it is sent, as a real retry is), right after it or `after` seconds later.

`receiver_down` acts at the attempt (`down_for`): the attempt fails as if the connection were
refused, is recorded with the rule, and is retried on Vonage's schedule.
"""

from __future__ import annotations

from collections.abc import Callable

from sandbox.core.chaos import ChaosBook, Rule, Target, digits
from sandbox.core.clock import iso
from sandbox.core.ledger import CHAOS_ATTEMPT, Delivery, Ledger
from sandbox.core.scheduler import Scheduler, Timer
from sandbox.core.store import Store


class WebhookFaults:
    def __init__(
        self,
        *,
        book: ChaosBook,
        scheduler: Scheduler,
        store: Store,
        ledger: Ledger,
        put: Callable[[Delivery], None],
        changed: Callable[[Delivery], None],
    ) -> None:
        self.book = book
        self.scheduler = scheduler
        self.store = store
        self.ledger = ledger
        self.put = put  # onto the sender's chains
        self.changed = changed
        # Webhooks held by `reorder`, by message (or workflow), with the timer that frees them.
        self._held: dict[str, list[tuple[Delivery, Timer]]] = {}

    def _target(self, d: Delivery) -> Target:
        message = self.store.get(d.message_uuid) if d.message_uuid else None
        if message is None:
            return Target(d.application_id, d.api_key or None, kind=d.kind, event=d.event)
        return Target(
            d.application_id,
            d.api_key or None,
            (digits(message.to), digits(message.from_)),
            message.channel,
            d.kind,
            d.event,
        )

    def _note(self, rule: Rule, d: Delivery, detail: str) -> None:
        d.add_chaos(f"{rule.describe()}: {detail}")
        message = self.store.get(d.message_uuid) if d.message_uuid else None
        self.book.record(
            rule, detail, application_id=d.application_id, delivery=d.id, message=message
        )

    def route(self, d: Delivery) -> None:
        """Queue ``d`` as the rules say (the outbox calls this instead of queueing it itself
        while any rule is in force)."""
        target = self._target(d)
        key = d.chain or d.message_uuid or d.id
        if (rule := self.book.pick(("drop",), target)) is not None:
            d.state = "dropped"
            self._note(rule, d, "never sent")
            self.changed(d)
            self._release(key)
            return
        delayed = self.book.pick(("delay",), target)
        held = None if delayed is not None else self.book.pick(("reorder",), target)
        copy = self.book.pick(("duplicate",), target)
        if delayed is not None:
            seconds = delayed.params["delay"].draw(delayed.rng)
            self._note(delayed, d, f"held {seconds:g} s")
            self._later(d, seconds, "delayed by")
        elif held is not None:
            self._hold(held, d, key)
        else:
            self.put(d)
            self._release(key)  # what waited for a later webhook of this message goes now
        if copy is not None:
            self._duplicate(copy, d)

    def _later(self, d: Delivery, seconds: float, why: str) -> None:
        at = d.created_at + seconds  # created_at: the virtual instant it was queued
        d.next_attempt_at = at
        self.changed(d)

        def go() -> None:
            d.timer = None
            d.next_attempt_at = None
            if self.ledger.holds(d):
                self.put(d)

        d.timer = self.scheduler.at(
            at,
            "webhook-delay",
            f"chaos: {d.kind} webhook {d.id} ({d.event}) {why} {seconds:g} s",
            go,
            owner=d.application_id,
            ref=d.id,
        )

    def _hold(self, rule: Rule, d: Delivery, key: str) -> None:
        hold = float(rule.params.get("hold", 60.0))
        self._note(rule, d, f"held until the next webhook of its message (at most {hold:g} s)")
        d.next_attempt_at = d.created_at + hold

        def give_up() -> None:
            self._release(key, only=d)

        timer = self.scheduler.at(
            d.created_at + hold,
            "webhook-delay",
            f"chaos: {d.kind} webhook {d.id} ({d.event}) waits for a later one",
            give_up,
            owner=d.application_id,
            ref=d.id,
        )
        d.timer = timer
        self._held.setdefault(key, []).append((d, timer))

    def _release(self, key: str, only: Delivery | None = None) -> None:
        waiting = self._held.pop(key, None)
        if not waiting:
            return
        for d, timer in waiting:
            if only is not None and d is not only:
                self._held.setdefault(key, []).append((d, timer))
                continue
            self.scheduler.cancel(timer)
            d.timer = None
            d.next_attempt_at = None
            if self.ledger.holds(d):
                self.put(d)

    def _duplicate(self, rule: Rule, d: Delivery) -> None:
        twin = Delivery(
            seq=self.ledger.new_seq(),
            kind=d.kind,
            event=d.event,
            url=d.url,
            version=d.version,
            source=d.body,  # the same bytes (its own signature, as a real redelivery)
            created_at=d.created_at,
            message_uuid=d.message_uuid,
            dispatch_uuid=d.dispatch_uuid,
            application_id=d.application_id,
            api_key=d.api_key,
            chain=None,  # a duplicate is not held behind its message's order
        )
        self.ledger.add(twin)
        after = float(rule.params.get("after", 0.0))
        self._note(rule, twin, f"duplicate of {d.id}" + (f", {after:g} s later" if after else ""))
        d.add_chaos(f"{rule.describe()}: duplicated as {twin.id}")
        if after > 0:
            self._later(twin, after, "sent again after")
        else:
            self.changed(twin)
            self.put(twin)

    def down_for(self, d: Delivery) -> str | None:
        """The error of an attempt a `receiver_down` rule fails, or None to attempt it."""
        rule = self.book.pick(("receiver_down",), self._target(d))
        if rule is None or rule.until is None:
            return None
        until = iso(rule.until)
        self.book.record(
            rule,
            f"attempt failed: receiver down until {until}",
            delivery=d.id,
            application_id=d.application_id,
        )
        return f"{CHAOS_ATTEMPT}{rule.describe()}: receiver down until {until} (connection refused)"

    def forget(self, ids: set[str] | None = None) -> None:
        """A reset or a prune took records away: drop what waits for them."""
        if ids is None:
            self._held.clear()
            return
        for key in list(self._held):
            kept = [(d, t) for d, t in self._held[key] if d.id not in ids]
            if kept:
                self._held[key] = kept
            else:
                del self._held[key]
