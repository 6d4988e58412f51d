"""Faults on purpose: seeded, scoped chaos rules, and the log of what they did.

A rule says what goes wrong (its `effect`), for whom (its `Scope`: an application, an API key,
a number, a channel, or the whole sandbox) and how often (`probability`, at most `times`).
Other modules act on rules (the send gate in `core/faults.py`, the webhook faults in
`webhooks/faults.py`); this one only decides and remembers.

Determinism: every rule draws from its own `random.Random`, seeded from the sandbox's seed (or
the rule's own) and the rule's content, never from its id or from other rules. So two tests
that run side by side on one shared server, each with rules scoped to its own application, each
see the same outcomes as when run alone, and the same seed repeats a run exactly.

Pure: standard library only, time from the `Clock`.
"""

from __future__ import annotations

import json
import random
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from sandbox.core.clock import Clock, iso
from sandbox.core.models import Message

Effect = Literal[
    "throttle",  # the send is answered 429, with Retry-After
    "server_error",  # ... answered 5xx
    "slow",  # ... answered late (real seconds: the app's HTTP client waits)
    "reject",  # accepted, then `rejected` with an error code
    "undeliverable",  # accepted, then `undeliverable` with an error code
    "delay",  # a webhook goes out late (virtual seconds)
    "drop",  # a webhook is never sent
    "duplicate",  # a webhook is delivered twice
    "reorder",  # a webhook waits for the next one of its message, which goes first
    "receiver_down",  # every attempt fails as if the receiver were down, for N virtual minutes
]
SEND_EFFECTS: tuple[Effect, ...] = ("throttle", "server_error", "slow")
FATE_EFFECTS: tuple[Effect, ...] = ("reject", "undeliverable")
WEBHOOK_EFFECTS: tuple[Effect, ...] = ("delay", "drop", "duplicate", "reorder", "receiver_down")
EFFECTS: tuple[Effect, ...] = (*SEND_EFFECTS, *FATE_EFFECTS, *WEBHOOK_EFFECTS)

ScopeKind = Literal["sandbox", "application_id", "api_key", "number", "channel"]
SCOPE_KINDS: tuple[ScopeKind, ...] = ("application_id", "api_key", "number", "channel")
EFFECTS_KEPT = 1000  # the log of effects is for looking at, not for keeping forever


def digits(address: str) -> str:
    """A number as Vonage compares it: `+44 7700 900001` and `447700900001` are one."""
    stripped = "".join(ch for ch in address if ch not in "+ -()")
    return stripped if stripped.isdigit() else address.lower()


@dataclass(frozen=True, slots=True)
class Target:
    """What a rule is asked about: one send, one message or one webhook."""

    application_id: str | None = None
    api_key: str | None = None
    numbers: tuple[str, ...] = ()  # both ends of a message, as `digits` gives them
    channel: str | None = None
    kind: str | None = None  # a webhook's kind: status, inbound, report
    event: str | None = None  # a webhook's event: submitted, delivered ..., inbound


@dataclass(frozen=True, slots=True)
class Scope:
    kind: ScopeKind = "sandbox"
    value: str = ""

    def matches(self, t: Target) -> bool:
        if self.kind == "sandbox":
            return True
        if self.kind == "application_id":
            return t.application_id == self.value
        if self.kind == "api_key":
            return t.api_key == self.value
        if self.kind == "number":
            return self.value in t.numbers
        return t.channel == self.value

    def to_dict(self) -> dict[str, str]:
        return {} if self.kind == "sandbox" else {self.kind: self.value}


@dataclass(frozen=True, slots=True)
class Delay:
    """Virtual seconds: fixed, uniform between two bounds, or exponential around a mean."""

    kind: Literal["fixed", "uniform", "exponential"] = "fixed"
    a: float = 0.0
    b: float = 0.0

    def draw(self, rng: random.Random) -> float:
        if self.kind == "uniform":
            return rng.uniform(self.a, self.b)
        if self.kind == "exponential":
            return rng.expovariate(1.0 / self.a) if self.a > 0 else 0.0
        return self.a

    def to_json(self) -> Any:
        if self.kind == "uniform":
            return {"uniform": [self.a, self.b]}
        if self.kind == "exponential":
            return {"exponential": self.a}
        return self.a


@dataclass(slots=True)
class Rule:
    effect: Effect
    scope: Scope = field(default_factory=Scope)
    probability: float = 1.0
    times: int | None = None
    seed: int | None = None  # None: the sandbox's seed
    name: str | None = None
    # Effect parameters, already checked (control/chaos.py): retry_after, status, seconds,
    # error_code, after, delay, events, kinds, hold, minutes, accepted.
    params: dict[str, Any] = field(default_factory=dict)
    id: str = ""
    created_at: float = 0.0
    until: float | None = None  # receiver_down: the virtual time the receiver is back
    hits: int = 0
    seq: int = 0  # the order it was added in
    rng: random.Random = field(default_factory=random.Random, repr=False)

    @property
    def spent(self) -> bool:
        return self.times is not None and self.hits >= self.times

    def applies(self, t: Target, now: float) -> bool:
        """Whether this rule concerns ``t`` now: in scope, not spent, not over, the webhook
        filters pass. No random draw here (see ChaosBook.pick)."""
        if self.spent or not self.scope.matches(t):
            return False
        if self.until is not None and now >= self.until:
            return False
        kinds = self.params.get("kinds")
        if kinds and t.kind not in kinds:
            return False
        events = self.params.get("events")
        return not (events and t.event not in events)

    def seed_text(self, sandbox_seed: int) -> str:
        """What the rule's random stream starts from: its seed and its content, never its id
        (ids depend on what other tests created before it), nor the application it is scoped
        to: a test's application is new on every run, and on a shared server the same marker
        seed must still repeat the same draws."""
        scope = self.scope.to_dict()
        if self.scope.kind == "application_id":
            scope = {"application_id": "*"}
        content = {"e": self.effect, "s": scope, "p": self.probability}
        content["params"] = {k: _plain(v) for k, v in sorted(self.params.items())}
        seed = self.seed if self.seed is not None else sandbox_seed
        return f"{seed}:{json.dumps(content, sort_keys=True)}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "effect": self.effect,
            "scope": self.scope.to_dict(),
            "probability": self.probability,
            "times": self.times,
            "seed": self.seed,
            "name": self.name,
            "hits": self.hits,
            "created_at": iso(self.created_at),
        }
        out.update({k: _plain(v) for k, v in self.params.items()})
        if self.until is not None:
            out["until"] = iso(self.until)
        return out

    def describe(self) -> str:
        """The rule in a few words, for histories, the ledger and the UI."""
        p = self.params
        what: str = self.effect
        if self.effect == "throttle":
            what = f"429, Retry-After {p.get('retry_after', 1)}"
        elif self.effect == "server_error":
            what = f"HTTP {p.get('status', 500)}"
        elif self.effect == "slow":
            what = f"answer {p.get('seconds', 1)} s late"
        elif self.effect in FATE_EFFECTS:
            what = f"{self.effect} {p.get('error_code')}"
        elif self.effect == "receiver_down":
            what = f"receiver down {p.get('minutes')} min"
        label = f" ({self.name})" if self.name else ""
        return f"{self.id}{label}: {what}"


def _plain(value: Any) -> Any:
    if isinstance(value, Delay):
        return value.to_json()
    if isinstance(value, tuple | frozenset):
        return sorted(value) if isinstance(value, frozenset) else list(value)
    return value


@dataclass(frozen=True, slots=True)
class Effected:
    """One thing a rule did, for the log (`GET /_sandbox/chaos`)."""

    at: float
    rule: str
    effect: str
    detail: str
    application_id: str | None = None
    message_uuid: str | None = None
    delivery: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": iso(self.at),
            "rule": self.rule,
            "effect": self.effect,
            "detail": self.detail,
            "application_id": self.application_id,
            "message_uuid": self.message_uuid,
            "delivery": self.delivery,
        }


class ChaosBook:
    """The rules in force, in the order they were added, and what they did."""

    def __init__(self, clock: Clock, seed: int = 0) -> None:
        self.clock = clock
        self.seed = seed
        self._rules: dict[str, Rule] = {}
        # The same rules by effect, in the order added: a send asks only the gateway's.
        self._by_effect: dict[str, list[Rule]] = {}
        self._seq = 0
        self.effects: deque[Effected] = deque(maxlen=EFFECTS_KEPT)

    @property
    def active(self) -> bool:
        """Any rule at all: with none, every hook costs this one test."""
        return bool(self._rules)

    def __iter__(self) -> Iterator[Rule]:
        return iter(self._rules.values())

    def get(self, rule_id: str) -> Rule | None:
        return self._rules.get(rule_id)

    def add(self, rule: Rule) -> Rule:
        self._seq += 1
        rule.id = f"chaos_{self._seq:04d}"
        rule.seq = self._seq
        rule.created_at = self.clock.now()
        rule.rng = random.Random(rule.seed_text(self.seed))
        minutes = rule.params.get("minutes")
        if rule.effect == "receiver_down" and minutes is not None:
            rule.until = rule.created_at + float(minutes) * 60.0
        self._rules[rule.id] = rule
        self._by_effect.setdefault(rule.effect, []).append(rule)
        return rule

    def remove(self, rule_id: str) -> bool:
        rule = self._rules.pop(rule_id, None)
        if rule is None:
            return False
        self._by_effect[rule.effect].remove(rule)
        return True

    def clear(self, application_id: str | None = None) -> int:
        """Drop every rule, or those scoped to one application (its reset)."""
        if application_id is None:
            dropped = len(self._rules)
            self._rules.clear()
            self._by_effect.clear()
            self.effects.clear()
            return dropped
        gone = [
            r.id
            for r in self._rules.values()
            if r.scope.kind == "application_id" and r.scope.value == application_id
        ]
        for rule_id in gone:
            self.remove(rule_id)
        return len(gone)

    def set_seed(self, seed: int) -> None:
        """A new seed restarts every rule's random stream from it."""
        self.seed = seed
        for rule in self._rules.values():
            rule.rng = random.Random(rule.seed_text(seed))

    def pick(self, effects: Iterable[Effect], target: Target) -> Rule | None:
        """The first rule of one of ``effects`` that concerns ``target`` and whose draw falls
        within its probability; it counts as a hit. Every rule that concerns the target draws,
        hit or not, so each rule's stream depends only on the events in its own scope."""
        candidates = [r for e in effects for r in self._by_effect.get(e, ())]
        if not candidates:
            return None
        if len(candidates) > 1:
            candidates.sort(key=lambda r: r.seq)  # the order they were added, across effects
        now = self.clock.now()
        chosen: Rule | None = None
        for rule in candidates:
            if not rule.applies(target, now):
                continue
            fires = rule.probability >= 1.0 or rule.rng.random() < rule.probability
            if fires and chosen is None:
                chosen = rule
        if chosen is not None:
            chosen.hits += 1
        return chosen

    def record(
        self,
        rule: Rule,
        detail: str,
        *,
        application_id: str | None = None,
        message_uuid: str | None = None,
        delivery: str | None = None,
        message: Message | None = None,
    ) -> Effected:
        """Log what ``rule`` did; on ``message`` too (its `extra.chaos`, shown with it), so a
        message's page says every fault that touched it and which rule caused it."""
        if message is not None:
            message_uuid = message.uuid
            application_id = application_id or message.application_id
        done = Effected(
            self.clock.now(),
            rule.id,
            rule.effect,
            detail,
            application_id,
            message_uuid,
            delivery,
        )
        self.effects.append(done)
        if message is not None:
            note = {"at": iso(done.at), "rule": rule.describe(), "effect": rule.effect}
            note["detail"] = detail
            if delivery is not None:
                note["delivery"] = delivery
            extra = dict(message.extra or {})
            extra["chaos"] = [*extra.get("chaos", ()), note]
            message.extra = extra
        return done

    def listing(self, application_id: str | None = None) -> dict[str, Any]:
        """`GET /_sandbox/chaos`: every rule and recent effect, or one application's."""
        rules = [
            r
            for r in self._rules.values()
            if application_id is None
            or r.scope.kind != "application_id"
            or r.scope.value == application_id
        ]
        effects = [
            e for e in self.effects if application_id is None or e.application_id == application_id
        ]
        return {
            "seed": self.seed,
            "rules": [r.to_dict() for r in rules],
            "effects": [e.to_dict() for e in effects],
        }
