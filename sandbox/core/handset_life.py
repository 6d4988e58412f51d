"""What handsets do on their own, on the virtual clock: each outbound message to an address
with a profile (or a magic number) is planned when it is sent: rejected at once when the
handset lacks the channel, delivered after its delay (later when switched off), failed, or
expired when its TTL ends first; once delivered, read after its delay, and answered by the
persona. Every move is the engine's ordinary `mark` or `receive`, so webhooks, failover and
Dispatch follow as for a person's click, and each carries its cause in the message history.

A message with a `ttl` of its own expires when nothing delivered it in time, whoever its
handset (the `ttl_expiry` setting, on by default).

Plans are made from the message's own times, so a restart (`--db`) makes them again
(`resume`): what fell due while the sandbox was down happens at once.
"""

from __future__ import annotations

from typing import Any

from sandbox.core.channel import Channel
from sandbox.core.config import RunConfig
from sandbox.core.engine import Engine
from sandbox.core.errors import IllegalTransition, SandboxError
from sandbox.core.events import EventBus, MessageCreated, MessageStatus, MessageUpdated, Reset
from sandbox.core.handsets import Behaviour, Handset, HandsetBook, Rule, fill
from sandbox.core.models import FINAL_STATUSES, InboundDraft, Message
from sandbox.core.scheduler import Scheduler, TimerKind

EXPIRED = 1360  # TTL activated / expired
ANSWERS_PER_MINUTE = 5  # a persona's answers in one conversation within a virtual minute


def text_of(message: Message) -> str | None:
    """What a persona reads: the text, or a template's parameters (an OTP template carries
    the code there)."""
    if message.text is not None:
        return message.text
    template = message.content.get("template")
    params = template.get("parameters") if isinstance(template, dict) else None
    if isinstance(params, list):
        words = [p.get("default") if isinstance(p, dict) else p for p in params]
        return " ".join(str(w) for w in words if w is not None)
    return None


def message_ttl(message: Message, channel: Channel) -> float | None:
    """The message's own `ttl` (top level, or in the channel's option block as Viber has it)."""
    options = message.options or {}
    ttl = options.get("ttl")
    block = options.get(channel.option_block) if channel.option_block else None
    if ttl is None and isinstance(block, dict):
        ttl = block.get("ttl")
    if isinstance(ttl, bool) or not isinstance(ttl, int | float):
        return None
    return float(ttl)


class HandsetLife:
    def __init__(
        self,
        engine: Engine,
        book: HandsetBook,
        bus: EventBus,
        scheduler: Scheduler,
        config: RunConfig,
    ) -> None:
        self.engine = engine
        self.book = book
        self.scheduler = scheduler
        self.config = config
        # When each conversation's persona answered lately (the loop guard, _too_chatty).
        self._answered: dict[tuple[str, str], list[float]] = {}
        bus.on(MessageCreated, self._on_created)
        bus.on(MessageStatus, self._on_status)
        bus.on(Reset, lambda event: self._answered.clear())

    # -- planning ----------------------------------------------------------------------------
    def _on_created(self, event: MessageCreated) -> None:
        if event.message.direction == "outbound":
            self._plan_sent(event.message)

    def _on_status(self, event: MessageStatus) -> None:
        message = event.message
        if message.direction == "outbound" and event.change.status == "delivered":
            self._plan_delivered(message, event.change.at)

    def resume(self, message: Message) -> None:
        """Plan again, after a restart, what the handset still has to do with ``message``."""
        if message.direction != "outbound":
            return
        if message.status == "submitted":
            self._plan_sent(message)
        elif message.status in ("delivered", "read"):
            delivered = next(c.at for c in reversed(message.history) if c.status == "delivered")
            if message.status == "delivered":
                self._plan_delivered(message, delivered)
            else:  # read already: only the persona may still have to answer
                channel = self.engine.channels[message.channel]
                handset = self.book.get(channel.address(message.to))
                if handset is not None:
                    b = handset.behaviour(channel.name)
                    self._persona_at(message, delivered, handset, b)

    def _who(self, handset: Handset) -> str:
        kind = "magic number" if handset.source == "magic" else "handset profile"
        return f"{handset.address} ({kind})"

    def _plan_sent(self, message: Message) -> None:
        channel = self.engine.channels[message.channel]
        handset = self.book.get(channel.address(message.to))
        sent = message.created_at
        ttl = message_ttl(message, channel) if self.config.ttl_expiry else None
        if handset is None:
            if ttl is not None:
                self._expire_at(message, sent + ttl, f"its ttl of {ttl:g} s ended before delivery")
            return
        b = handset.behaviour(channel.name)
        who = self._who(handset)
        if not b.has:
            code = b.error_code or channel.missing_code
            self._at(
                message,
                sent,
                "handset",
                "submitted",
                "rejected",
                code,
                f"{who} has no {channel.label}",
            )
            return
        if b.deliver_after is None:
            if b.fail is not None:
                self._at(
                    message,
                    sent,
                    "handset",
                    "submitted",
                    b.fail,
                    b.error_code,
                    f"{who} fails every {channel.label} message",
                )
            elif ttl is not None:
                self._expire_at(message, sent + ttl, f"its ttl of {ttl:g} s ended before delivery")
            return
        due = sent + b.deliver_after
        if handset.offline_until is not None and handset.offline_until > sent:
            due = handset.offline_until + b.deliver_after
        if self.config.ttl_expiry:
            limit = ttl if ttl is not None else channel.default_ttl
            if limit is not None and sent + limit < due:
                self._expire_at(
                    message,
                    sent + limit,
                    f"{who} could not take it within its ttl of {limit:g} s",
                )
                return
        if b.fail is not None:
            self._at(
                message,
                due,
                "handset",
                "submitted",
                b.fail,
                b.error_code,
                f"{who} fails every {channel.label} message",
            )
        elif b.receipts:
            self._at(
                message,
                due,
                "handset",
                "submitted",
                "delivered",
                None,
                f"{who} delivers after {b.deliver_after:g} s",
            )
        else:
            # The handset has it, but no receipt ever comes: only the persona knows.
            self._persona_at(message, due, handset, b)

    def _plan_delivered(self, message: Message, delivered: float) -> None:
        channel = self.engine.channels[message.channel]
        handset = self.book.get(channel.address(message.to))
        if handset is None:
            return
        b = handset.behaviour(channel.name)
        if b.read_after is not None and channel.has_read and b.receipts:
            self._at(
                message,
                delivered + b.read_after,
                "handset",
                "delivered",
                "read",
                None,
                f"{self._who(handset)} reads after {b.read_after:g} s",
            )
        self._persona_at(message, delivered, handset, b)

    # -- acting ------------------------------------------------------------------------------
    def _at(
        self,
        message: Message,
        due: float,
        kind: TimerKind,
        expected: str,
        status: str,
        code: int | None,
        cause: str,
    ) -> None:
        def act() -> None:
            # Nothing happens to a message somebody moved on (or that is gone) meanwhile.
            if message.status != expected or self.engine.store.get(message.uuid) is not message:
                return
            self.engine.mark(message.uuid, status, error_code=code, by="handset", cause=cause)

        self.scheduler.at(
            max(due, message.created_at),
            kind,
            f"{cause}: {message.uuid[:8]} becomes {status}",
            act,
            owner=message.application_id,
            ref=message.uuid,
        )

    def _expire_at(self, message: Message, due: float, why: str) -> None:
        def act() -> None:
            if message.status != "submitted" or self.engine.store.get(message.uuid) is not message:
                return
            self.engine.mark(
                message.uuid,
                "undeliverable",
                error_code=EXPIRED,
                by="ttl",
                cause=f"expired: {why}",
            )

        self.scheduler.at(
            due,
            "ttl",
            f"{message.uuid[:8]} expires unless delivered ({why})",
            act,
            owner=message.application_id,
            ref=message.uuid,
        )

    def _persona_at(self, message: Message, when: float, handset: Handset, b: Behaviour) -> None:
        if (message.extra or {}).get("persona_answered"):
            return  # answered before a restart
        text = text_of(message)
        rule = next((r for r in handset.persona if r.matches(text)), None)
        if rule is None:
            return
        who = self._who(handset)

        def act() -> None:
            if self.engine.store.get(message.uuid) is not message:
                return
            # Once per message, however many ways it was delivered (a hand mark as well as
            # the profile's own delay, with `receipts: false`).
            if message.status in FINAL_STATUSES or (message.extra or {}).get("persona_answered"):
                return
            if self._too_chatty(message, who):
                return
            self._answer(message, rule, who, b)

        self.scheduler.at(
            when + rule.after,
            "persona",
            f"{who} answers {message.uuid[:8]}",
            act,
            owner=message.application_id,
            ref=message.uuid,
        )

    def _too_chatty(self, message: Message, who: str) -> bool:
        """An app that answers every message and a persona that answers every message would
        talk forever (at one virtual instant, with no delays): past ANSWERS_PER_MINUTE answers
        in a conversation within a virtual minute, the persona stops there, and says so."""
        now = self.engine.clock.now()
        key = (message.channel, message.to)
        recent = [t for t in self._answered.get(key, []) if now - t < 60.0]
        if len(recent) >= ANSWERS_PER_MINUTE:
            note = (
                f"{who} stopped answering: {ANSWERS_PER_MINUTE} answers within a virtual minute "
                "(does the app answer every reply?)"
            )
            message.extra = {**(message.extra or {}), "persona_answered": False, "persona": note}
            self.engine.bus.publish(MessageUpdated(message))
            self._answered[key] = recent
            return True
        self._answered[key] = [*recent, now]
        return False

    def _answer(self, message: Message, rule: Rule, who: str, b: Behaviour) -> None:
        channel = self.engine.channels[message.channel]
        message.extra = {**(message.extra or {}), "persona_answered": True}
        self.engine.bus.publish(MessageUpdated(message))  # kept with `--db`: never twice
        if rule.read and channel.has_read and b.receipts and message.status == "delivered":
            self.engine.mark(message.uuid, "read", by="handset", cause=f"{who} reads, then answers")
        if rule.tap is not None and channel.suggestions is not None:
            chips = channel.suggestions(message)
            index = self._chip(chips, rule.tap)
            if index is not None:
                try:
                    # A handset that never sends receipts taps without reporting a read.
                    self.engine.tap(message.uuid, index, receipts=b.receipts)
                    return
                except (IllegalTransition, SandboxError):
                    pass  # nothing to tap after all: the text reply, if any, goes instead
        if rule.reply is None:
            return
        reply = fill(rule.reply, text_of(message))
        if not reply:
            return  # `{code}` and the message had none: nothing to send
        self.engine.receive(
            InboundDraft(
                channel=message.channel,
                from_=message.to,  # the same conversation as the message it answers
                to=channel.address(message.from_),
                message_type="text",
                content={"text": reply},
                extra={},
                application_id=message.application_id,
            )
        )

    @staticmethod
    def _chip(chips: list[dict[str, Any]], which: str) -> int | None:
        if not chips:
            return None
        if which == "first":
            return 0
        for i, chip in enumerate(chips):
            if str(chip.get("text", "")).lower() == which.lower():
                return i
        return None
