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

from collections.abc import Mapping
from typing import Any

from sandbox.core.channel import Registry
from sandbox.core.clock import Clock
from sandbox.core.config import RunConfig
from sandbox.core.error_codes import ASYNC_ERRORS, DEFAULT_ERROR
from sandbox.core.errors import (
    BadControlRequest,
    ControlNotFound,
    IllegalTransition,
    NotFound,
    UnsupportedOperation,
)
from sandbox.core.events import (
    AccountUpdated,
    ApplicationUpdated,
    ConfigUpdated,
    ConversationSeen,
    EventBus,
    MessageCreated,
    MessageInbound,
    MessageStatus,
    MessageUpdated,
    Reset,
)
from sandbox.core.ids import new_uuid
from sandbox.core.models import (
    FINAL_STATUSES,
    INBOUND_STATUS,
    Account,
    Api,
    Application,
    InboundDraft,
    Message,
    Outbound,
    Sender,
    StatusChange,
    WorkflowRef,
)
from sandbox.core.scheduler import Scheduler
from sandbox.core.store import Store

MARKABLE = ("delivered", "read", "rejected", "undeliverable")
APPLICATION_FIELDS = (
    "name",
    "status_url",
    "inbound_url",
    "webhook_version",
    "public_key",
    "signature_secret",
    "api_key",
)
ACCOUNT_FIELDS = ("api_secret", "signature_secret")


class Engine:
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

    # -- configuration -----------------------------------------------------------------------
    def configure(self, changes: Mapping[str, Any]) -> RunConfig:
        """Change run-time settings (names of :class:`RunConfig` fields, values already
        checked): all of them or, when one name is unknown, none."""
        unknown = [name for name in changes if name not in RunConfig.names()]
        if unknown:
            raise BadControlRequest(
                f"{', '.join(unknown)}: not run-time settings.",
                invalid=[(n, "is not a setting that can change at run time.") for n in unknown],
            )
        for name, value in changes.items():
            setattr(self.config, name, value)
        self.bus.publish(ConfigUpdated(self.config))
        return self.config

    # -- applications and accounts -----------------------------------------------------------
    def application(self, application_id: str, *, create: bool = True) -> Application | None:
        """The application, registered on first use unless ``create`` is false."""
        app = self.store.applications.get(application_id)
        if app is None and create:
            app = Application(id=application_id, created_at=self.clock.now())
            self.store.applications[application_id] = app
            self.bus.publish(ApplicationUpdated(app))
        return app

    def update_application(self, application_id: str, changes: Mapping[str, Any]) -> Application:
        """Create or update; fields left out keep their value (already checked)."""
        app = self.application(application_id)
        assert app is not None
        for name in APPLICATION_FIELDS:
            if name in changes:
                setattr(app, name, changes[name])
        self.bus.publish(ApplicationUpdated(app))
        return app

    def account(self, api_key: str, changes: Mapping[str, Any] | None = None) -> Account:
        """The account of ``api_key``, created if new, with ``changes`` applied."""
        account = self.store.accounts.get(api_key)
        created = account is None
        if account is None:
            account = self.store.accounts[api_key] = Account(api_key)
        changed = False
        for name in ACCOUNT_FIELDS:
            if changes is not None and name in changes:
                setattr(account, name, changes[name])
                changed = True
        if created or changed:
            self.bus.publish(AccountUpdated(account))
        return account

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
        message = Message(
            uuid=new_uuid(),
            direction="outbound",
            channel=draft.channel,
            to=draft.to,
            from_=draft.from_,
            message_type=draft.message_type,
            content=draft.content,
            created_at=now,
            status="submitted",
            history=[StatusChange("submitted", now, by=by)],
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
        self.bus.publish(MessageCreated(message))
        self.bus.publish(MessageStatus(message, message.history[0]))
        if self.config.auto_deliver is not None:
            self._schedule_auto(message, "delivered", self.config.auto_deliver)
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
        for step in steps:
            final = step == status
            change = StatusChange(
                step,
                now,
                error_code if final else None,
                reason if final else None,
                by,
            )
            self._apply(message, change)
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
        message.status = change.status
        message.history.append(change)
        self.bus.publish(MessageStatus(message, change))
        if (
            change.status == "delivered"
            and self.config.auto_read is not None
            and self.channels[message.channel].has_read
        ):
            self._schedule_auto(message, "read", self.config.auto_read)

    def _schedule_auto(self, message: Message, status: str, delay: float) -> None:
        expected = message.status

        def act() -> None:
            # The handset acts only if nobody moved the message on in the meantime.
            if message.status == expected and self.store.get(message.uuid) is message:
                self.mark(message.uuid, status, by="auto")

        self.scheduler.at(
            self.clock.now() + delay,
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
            content=draft.content,
            created_at=now,
            status=INBOUND_STATUS,
            history=[StatusChange(INBOUND_STATUS, now, by="user")],
            api="sandbox",
            application_id=application_id,
            extra=draft.extra or None,
        )
        if application_id is not None:
            app = self.application(application_id)
            message.api_key = app.api_key if app else None
        self.store.add(message)
        self.bus.publish(MessageCreated(message))
        self.bus.publish(MessageInbound(message))
        return message

    def _owner_of(self, draft: InboundDraft) -> str | None:
        """The application a reply belongs to: the one that last wrote to this user from
        this address (Vonage routes inbound by the number linked to an application)."""
        for m in reversed(self.store.conversation((draft.channel, draft.from_))):
            if m.direction == "outbound" and m.from_ == draft.to:
                return m.application_id
        return None

    def mark_inbound_read(self, uuid: str, sender: Sender) -> Message:
        """`PATCH /v1/messages/{uuid}` `{"status": "read"}`: inbound messages of channels
        where the app can mark them read (WhatsApp)."""
        message = self.store.get(uuid)
        if message is None:
            raise NotFound(f"External Id not found for message {uuid}.")
        if not self.channels[message.channel].inbound_read or message.direction != "inbound":
            raise UnsupportedOperation()
        if message.status != "read":
            change = StatusChange("read", self.clock.now(), by="api")
            message.status = "read"
            message.history.append(change)
            self.bus.publish(MessageUpdated(message))
        return message

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

    # -- housekeeping ------------------------------------------------------------------------
    def reset(self, application_id: str | None = None) -> None:
        self.store.clear(application_id)
        self.scheduler.clear(application_id)
        self.bus.publish(Reset(application_id))
