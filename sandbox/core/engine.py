"""The engine: accept messages into inboxes, move them through their statuses, take replies.

Pure: no I/O, no wall clock. Time comes from the injected clock, delays from the scheduler,
and everything that happens is published on the bus (webhooks, workflows and the UI listen).

Every state change of a sandbox goes through here: messages, applications, accounts, the
inbox's `seen` marks and the run-time configuration, each published as its own event, so the
listeners (persistence among them) never miss one.

Outbound life, as Vonage's message statuses describe it
(https://developer.vonage.com/en/messages/concepts/message-statuses)::

    submitted ──> delivered ──> read          (read: channels with read receipts only)
        └──> rejected | undeliverable         (final, with an asynchronous error code)
"""

from __future__ import annotations

import sys

from sandbox.core.channel import Registry
from sandbox.core.clock import Clock
from sandbox.core.config import RunConfig
from sandbox.core.directory import Directory
from sandbox.core.error_codes import ASYNC_ERRORS, DEFAULT_ERROR
from sandbox.core.errors import (
    BadControlRequest,
    IllegalTransition,
    NotFound,
    StorageFailed,
)
from sandbox.core.events import (
    EventBus,
    MessageCreated,
    MessageInbound,
    MessageStatus,
    MessageWithdrawn,
    Pruned,
    Reset,
)
from sandbox.core.ids import new_uuid
from sandbox.core.interactions import Interactions
from sandbox.core.models import (
    FINAL_STATUSES,
    INBOUND_STATUS,
    REVOKED,
    Api,
    InboundDraft,
    Message,
    Outbound,
    Sender,
    StatusChange,
    WorkflowRef,
    body_of,
)
from sandbox.core.scheduler import Scheduler, TimerKind
from sandbox.core.store import Store

MARKABLE = ("delivered", "read", "rejected", "undeliverable")


def _shared(value: str) -> str:
    """One string for the many messages to the same handset, from the same number, of the
    same type: the request's own copies were ~165 of a stored message's bytes."""
    return sys.intern(value) if type(value) is str else value


class Engine(Interactions, Directory):
    def __init__(
        self,
        *,
        clock: Clock,  # the engine only reads the time; moving it is the timeline's job
        scheduler: Scheduler,
        store: Store,
        channels: Registry,
        bus: EventBus,
        config: RunConfig | None = None,
    ) -> None:
        self.clock = clock
        self.scheduler = scheduler
        self.store = store
        self.channels = channels
        self.bus = bus
        self.config = config or RunConfig()  # the one object; changed in place by configure()
        # The retention bound (`--max-messages`); None keeps everything (the fixture's way).
        self.max_messages: int | None = None
        self.pruned = 0  # messages dropped by the bound since start

    # -- outbound ----------------------------------------------------------------------------
    def send(
        self,
        draft: Outbound,
        sender: Sender,
        *,
        api: Api = "v1",
        workflow: WorkflowRef | None = None,
        by: str = "api",
    ) -> Message:
        now = self.clock.now()
        submitted = StatusChange("submitted", now, by=by)
        message = Message(
            uuid=new_uuid(),
            direction="outbound",
            channel=draft.channel,
            to=_shared(draft.to),
            from_=_shared(draft.from_),
            message_type=_shared(draft.message_type),
            body=body_of(draft.message_type, draft.content),
            changes=submitted,
            api=api,
            options=draft.options or None,
            client_ref=draft.client_ref,
            webhook_url=draft.webhook_url,
            webhook_version=draft.webhook_version,
            application_id=sender.application_id,
            api_key=sender.api_key,
            workflow=workflow,
        )
        self.store.add(message)
        account = self.paying_account(sender)
        balance = account.balance if account is not None else None
        try:
            with self.bus.batch():  # one `--db` transaction: all of it is kept, or none
                self.bus.publish(MessageCreated(message))
                self.bus.publish(MessageStatus(message, submitted))
                self.charge(account, message)
                if self.config.auto_deliver is not None:
                    self._schedule_auto(message, "delivered", now + self.config.auto_deliver)
                self._retain(message)
        except StorageFailed:
            self._withdraw(message)  # not kept on disk: not accepted either
            if account is not None:
                account.balance = balance  # nor charged
            raise
        return message

    def get(self, uuid: str) -> Message:
        message = self.store.get(uuid)
        if message is None:
            raise NotFound(f"Message with ID {uuid} not found")
        return message

    def mark(
        self,
        uuid: str,
        status: str,
        *,
        error_code: int | None = None,
        reason: str | None = None,
        by: str = "control",
        cause: str | None = None,
    ) -> Message:
        """Move an outbound message to ``status``; refuse what a real handset could not do."""
        message = self.get(uuid)
        steps = self._steps(message, status)
        if status in FINAL_STATUSES:
            code = DEFAULT_ERROR[status] if error_code is None else error_code
            if code not in ASYNC_ERRORS:
                raise BadControlRequest(
                    f"Unknown error code {code}.",
                    invalid=[("error_code", "must be a code from the asynchronous error list.")],
                )
            error_code, reason = code, reason or ASYNC_ERRORS[code]
        elif error_code is not None:
            raise BadControlRequest(
                "An error code goes only with rejected or undeliverable.",
                invalid=[("error_code", f"is not allowed with status {status}.")],
            )
        now = self.clock.now()
        kept = len(message.history)
        try:
            with self.bus.batch():  # delivered-then-read is kept whole or not at all
                for step in steps:
                    final = step == status
                    change = StatusChange(
                        step,
                        now,
                        error_code if final else None,
                        reason if final else None,
                        by,
                        cause,
                    )
                    self._apply(message, change)
        except StorageFailed:
            message.keep_changes(kept)
            raise
        return message

    def allowed_marks(self, message: Message) -> list[str]:
        """The statuses a handset could still report for ``message`` (what mark() accepts)."""
        out: list[str] = []
        for status in MARKABLE:
            try:
                self._steps(message, status)
            except IllegalTransition:
                continue
            out.append(status)
        return out

    def _steps(self, message: Message, status: str) -> list[str]:
        if message.direction != "outbound":
            raise IllegalTransition("Only outbound messages have a delivery status to mark.")
        if status not in MARKABLE:
            raise BadControlRequest(
                f"Cannot mark a message {status!r}.",
                invalid=[("status", "must be one of: " + ", ".join(MARKABLE) + ".")],
            )
        channel = self.channels[message.channel]
        current = message.status
        if current == REVOKED:
            raise IllegalTransition("The message was revoked: the handset never received it.")
        if current in FINAL_STATUSES:
            raise IllegalTransition(f"The message is already {current}; nothing follows that.")
        if status == "read" and not channel.has_read:
            raise IllegalTransition(f"{channel.label} has no read receipts.")
        if status == current:
            raise IllegalTransition(f"The message is already {current}.")
        if status in FINAL_STATUSES or status == "delivered":
            if current != "submitted":
                raise IllegalTransition(
                    f"A {current} message cannot become {status}: statuses only move forward."
                )
            return [status]
        # read: a handset always reports delivery before it reports reading.
        return ["delivered", "read"] if current == "submitted" else ["read"]

    def _apply(self, message: Message, change: StatusChange) -> None:
        message.add_change(change)
        if change.status == "rejected":
            self.refund(message)
        self.bus.publish(MessageStatus(message, change))
        if (
            change.status == "delivered"
            and self.config.auto_read is not None
            and self.channels[message.channel].has_read
        ):
            self._schedule_auto(message, "read", self.clock.now() + self.config.auto_read)

    def resume_auto(self, kind: TimerKind, uuid: str, due: float) -> bool:
        """Re-arm a handset's own move kept across a restart (`--db`); False when the message
        is gone or has moved on, so the move no longer applies."""
        message = self.store.get(uuid)
        expected = "submitted" if kind == "auto-deliver" else "delivered"
        if message is None or message.status != expected:
            return False
        self._schedule_auto(message, "delivered" if kind == "auto-deliver" else "read", due)
        return True

    def _schedule_auto(self, message: Message, status: str, due: float) -> None:
        expected = message.status

        def act() -> None:
            # The handset acts only if nobody moved the message on in the meantime.
            if message.status == expected and self.store.get(message.uuid) is message:
                self.mark(message.uuid, status, by="auto")

        self.scheduler.at(
            due,
            "auto-deliver" if status == "delivered" else "auto-read",
            f"{self.channels[message.channel].label} handset {message.to} marks "
            f"{message.uuid[:8]} {status}",
            act,
            owner=message.application_id,
            ref=message.uuid,
        )

    # -- inbound -----------------------------------------------------------------------------
    def receive(self, draft: InboundDraft) -> Message:
        """A simulated end user sends a message to the app."""
        now = self.clock.now()
        application_id = draft.application_id or self._owner_of(draft)
        message = Message(
            uuid=new_uuid(),
            direction="inbound",
            channel=draft.channel,
            to=draft.to,
            from_=draft.from_,
            message_type=draft.message_type,
            body=body_of(draft.message_type, draft.content),
            changes=StatusChange(INBOUND_STATUS, now, by="user"),
            api="sandbox",
            application_id=application_id,
            extra=draft.extra or None,
        )
        if application_id is not None:
            app = self.application(application_id)
            message.api_key = app.api_key if app else None
        self.store.add(message)
        try:
            with self.bus.batch():
                self.bus.publish(MessageCreated(message))
                self.bus.publish(MessageInbound(message))
                self._retain(message)
        except StorageFailed:
            self._withdraw(message)
            raise
        return message

    def _owner_of(self, draft: InboundDraft) -> str | None:
        """The application a reply belongs to: the one that last wrote to this user from
        this address (Vonage routes inbound by the number linked to an application)."""
        channel = self.channels[draft.channel]
        to = channel.address(draft.to)
        for m in reversed(self.store.conversation((draft.channel, draft.from_))):
            if m.direction == "outbound" and channel.address(m.from_) == to:
                return m.application_id
        return None

    # -- housekeeping ------------------------------------------------------------------------
    def _withdraw(self, message: Message) -> None:
        self.store.remove(message)
        self.bus.notify(MessageWithdrawn(message))

    def _retain(self, newest: Message) -> None:
        """Over the bound: drop the conversations quiet longest, down to 95 % of it, so the
        cost of pruning is paid once per 5 % of the bound rather than on every message."""
        bound = self.max_messages
        if bound is None or self.store.count() <= bound:
            return
        dropped = self.store.prune(bound - bound // 20, spare=(newest.channel, newest.peer))
        if dropped:
            self.pruned += len(dropped)
            self.bus.publish(Pruned(tuple(dropped)))

    def reset(self, application_id: str | None = None) -> None:
        self.store.clear(application_id)
        self.scheduler.clear(application_id)
        self.bus.publish(Reset(application_id))
