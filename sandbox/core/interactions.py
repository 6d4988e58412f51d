"""What an app or an end user does to a message besides moving its status: the app marks an
inbound message read or revokes an outbound one (`PATCH /v1/messages/{uuid}`), the user taps a
suggestion, the inbox marks a conversation seen. :class:`~sandbox.core.engine.Engine` inherits
it, so every change still goes through one object and is published as its own event."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.core.channel import Registry
from sandbox.core.clock import Clock, iso
from sandbox.core.errors import (
    BadControlRequest,
    ControlNotFound,
    IllegalTransition,
    NotFound,
    UnsupportedOperation,
)
from sandbox.core.events import ConversationSeen, EventBus, MessageUpdated
from sandbox.core.models import (
    FINAL_STATUSES,
    REVOKE_WITHIN,
    REVOKED,
    InboundDraft,
    Message,
    Sender,
    StatusChange,
)
from sandbox.core.store import Store


class Interactions:
    clock: Clock
    store: Store
    bus: EventBus
    channels: Registry

    if TYPE_CHECKING:  # the engine's own, which these build on

        def get(self, uuid: str) -> Message: ...
        def mark(
            self,
            uuid: str,
            status: str,
            *,
            error_code: int | None = None,
            reason: str | None = None,
            by: str = "control",
            cause: str | None = None,
        ) -> Message: ...
        def receive(self, draft: InboundDraft) -> Message: ...

    def mark_inbound_read(
        self, uuid: str, sender: Sender, indicator: dict[str, Any] | None = None
    ) -> Message:
        """`PATCH /v1/messages/{uuid}` `{"status": "read"}`: inbound messages of channels
        where the app can mark them read (WhatsApp); with ``indicator`` (the checked
        `replying_indicator`) the handset shows the user that the app is typing, kept in
        the message's `extra.replying_indicator`."""
        message = self._own(uuid, sender)
        if not self.channels[message.channel].inbound_read or message.direction != "inbound":
            raise UnsupportedOperation()
        changed = False
        if message.status != "read":
            message.add_change(StatusChange("read", self.clock.now(), by="api"))
            changed = True
        if indicator is not None:
            shown = {**indicator, "at": iso(self.clock.now())}
            message.extra = {**(message.extra or {}), "replying_indicator": shown}
            changed = True
        if changed:
            self.bus.publish(MessageUpdated(message))
        return message

    def _own(self, uuid: str, sender: Sender) -> Message:
        """A message the sender's application may change: another application's message is
        not found, as on Vonage, where each application sees only its own."""
        message = self.store.get(uuid)
        owner = message.application_id if message is not None else None
        if message is None or (sender.application_id and owner and owner != sender.application_id):
            raise NotFound(f"External Id not found for message {uuid}.")
        return message

    def revoke(self, uuid: str, sender: Sender) -> Message:
        """`PATCH /v1/messages/{uuid}` `{"status": "revoked"}` on an outbound message of a
        channel that can take one back (RCS). As on Vonage, a request is no guarantee: a
        message still `submitted` within a day of its creation is revoked (the handset never
        shows it); otherwise nothing changes. Either way the outcome is recorded in the
        message's `extra.revocation`, for a test or a person to see."""
        message = self._own(uuid, sender)
        if not self.channels[message.channel].revocable or message.direction != "outbound":
            raise UnsupportedOperation()
        now = self.clock.now()
        if message.status == REVOKED:
            outcome = "already revoked"
        elif message.status != "submitted":
            outcome = f"too late: the message was already {message.status}"
        elif now - message.created_at > REVOKE_WITHIN:
            outcome = "too late: revocation is possible within 24 hours of sending"
        else:
            outcome = "revoked"
            change = StatusChange(REVOKED, now, by="api")
            message.add_change(change)
        record = {"at": iso(now), "outcome": outcome}
        message.extra = {**(message.extra or {}), "revocation": record}
        self.bus.publish(MessageUpdated(message))
        return message

    def tap(
        self,
        uuid: str,
        index: int | None = None,
        postback: str | None = None,
        *,
        receipts: bool = True,
    ) -> Message:
        """The end user taps a suggestion chip of outbound message ``uuid`` (by its position,
        or by its postback data): the app receives the inbound message the tap sends.
        ``receipts=False``: a handset that never reports delivery or reading (a profile)."""
        message = self.get(uuid)
        channel = self.channels[message.channel]
        if channel.suggestions is None or channel.tap is None or message.direction != "outbound":
            raise IllegalTransition(f"{channel.label} messages have no suggestions to tap.")
        if message.status == REVOKED or message.status in FINAL_STATUSES:
            raise IllegalTransition(
                f"The message is {message.status}: the handset never showed its suggestions."
            )
        chips = channel.suggestions(message)
        if not chips:
            field = "suggestion" if index is not None else "postback_data"
            raise BadControlRequest(
                "The message has no suggestions to tap.",
                invalid=[(field, "the message has no suggestion chips.")],
            )
        if index is not None:
            if not 0 <= index < len(chips):
                raise BadControlRequest(
                    f"The message has {len(chips)} suggestions.",
                    invalid=[("suggestion", f"must be 0 to {len(chips) - 1}.")],
                )
            chip = chips[index]
        else:
            found = [c for c in chips if c.get("postback_data") == postback]
            if not found:
                raise BadControlRequest(
                    "No suggestion of the message has that postback data.",
                    invalid=[("postback_data", "matches no suggestion of the message.")],
                )
            chip = found[0]
        # A user who taps has the message and has seen it: the handset says so first.
        seen = message.status == "submitted" or (message.status == "delivered" and channel.has_read)
        if seen and receipts:
            self.mark(uuid, "read" if channel.has_read else "delivered", by="user")
        message_type, content = channel.tap(chip)
        return self.receive(
            InboundDraft(
                channel=message.channel,
                from_=message.to,
                to=message.from_,
                message_type=message_type,
                content={message_type: content},
                extra={},
                application_id=message.application_id,
            )
        )

    def mark_seen(self, channel: str, peer: str) -> int:
        """The inbox opened a conversation: its inbound messages count as read there."""
        messages = self.store.conversation((channel, peer))
        if not messages:
            raise ControlNotFound(f"No conversation with {peer} on {channel}.")
        seen = [m for m in messages if m.direction == "inbound" and not m.seen]
        for m in seen:
            m.seen = True
        if seen:
            self.bus.publish(ConversationSeen(channel, peer, tuple(seen)))
        return len(seen)
