"""The one internal model. v0.1 and v1 requests are parsed into it; webhooks render from it.

Times are floats of virtual Unix seconds (see :mod:`sandbox.core.clock`): cheap to store by the
hundred thousand, and rendered to ISO 8601 only at the edges.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Direction = Literal["outbound", "inbound"]
Api = Literal["v1", "v0.1", "dispatch", "sandbox"]  # what a message came through
WorkflowKind = Literal["v1", "dispatch"]

FINAL_STATUSES = frozenset({"rejected", "undeliverable"})
# An outbound message taken back before delivery (RCS): the handset never shows it. Not one of
# Vonage's webhook statuses, so it sends no webhook; the control API and the inbox show it.
REVOKED = "revoked"
# Vonage takes revocation requests only within a day of the message's creation.
REVOKE_WITHIN = 24 * 3600.0
INBOUND_STATUS = "received"


@dataclass(slots=True)
class StatusChange:
    status: str
    at: float
    error_code: int | None = None
    reason: str | None = None
    by: str = "api"  # who caused it: api, control, auto, ui, failover, user, or a caller's word
    # Why, when a rule or a handset profile decided it ("447700900123 has no WhatsApp").
    cause: str | None = None


@dataclass(slots=True)
class WorkflowRef:
    """Where a message stands in a failover: a v1 `failover` array or a Dispatch workflow."""

    kind: WorkflowKind
    id: str  # workflow_id (v1) or dispatch_uuid
    item: int  # 1-based
    total: int


@dataclass(slots=True)
class Sender:
    """Who sent a request: an application (JWT) or an account (Basic)."""

    application_id: str | None = None
    api_key: str | None = None


@dataclass(slots=True)
class Outbound:
    """A parsed send request, before it becomes a message."""

    channel: str
    to: str
    from_: str
    message_type: str
    content: dict[str, Any]  # v1 shape: {"text": "..."} or {"image": {...}}
    options: dict[str, Any] = field(default_factory=dict)  # option blocks, context, ttl
    client_ref: str | None = None
    webhook_url: str | None = None
    webhook_version: str | None = None


@dataclass(slots=True)
class InboundDraft:
    """What a simulated end user sends, checked, before it becomes a message."""

    channel: str
    from_: str  # the end user
    to: str  # the app's number / page / service id
    message_type: str
    content: dict[str, Any]
    extra: dict[str, Any]
    application_id: str | None = None


class _NoContent:
    """The body of a message without content (an inbound `unsupported`)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NO_CONTENT"


NO_CONTENT: Any = _NoContent()


class _Other(dict[str, Any]):
    """A content of another shape than one key named after the type, kept as it came."""

    __slots__ = ()


def body_of(message_type: str, content: dict[str, Any]) -> Any:
    """What a message keeps of ``content``: see :attr:`Message.body`."""
    if not content:
        return NO_CONTENT
    if len(content) == 1 and message_type in content:
        return content[message_type]
    return _Other(content)


@dataclass(slots=True)
class Message:
    uuid: str
    direction: Direction
    channel: str
    to: str
    from_: str
    message_type: str
    # What the message carries under its one content key, which is always its type
    # (`{"text": "hi"}` is body "hi" of a text message): the dict itself was 184 of a stored
    # message's bytes (bench/memory.py). NO_CONTENT when there is none (an inbound
    # `unsupported`); a content of any other shape is kept whole, as an _Other.
    body: Any
    # The status changes, oldest first (read them as `history`): the one change itself while
    # there is one, then a tuple. Most stored messages never move past their first status, and
    # the list this was cost ~90 bytes of each, a tuple of one ~50 (bench/memory.py). The
    # message's status and creation time are those of its last and first change: kept once,
    # they cannot disagree, and two slots fewer put a message in a smaller size class.
    changes: StatusChange | tuple[StatusChange, ...]
    api: Api = "v1"
    options: dict[str, Any] | None = None
    client_ref: str | None = None
    webhook_url: str | None = None
    webhook_version: str | None = None
    application_id: str | None = None
    api_key: str | None = None
    workflow: WorkflowRef | None = None
    extra: dict[str, Any] | None = None  # inbound extras: profile, context, origin ...
    seen: bool = False  # opened in the UI

    @property
    def peer(self) -> str:
        """The end user's address: the handset this message is in the inbox of."""
        return self.to if self.direction == "outbound" else self.from_

    @property
    def content(self) -> dict[str, Any]:
        """The message's content in v1 shape, a fresh dict: ``{"text": "hi"}``."""
        body = self.body
        if body is NO_CONTENT:
            return {}
        if type(body) is _Other:
            return dict(body)
        return {self.message_type: body}

    @property
    def text(self) -> str | None:
        body = self.body
        if type(body) is _Other:
            value = body.get("text")
        elif self.message_type == "text":
            value = body
        else:
            return None
        return value if isinstance(value, str) else None

    @property
    def status(self) -> str:
        return self.last_change.status

    @property
    def created_at(self) -> float:
        changes = self.changes
        return changes[0].at if isinstance(changes, tuple) else changes.at

    @property
    def history(self) -> tuple[StatusChange, ...]:
        changes = self.changes
        return changes if isinstance(changes, tuple) else (changes,)

    def add_change(self, change: StatusChange) -> None:
        self.changes = (*self.history, change)

    def keep_changes(self, count: int) -> None:
        """Take back the changes after the first ``count`` (a write that failed)."""
        kept = self.history[:count]
        self.changes = kept[0] if len(kept) == 1 else kept

    @property
    def last_change(self) -> StatusChange:
        changes = self.changes
        return changes[-1] if isinstance(changes, tuple) else changes


@dataclass(slots=True)
class Application:
    """A Vonage application as the sandbox knows it (created on first use by default)."""

    id: str
    name: str | None = None
    status_url: str | None = None
    inbound_url: str | None = None
    webhook_version: str | None = None  # None: v1, or v0.1 for messages sent via v0.1/Dispatch
    public_key: str | None = None
    signature_secret: str | None = None
    api_key: str | None = None  # the account it belongs to (the `api_key` webhook claim)
    created_at: float = 0.0
    rate_limit: float | None = None  # sends per virtual second; None: the account's, or config's

    def to_dict(self) -> dict[str, Any]:
        return {
            "application_id": self.id,
            "name": self.name,
            "status_url": self.status_url,
            "inbound_url": self.inbound_url,
            "webhook_version": self.webhook_version,
            "public_key": self.public_key,
            "signature_secret": self.signature_secret,
            "api_key": self.api_key,
            "rate_limit": self.rate_limit,
        }


@dataclass(slots=True)
class Account:
    """An API key (Basic auth); its signature secret signs webhooks of Basic-auth sends."""

    api_key: str
    api_secret: str | None = None
    signature_secret: str | None = None
    # Credit left, EUR, as a decimal string; None: unlimited (the default). Each message sent
    # costs its price; a send that the balance cannot cover is refused with Vonage's 402.
    balance: str | None = None
    rate_limit: float | None = None  # sends per virtual second; None: the config's
