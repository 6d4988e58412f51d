"""What chaos rules (core/chaos.py) do to sends and to messages' fates.

- At the gateway (`at_send`, called by every send route after authentication and the rate
  limit, before the body's checks): `throttle` answers 429 with Retry-After, `server_error` a
  5xx (with `"accepted": true` the message is kept all the same, as when a real gateway times
  out after the platform took it: the app's retry then sends it twice), `slow` holds the answer.
- After acceptance (`MessageCreated`): `reject` and `undeliverable` move an outbound message to
  that status with the rule's error code, `after` virtual seconds later, `by: chaos`, the rule
  named in its history.

The webhook faults (delay, drop, duplicate, reorder, receiver down) are in webhooks/faults.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.core.chaos import FATE_EFFECTS, SEND_EFFECTS, ChaosBook, Rule, Target, digits
from sandbox.core.engine import Engine
from sandbox.core.error_codes import DEFAULT_ERROR
from sandbox.core.errors import IllegalTransition, RateLimited, SandboxError
from sandbox.core.events import EventBus, MessageCreated
from sandbox.core.models import Message, Sender
from sandbox.core.scheduler import Scheduler

CHAOS_HEADER = "x-sandbox-chaos"  # names the rule on an answer it changed


class ServerFault(SandboxError):
    """A 5xx on purpose, in the body Vonage's spec gives its internal error."""

    def __init__(self, status: int, rule: Rule) -> None:
        super().__init__()
        self.status = status
        self.rule = rule

    def headers(self) -> dict[str, str]:
        return {CHAOS_HEADER: self.rule.describe()}


class ChaosThrottled(RateLimited):
    def __init__(self, retry_after: int, rule: Rule) -> None:
        super().__init__(retry_after)
        self.rule = rule

    def headers(self) -> dict[str, str]:
        return {**super().headers(), CHAOS_HEADER: self.rule.describe()}


@dataclass(frozen=True, slots=True)
class SendFault:
    """A fault that lets the send through: held `seconds`, or answered 5xx after it."""

    rule: Rule
    seconds: float = 0.0
    error: ServerFault | None = None


def message_target(message: Message) -> Target:
    return Target(
        application_id=message.application_id,
        api_key=message.api_key,
        numbers=(digits(message.to), digits(message.from_)),
        channel=message.channel,
    )


class Faults:
    def __init__(
        self, book: ChaosBook, engine: Engine, bus: EventBus, scheduler: Scheduler
    ) -> None:
        self.book = book
        self.engine = engine
        self.scheduler = scheduler
        bus.on(MessageCreated, self._on_created)

    def at_send(
        self, sender: Sender, channel: str | None, numbers: tuple[str, ...]
    ) -> SendFault | None:
        """Raise the gateway's refusal a rule calls for, or return what happens to an accepted
        send (held, or a 5xx after it). Nothing when no rule concerns this sender."""
        if not self.book.active:
            return None
        target = Target(
            application_id=sender.application_id,
            api_key=sender.api_key,
            numbers=tuple(digits(n) for n in numbers),
            channel=channel,
        )
        rule = self.book.pick(SEND_EFFECTS, target)
        if rule is None:
            return None
        p = rule.params
        app = sender.application_id
        if rule.effect == "throttle":
            retry_after = int(p.get("retry_after", 1))
            self.book.record(
                rule, f"send answered 429, Retry-After {retry_after}", application_id=app
            )
            raise ChaosThrottled(retry_after, rule)
        if rule.effect == "server_error":
            status = int(p.get("status", 500))
            fault = ServerFault(status, rule)
            if not p.get("accepted"):
                self.book.record(
                    rule, f"send answered {status}, nothing accepted", application_id=app
                )
                raise fault
            return SendFault(rule, error=fault)  # recorded once accepted (`accepted`)
        return SendFault(rule, seconds=float(p.get("seconds", 1.0)))

    def accepted(self, fault: SendFault, sender: Sender, answer: dict[str, str]) -> None:
        """Record what ``fault`` does to a send that was accepted, on its message."""
        uuid = answer.get("message_uuid")
        message = self.engine.store.get(uuid) if uuid else None
        if fault.error is not None:
            detail = f"send accepted, then answered {fault.error.status}"
        else:
            detail = f"answer held {fault.seconds:g} s"
        self.book.record(fault.rule, detail, application_id=sender.application_id, message=message)

    def _on_created(self, event: MessageCreated) -> None:
        message = event.message
        if message.direction != "outbound" or not self.book.active:
            return
        if message.status != "submitted":
            return  # already refused (a care window): nothing left for a rule to fail
        rule = self.book.pick(FATE_EFFECTS, message_target(message))
        if rule is None:
            return
        status = "rejected" if rule.effect == "reject" else "undeliverable"
        code = int(rule.params.get("error_code") or DEFAULT_ERROR[status])
        due = message.created_at + float(rule.params.get("after", 0.0))
        self.book.record(
            rule, f"will be {status} ({code}) at +{due - message.created_at:g} s", message=message
        )

        def act() -> None:
            if self.engine.store.get(message.uuid) is not message:
                return
            try:
                self.engine.mark(
                    message.uuid, status, error_code=code, by="chaos", cause=rule.describe()
                )
            except IllegalTransition as exc:
                # Someone (a handset, a test) moved it on first: said, not hidden.
                self.book.record(rule, f"not {status}: {exc}", message=message)

        self.scheduler.at(
            due,
            "chaos",
            f"chaos {rule.id} makes {message.uuid[:8]} {status} ({code})",
            act,
            owner=message.application_id,
            ref=message.uuid,
        )
