"""Reading a chaos rule as a user writes it (control API, `--chaos` file, fixture marker), with
every mistake named, into :class:`~sandbox.core.chaos.Rule`.

    {"effect": "duplicate", "scope": {"application_id": "..."}, "probability": 0.5,
     "events": ["delivered"], "after": 30}
    {"effect": "reject", "scope": {"number": "447700900001"}, "error_code": 1250, "times": 1}
    {"effect": "delay", "scope": {"channel": "sms"}, "delay": {"uniform": [60, 10800]}}
    {"effect": "receiver_down", "minutes": 10}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.core.channel import Registry
from sandbox.core.chaos import EFFECTS, SCOPE_KINDS, Delay, Rule, Scope, digits
from sandbox.core.config import MAX_DELAY
from sandbox.core.error_codes import ASYNC_ERRORS
from sandbox.core.errors import BadControlRequest

COMMON = ("effect", "scope", "probability", "times", "seed", "name")
WEBHOOK_FILTERS = ("events", "kinds")
# The parameters each effect takes, besides COMMON.
PARAMS: dict[str, tuple[str, ...]] = {
    "throttle": ("retry_after",),
    "server_error": ("status", "accepted"),
    "slow": ("seconds",),
    "reject": ("error_code", "after"),
    "undeliverable": ("error_code", "after"),
    "delay": ("delay", *WEBHOOK_FILTERS),
    "drop": WEBHOOK_FILTERS,
    "duplicate": ("after", *WEBHOOK_FILTERS),
    "reorder": ("hold", *WEBHOOK_FILTERS),
    "receiver_down": ("minutes", "kinds"),
}
SERVER_ERRORS = (500, 502, 503, 504)
SLOW_MAX = 30.0  # real seconds: longer would trip the app's own HTTP timeout, not test it
KINDS = ("status", "inbound", "report")
Problems = list[tuple[str, str]]


def _number(
    body: Mapping[str, Any],
    name: str,
    problems: Problems,
    *,
    low: float,
    high: float,
    integer: bool = False,
    unit: str = "",
) -> Any:
    value = body[name]
    ok = isinstance(value, int | float) and not isinstance(value, bool) and low <= value <= high
    if ok and integer and value != int(value):
        ok = False
    if not ok:
        kind = "a whole number" if integer else "a number"
        problems.append((name, f"must be {kind}{unit} from {low:g} to {high:g}."))
        return None
    return int(value) if integer else float(value)


def _scope(value: Any, problems: Problems) -> Scope:
    if value is None or value == {}:
        return Scope()
    if not isinstance(value, Mapping) or len(value) != 1:
        problems.append(
            ("scope", "must be {} (the whole sandbox) or one of: " + ", ".join(SCOPE_KINDS) + ".")
        )
        return Scope()
    ((kind, target),) = value.items()
    if kind not in SCOPE_KINDS:
        problems.append((f"scope.{kind}", "is not a scope: " + ", ".join(SCOPE_KINDS) + "."))
        return Scope()
    if not isinstance(target, str) or not target:
        problems.append((f"scope.{kind}", "must be a non-empty string."))
        return Scope()
    return Scope(kind, digits(target) if kind == "number" else target)


def _delay(value: Any, problems: Problems) -> Delay | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= MAX_DELAY:
        return Delay("fixed", float(value))
    if isinstance(value, Mapping) and len(value) == 1:
        ((kind, spec),) = value.items()
        if kind == "uniform" and isinstance(spec, list) and len(spec) == 2:
            a, b = spec
            numbers = all(isinstance(x, int | float) and not isinstance(x, bool) for x in (a, b))
            if numbers and 0 <= a <= b <= MAX_DELAY:
                return Delay("uniform", float(a), float(b))
        number = isinstance(spec, int | float) and not isinstance(spec, bool)
        if kind == "exponential" and number and 0 < spec <= MAX_DELAY:
            return Delay("exponential", float(spec))
    problems.append(
        (
            "delay",
            'must be virtual seconds (a number), {"uniform": [low, high]} or '
            '{"exponential": mean}, within 0 and ' + f"{MAX_DELAY:.0f}.",
        )
    )
    return None


def _names(value: Any, name: str, allowed: tuple[str, ...] | None, problems: Problems) -> Any:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        problems.append((name, "must be a non-empty array of strings."))
        return None
    if allowed is not None and (bad := [v for v in value if v not in allowed]):
        problems.append((name, f"{', '.join(bad)}: not one of {', '.join(allowed)}."))
        return None
    return frozenset(value)


def parse_rule(body: Any, channels: Registry) -> Rule:
    if not isinstance(body, Mapping):
        raise BadControlRequest(
            "A chaos rule is a JSON object.", invalid=[("rule", "must be an object.")]
        )
    problems: Problems = []
    effect = body.get("effect")
    if effect not in EFFECTS:
        problems.append(("effect", "must be one of: " + ", ".join(EFFECTS) + "."))
        raise BadControlRequest("Invalid chaos rule.", invalid=problems)
    known = (*COMMON, *PARAMS[effect])
    problems.extend(
        (key, f"is not a field of a {effect} rule (it takes {', '.join(known)}).")
        for key in body
        if key not in known
    )
    scope = _scope(body.get("scope"), problems)
    if scope.kind == "channel" and channels.get(scope.value) is None:
        problems.append(("scope.channel", "is not a channel: " + ", ".join(channels.names())))
    rule = Rule(effect, scope)
    if "probability" in body:
        rule.probability = _number(body, "probability", problems, low=0, high=1) or 0.0
    if body.get("times") is not None:
        rule.times = _number(body, "times", problems, low=1, high=10**9, integer=True)
    if body.get("seed") is not None:
        rule.seed = _number(body, "seed", problems, low=-(2**63), high=2**63, integer=True)
    if body.get("name") is not None:
        if isinstance(body["name"], str) and len(body["name"]) <= 100:
            rule.name = body["name"]
        else:
            problems.append(("name", "must be a string of at most 100 characters."))
    rule.params = _params(effect, body, problems)
    if problems:
        raise BadControlRequest("Invalid chaos rule.", invalid=problems)
    return rule


def _params(effect: str, body: Mapping[str, Any], problems: Problems) -> dict[str, Any]:
    params: dict[str, Any] = {}
    given = [k for k in PARAMS[effect] if k in body and body[k] is not None]
    for key in given:
        if key == "retry_after":
            params[key] = _number(body, key, problems, low=1, high=3600, integer=True, unit=" s")
        elif key == "status":
            if body[key] not in SERVER_ERRORS:
                problems.append((key, "must be one of " + ", ".join(map(str, SERVER_ERRORS))))
            params[key] = body[key]
        elif key == "accepted":
            if not isinstance(body[key], bool):
                problems.append((key, "must be true or false."))
            params[key] = body[key]
        elif key == "seconds":
            params[key] = _number(body, key, problems, low=0, high=SLOW_MAX, unit=" (real s)")
        elif key == "error_code":
            if body[key] not in ASYNC_ERRORS or isinstance(body[key], bool):
                problems.append((key, "must be a code from the asynchronous error list."))
            params[key] = body[key]
        elif key in ("after", "hold"):
            params[key] = _number(body, key, problems, low=0, high=MAX_DELAY, unit=" (virtual s)")
        elif key == "minutes":
            params[key] = _number(body, key, problems, low=0, high=MAX_DELAY / 60)
        elif key == "delay":
            params[key] = _delay(body[key], problems)
        elif key == "events":
            params[key] = _names(body[key], key, None, problems)
        elif key == "kinds":
            params[key] = _names(body[key], key, KINDS, problems)
    if effect == "delay" and "delay" not in params:
        problems.append(("delay", "is required: how long the webhook is held."))
    if effect == "receiver_down" and "minutes" not in params:
        problems.append(("minutes", "is required: how many virtual minutes the receiver is down."))
    return params


def parse_rules(value: Any, channels: Registry, at: str = "rules") -> list[Rule]:
    if not isinstance(value, list):
        raise BadControlRequest(
            "Chaos rules come as an array.", invalid=[(at, "must be an array of rules.")]
        )
    out = []
    for i, body in enumerate(value):
        try:
            out.append(parse_rule(body, channels))
        except BadControlRequest as exc:
            invalid = [(f"{at}[{i}].{name}", reason) for name, reason in exc.invalid]
            raise BadControlRequest(f"Invalid chaos rule {at}[{i}].", invalid=invalid) from None
    return out


def parse_seed(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > 2**63:
        raise BadControlRequest(
            "The chaos seed is a whole number.", invalid=[("seed", "must be a whole number.")]
        )
    return value
