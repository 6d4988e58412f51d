"""The 24-hour customer-care window of WhatsApp and Messenger: a freeform message to a user
whose last message to the business is older than 24 hours (or who never wrote) is rejected
(1340 Outside of the allowed window); what the channel exempts (WhatsApp templates, Messenger
message tags) goes through. Each channel says whether it has a window, which setting switches
it off and what is exempt (`Channel.care_window`).

The rejection is asynchronous, as on Vonage: the send is accepted (202), then its status is
`rejected`, so v1 failover and Dispatch move on by themselves.
"""

from __future__ import annotations

from sandbox.core.config import RunConfig
from sandbox.core.engine import Engine
from sandbox.core.events import (
    EventBus,
    MessageCreated,
    MessageInbound,
    MessageWithdrawn,
    Pruned,
    Reset,
)
from sandbox.core.models import Message
from sandbox.core.scheduler import Scheduler

OUTSIDE = 1340  # Outside of the allowed window
WINDOW = 24 * 3600.0


class CareWindows:
    def __init__(
        self, engine: Engine, bus: EventBus, scheduler: Scheduler, config: RunConfig
    ) -> None:
        self.engine = engine
        self.scheduler = scheduler
        self.config = config
        # (channel, user, business address) -> when the user last wrote (None: never), found
        # once by a walk of the conversation and then kept up by the inbound events, so a send
        # costs the same however long the conversation is. Dropped whole when messages go (a
        # reset, the retention bound): found again on the next send.
        self._last: dict[tuple[str, str, str], float | None] = {}
        bus.on(MessageCreated, self._on_created)
        bus.on(MessageInbound, self._on_inbound)
        bus.on(Reset, lambda event: self._last.clear())
        bus.on(Pruned, lambda event: self._last.clear())
        bus.on(MessageWithdrawn, lambda event: self._last.clear())  # not kept after all

    def _on_created(self, event: MessageCreated) -> None:
        message = event.message
        if message.direction != "outbound":
            return
        channel = self.engine.channels[message.channel]
        window = channel.care_window
        if window is None or not getattr(self.config, window.setting, True):
            return
        if window.exempt(message):
            return
        last = self._last_inbound(message)
        if last is not None and message.created_at - last <= WINDOW:
            return
        since = (
            "has never written to this number"
            if last is None
            else f"last wrote {(message.created_at - last) / 3600:.1f} h ago"
        )
        cause = (
            f"outside the 24-hour customer-care window: {message.to} {since} "
            f"({window.setting} rule; {window.allowed} go through)"
        )

        def act() -> None:
            if message.status == "submitted" and self.engine.store.get(message.uuid) is message:
                self.engine.mark(
                    message.uuid, "rejected", error_code=OUTSIDE, by="rule", cause=cause
                )

        self.scheduler.at(
            message.created_at,
            "rule",
            f"{message.uuid[:8]} is rejected: {cause}",
            act,
            owner=message.application_id,
            ref=message.uuid,
        )

    def _on_inbound(self, event: MessageInbound) -> None:
        m = event.message
        if self.engine.channels[m.channel].care_window is not None:
            ours = self.engine.channels[m.channel].address(m.to)
            self._last[(m.channel, m.from_, ours)] = m.created_at

    def _last_inbound(self, message: Message) -> float | None:
        """When the user last wrote to the address this message comes from."""
        channel = self.engine.channels[message.channel]
        key = (message.channel, message.to, channel.address(message.from_))
        if key not in self._last:
            self._last[key] = None
            for m in reversed(self.engine.store.conversation((message.channel, message.to))):
                if m.direction == "inbound" and channel.address(m.to) == key[2]:
                    self._last[key] = m.created_at
                    break
        return self._last[key]
