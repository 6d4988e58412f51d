"""What :mod:`sandbox.testing.client` returns: small typed views of the control API's JSON.

Each keeps the JSON it came from in ``raw`` so that a field added to the API later is reachable
before this module learns its name. Pure data: no HTTP here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# A one-time code: 4 to 8 digits standing alone ("Your code is 123456", "code: 0042").
_CODE = re.compile(r"(?<![\d.,])(\d{4,8})(?![\d.,]\d)")
_LINK = re.compile(r"https?://[^\s<>\"')\]]+")


@dataclass(frozen=True, slots=True)
class StatusChange:
    status: str
    timestamp: str
    by: str
    error_code: int | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StatusChange:
        error = data.get("error") or {}
        return cls(data["status"], data["timestamp"], data.get("by", ""), error.get("code"))


@dataclass(frozen=True, slots=True)
class Message:
    message_uuid: str  # Vonage's name for it, as in the SDKs' send responses
    direction: str
    channel: str
    to: str
    from_: str
    message_type: str
    status: str
    timestamp: str
    text: str | None
    application_id: str | None
    client_ref: str | None
    error_code: int | None
    history: tuple[StatusChange, ...]
    raw: dict[str, Any] = field(repr=False, compare=False)

    @property
    def uuid(self) -> str:
        """The same as :attr:`message_uuid` (the name earlier versions used)."""
        return self.message_uuid

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Message:
        error = data.get("error") or {}
        text = data.get("text")
        return cls(
            message_uuid=data["message_uuid"],
            direction=data["direction"],
            channel=data["channel"],
            to=data["to"],
            from_=data["from"],
            message_type=data["message_type"],
            status=data["status"],
            timestamp=data["timestamp"],
            text=text if isinstance(text, str) else None,
            application_id=data.get("application_id"),
            client_ref=data.get("client_ref"),
            error_code=error.get("code"),
            history=tuple(StatusChange.from_json(h) for h in data.get("history", ())),
            raw=data,
        )

    @property
    def statuses(self) -> list[str]:
        """Every status it went through, in order (``["submitted", "delivered", "read"]``)."""
        return [h.status for h in self.history]

    @property
    def workflow(self) -> dict[str, Any] | None:
        value = self.raw.get("workflow")
        return value if isinstance(value, dict) else None

    @property
    def webhooks(self) -> list[Delivery]:
        """Webhook deliveries about this message (only on a message fetched by uuid)."""
        return [Delivery.from_json(d) for d in self.raw.get("webhooks") or ()]

    def code(self) -> str:
        """The one-time code in the text (4-8 digits on their own); AssertionError if none."""
        found = _CODE.findall(self.text or "")
        if not found:
            raise AssertionError(f"no 4-8 digit code in {self.text!r}")
        return str(found[0])

    def link(self) -> str:
        """The first http(s) link in the text; AssertionError if none."""
        found = _LINK.findall(self.text or "")
        if not found:
            raise AssertionError(f"no link in {self.text!r}")
        return str(found[0])

    def describe(self) -> str:
        body = self.text if self.text is not None else f"<{self.message_type}>"
        arrow = f"{self.from_} -> {self.to}"
        return f"{self.channel} {arrow} [{self.status}] {body!r} ({self.uuid})"


@dataclass(frozen=True, slots=True)
class Attempt:
    n: int
    at: str
    url: str | None
    status_code: int | None
    response_body: str
    duration_ms: float
    error: str | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Attempt:
        return cls(
            n=int(data.get("n", 0)),
            at=str(data.get("at", "")),
            url=data.get("url"),
            status_code=data.get("status_code"),
            response_body=str(data.get("response_body") or ""),
            duration_ms=float(data.get("duration_ms") or 0.0),
            error=data.get("error"),
        )

    @property
    def failed(self) -> bool:
        """A server error or no answer at all (a 4xx is the receiver's decision, not a bug)."""
        return self.error is not None or self.status_code is None or self.status_code >= 500


@dataclass(frozen=True, slots=True)
class Delivery:
    """One webhook in the sandbox's ledger, with every attempt to deliver it."""

    id: str
    kind: str  # status | inbound | report
    event: str  # submitted, delivered, ... | inbound | completed | error
    message_uuid: str | None
    application_id: str | None
    url: str | None
    state: str  # pending | delivered | retrying | failed | no_url | dropped (a chaos rule)
    version: str
    payload: dict[str, Any]
    headers: dict[str, str]
    attempts: tuple[Attempt, ...]
    raw: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Delivery:
        return cls(
            id=str(data["id"]),
            kind=str(data.get("kind", "")),
            event=str(data.get("event", "")),
            message_uuid=data.get("message_uuid"),
            application_id=data.get("application_id"),
            url=data.get("url"),
            state=str(data.get("state", "")),
            version=str(data.get("version", "")),
            payload=data.get("payload") or {},
            headers=data.get("headers") or {},
            attempts=tuple(Attempt.from_json(a) for a in data.get("attempts") or ()),
            raw=data,
        )

    @property
    def body(self) -> str:
        return str(self.raw.get("body", ""))

    @property
    def chaos(self) -> str | None:
        """What chaos rules did to it, naming each rule (None: nothing)."""
        note = self.raw.get("chaos")
        return None if note is None else str(note)

    @property
    def retry(self) -> str | None:
        """Why it is being retried and when the next attempt is (None: it is not)."""
        why = self.raw.get("retry")
        return None if why is None else str(why)

    @property
    def status_code(self) -> int | None:
        """What the receiver answered the last attempt (None: no attempt, or no answer)."""
        return self.attempts[-1].status_code if self.attempts else None

    def describe(self) -> str:
        last = self.attempts[-1] if self.attempts else None
        outcome = "no attempt"
        if last is not None:
            outcome = f"HTTP {last.status_code}" if last.error is None else f"error {last.error}"
        return (
            f"{self.kind}/{self.event} msg={self.message_uuid} -> {self.url} "
            f"[{self.state}, {len(self.attempts)} attempt(s), last: {outcome}]"
        )


@dataclass(frozen=True, slots=True)
class ClockState:
    now: str
    now_ts: float
    mode: str
    pending: int
    next_due: str | None
    timers: tuple[dict[str, Any], ...]
    fired: int  # timers fired by the advance that returned this (0 for a plain read)
    # The advance that returned this: {"from", "to", "seconds", "fired"} (None for a read).
    moved: dict[str, Any] | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ClockState:
        moved = data.get("moved") or {}
        return cls(
            now=data["now"],
            now_ts=float(data["now_ts"]),
            mode=data["mode"],
            pending=int(data["pending"]),
            next_due=data.get("next_due"),
            timers=tuple(data.get("timers") or ()),
            fired=int(moved.get("fired", 0)),
            moved=data.get("moved"),
        )


@dataclass(frozen=True, slots=True)
class WaitResult:
    matched: bool
    total: int
    messages: tuple[Message, ...]  # newest first

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WaitResult:
        return cls(
            matched=bool(data["matched"]),
            total=int(data["total"]),
            messages=tuple(Message.from_json(m) for m in data["messages"]),
        )


@dataclass(frozen=True, slots=True)
class SandboxErrorRecord:
    where: str
    traceback: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SandboxErrorRecord:
        return cls(str(data.get("where", "")), str(data.get("traceback", "")))
