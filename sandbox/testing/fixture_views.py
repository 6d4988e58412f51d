"""What the fixture's handle hands out: a handset's inbox and the test's webhook ledger, each
with waiting and asserting helpers whose failure messages say what did arrive."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from sandbox.testing.client_types import Delivery, Message

if TYPE_CHECKING:
    from sandbox.testing.fixture import SandboxHandle


class Inbox:
    """One simulated handset's inbox on one channel: what the app sent to ``number``."""

    def __init__(self, handle: SandboxHandle, channel: str, number: str) -> None:
        self.handle = handle
        self.channel = channel
        self.number = number

    def __repr__(self) -> str:
        return f"<Inbox {self.channel}:{self.number}>"

    @property
    def messages(self) -> list[Message]:
        """Messages the app sent to this handset, oldest first."""
        return self.handle.messages(channel=self.channel, to=self.number, direction="outbound")

    @property
    def conversation(self) -> list[Message]:
        """Both directions (the app's messages and the user's replies), oldest first."""
        return self.handle.messages(channel=self.channel, peer=self.number)

    def __iter__(self) -> Iterator[Message]:
        return iter(self.messages)

    def __getitem__(self, index: int) -> Message:
        return self.messages[index]

    @property
    def last(self) -> Message:
        """The newest message the app sent here (one message asked for, not the inbox)."""
        found = self.handle.client.messages(
            limit=1,
            **self.handle._filters(
                {"channel": self.channel, "to": self.number, "direction": "outbound"}
            ),
        )
        if not found:
            raise AssertionError(f"{self!r} is empty.\n{self.handle._listing()}")
        return found[0]

    def __len__(self) -> int:
        return self.handle.client.count(
            **self.handle._filters(
                {"channel": self.channel, "to": self.number, "direction": "outbound"}
            )
        )

    def wait_for(self, text: str | None = None, *, count: int = 1, timeout: float = 5.0) -> Message:
        """Block until the inbox holds ``count`` messages (containing ``text``); the newest."""
        return self.handle.wait_for(
            count=count,
            timeout=timeout,
            channel=self.channel,
            to=self.number,
            direction="outbound",
            text=text,
        )

    def assert_empty(self, *, within: float = 0.0) -> None:
        """Nothing new reaches this inbox within ``within`` virtual seconds."""
        self.handle.assert_no_messages(
            within=within, channel=self.channel, to=self.number, direction="outbound"
        )

    def reply(self, text: str | None = None, *, to: str | None = None, **fields: Any) -> Message:
        """The handset's user answers (to the app address that last wrote to them)."""
        return self.handle.reply(self.channel, self.number, to, text=text, **fields)


class WebhookLedger:
    """The webhooks this test caused, oldest first; every call settles first, so a webhook
    fired by something that already returned is always there."""

    def __init__(self, handle: SandboxHandle) -> None:
        self.handle = handle

    def all(self, **filters: Any) -> list[Delivery]:
        """Filters: message_uuid, kind (status, inbound, report), event, state."""
        self.handle.settle()
        found = self.handle.client.webhooks(limit=1000, **self.handle._filters(filters))
        return list(reversed(found))

    def __iter__(self) -> Iterator[Delivery]:
        return iter(self.all())

    def __len__(self) -> int:
        return len(self.all())

    def events(self, message_uuid: str) -> list[str]:
        """The status webhooks' events for one message, in order: ["submitted", ...]."""
        return [d.event for d in self.all(message_uuid=message_uuid, kind="status")]

    def assert_delivered(
        self,
        event: str | None = None,
        *,
        kind: str | None = None,
        message_uuid: str | None = None,
        count: int | None = None,
        url: str | None = None,
    ) -> list[Delivery]:
        """Assert webhooks matching these reached their receiver (2xx); return them. The
        failure message lists every webhook the test caused."""
        everything = self.all()
        matching = _matching(everything, event, kind, message_uuid, url)
        delivered = [d for d in matching if d.state == "delivered"]
        ok = len(delivered) == count if count is not None else bool(delivered)
        if not ok:
            wanted = fmt_filters(
                {"event": event, "kind": kind, "message_uuid": message_uuid, "url": url}
            )
            n = f"exactly {count}" if count is not None else "at least one"
            raise AssertionError(
                f"expected {n} delivered webhook(s) matching {wanted}; "
                f"{len(delivered)} delivered, {len(matching)} matching in any state.\n"
                + _deliveries(everything)
            )
        return delivered

    def assert_none(
        self, event: str | None = None, *, kind: str | None = None, message_uuid: str | None = None
    ) -> None:
        everything = self.all()
        matching = _matching(everything, event, kind, message_uuid)
        if matching:
            wanted = fmt_filters({"event": event, "kind": kind, "message_uuid": message_uuid})
            raise AssertionError(
                f"expected no webhook matching {wanted}; found {len(matching)}.\n"
                + _deliveries(everything)
            )


def fmt_filters(filters: Mapping[str, Any]) -> str:
    shown = {k: v for k, v in filters.items() if v is not None}
    return ", ".join(f"{k}={v!r}" for k, v in shown.items()) or "(anything)"


def _deliveries(items: list[Delivery]) -> str:
    if not items:
        return "No webhook was recorded during this test."
    lines = "\n".join(f"  - {d.describe()}" for d in items[-30:])
    return f"Webhooks recorded during this test ({len(items)}, oldest first):\n{lines}"


def _matching(
    deliveries: list[Delivery],
    event: str | None,
    kind: str | None,
    message_uuid: str | None,
    url: str | None = None,
) -> list[Delivery]:
    return [
        d
        for d in deliveries
        if (event is None or d.event == event)
        and (kind is None or d.kind == kind)
        and (message_uuid is None or d.message_uuid == message_uuid)
        and (url is None or url in (d.url or ""))
    ]
