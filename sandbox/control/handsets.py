"""Reading a handset profile as a user writes it (control API, `--handsets` file, fixture),
with every mistake named, into :class:`~sandbox.core.handsets.Handset`.

    {"label": "Ada, no WhatsApp",
     "channels": {"whatsapp": false, "sms": {"deliver_after": 2}, "*": {"deliver_after": 5}},
     "read_after": 10,                      # behaviour fields here apply to every channel
     "offline_until": "2026-12-02T09:00:00Z",
     "persona": [{"match": "^stop$", "reply": "ok, bye"}, {"reply": "{code}", "after": 3}]}
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sandbox.core.channel import Registry
from sandbox.core.config import MAX_DELAY
from sandbox.core.error_codes import ASYNC_ERRORS
from sandbox.core.errors import BadControlRequest
from sandbox.core.handsets import ANY_CHANNEL, Behaviour, Handset, Rule, Source

LATEST = 253402300799.0  # 9999-12-31T23:59:59Z
BEHAVIOUR = ("has", "deliver_after", "read_after", "fail", "error_code", "receipts")
PROFILE = ("label", "channels", "offline_until", "persona", *BEHAVIOUR)
RULE = ("match", "reply", "tap", "read", "after")
Problems = list[tuple[str, str]]


def _seconds(value: Any, name: str, problems: Problems, *, none: bool = True) -> float | None:
    if value is None and none:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= MAX_DELAY:
        problems.append((name, f"must be a number of virtual seconds from 0 to {MAX_DELAY:.0f}."))
        return None
    return float(value)


def _flag(value: Any, name: str, problems: Problems, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        problems.append((name, "must be true or false."))
        return default
    return value


def _unknown(obj: Mapping[str, Any], known: tuple[str, ...], at: str, problems: Problems) -> None:
    problems.extend(
        (f"{at}{key}", f"is not a field here (it takes {', '.join(known)}).")
        for key in obj
        if key not in known
    )


def _behaviour(value: Any, at: str, problems: Problems) -> Behaviour:
    if isinstance(value, bool):  # shorthand: the handset has the channel, or not
        return Behaviour(has=value)
    if not isinstance(value, Mapping):
        problems.append((at, "must be true, false or an object of behaviour fields."))
        return Behaviour()
    _unknown(value, BEHAVIOUR, f"{at}.", problems)
    fail = value.get("fail")
    if fail not in (None, "rejected", "undeliverable"):
        problems.append((f"{at}.fail", "must be rejected, undeliverable or null."))
        fail = None
    code = value.get("error_code")
    if code is not None and (isinstance(code, bool) or code not in ASYNC_ERRORS):
        problems.append((f"{at}.error_code", "must be a code from the asynchronous error list."))
        code = None
    return Behaviour(
        has=_flag(value.get("has"), f"{at}.has", problems, True),
        deliver_after=_seconds(value.get("deliver_after"), f"{at}.deliver_after", problems),
        read_after=_seconds(value.get("read_after"), f"{at}.read_after", problems),
        fail=fail,
        error_code=code,
        receipts=_flag(value.get("receipts"), f"{at}.receipts", problems, True),
    )


def _rule(value: Any, at: str, problems: Problems) -> Rule | None:
    if not isinstance(value, Mapping):
        problems.append((at, "must be an object (match, reply, tap, read, after)."))
        return None
    _unknown(value, RULE, f"{at}.", problems)
    match, reply, tap = value.get("match"), value.get("reply"), value.get("tap")
    for key, item in (("match", match), ("reply", reply), ("tap", tap)):
        if item is not None and (not isinstance(item, str) or not item):
            problems.append((f"{at}.{key}", "must be a non-empty string."))
    if isinstance(match, str):
        try:
            re.compile(match)
        except re.error as exc:
            problems.append((f"{at}.match", f"is not a regular expression ({exc})."))
    if reply is None and tap is None:
        problems.append((at, "needs a reply (text) or a tap (first, or a suggestion's text)."))
    after = _seconds(value.get("after", 0), f"{at}.after", problems, none=False)
    return Rule(
        match=match if isinstance(match, str) else None,
        reply=reply if isinstance(reply, str) else None,
        tap=tap if isinstance(tap, str) else None,
        read=_flag(value.get("read"), f"{at}.read", problems, False),
        after=after or 0.0,
    )


def _instant(value: Any, problems: Problems) -> float | None:
    """A virtual time: Unix seconds, or an ISO 8601 timestamp."""
    if value is None:
        return None
    when: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            when = float(value)
        except OverflowError:  # an integer too large for a float
            when = None
    elif isinstance(value, datetime):  # a TOML datetime
        when = value.timestamp() if value.tzinfo is not None else None
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            when = parsed.timestamp()
    # Up to the year 9999: a time the sandbox can write back as ISO 8601.
    if when is not None and 0 <= when <= LATEST:
        return when
    problems.append(
        (
            "offline_until",
            "must be Unix seconds or an ISO 8601 time with a zone, before the year 10000.",
        )
    )
    return None


def parse_handset(
    address: str, body: Mapping[str, Any], channels: Registry, source: Source = "api"
) -> Handset:
    """The profile ``body`` describes for ``address``, or `BadControlRequest` naming every
    mistake (a misspelt field is one: it would otherwise change nothing without a word)."""
    problems: Problems = []
    if not address or len(address) > 320:
        problems.append(("address", "must be 1 to 320 characters."))
    _unknown(body, PROFILE, "", problems)
    label = body.get("label")
    if label is not None and not isinstance(label, str):
        problems.append(("label", "must be a string."))
        label = None
    behaviours: dict[str, Behaviour] = {}
    shared = {k: body[k] for k in BEHAVIOUR if k in body}
    if shared:
        behaviours[ANY_CHANNEL] = _behaviour(shared, "profile", problems)
    given = body.get("channels", {})
    if not isinstance(given, Mapping):
        problems.append(("channels", "must be an object: channel name (or *) to behaviour."))
        given = {}
    for name, value in given.items():
        if name != ANY_CHANNEL and channels.get(name) is None:
            problems.append(
                (f"channels.{name}", "is not a channel: " + ", ".join(channels.names()))
            )
            continue
        behaviours[name] = _behaviour(value, f"channels.{name}", problems)
    persona = body.get("persona", [])
    if not isinstance(persona, list):
        problems.append(("persona", "must be an array of rules."))
        persona = []
    rules = [_rule(r, f"persona[{i}]", problems) for i, r in enumerate(persona)]
    offline = _instant(body.get("offline_until"), problems)
    if problems:
        raise BadControlRequest(f"Invalid handset profile for {address}.", invalid=problems)
    return Handset(
        address,
        behaviours,
        offline,
        tuple(r for r in rules if r is not None),
        label,
        source,
    )


def parse_handsets_file(data: Any, channels: Registry) -> list[Handset]:
    """The `--handsets` file: `{"handsets": {address: profile, ...}}` (JSON or TOML)."""
    table = data.get("handsets") if isinstance(data, Mapping) else None
    if not isinstance(table, Mapping):
        raise BadControlRequest(
            "A handsets file holds a table `handsets` of address = profile.",
            invalid=[("handsets", "is missing or not a table.")],
        )
    out = []
    for address, body in table.items():
        if not isinstance(body, Mapping):
            raise BadControlRequest(
                f"The profile of {address} is not a table.",
                invalid=[(f"handsets.{address}", "must be a table of profile fields.")],
            )
        out.append(parse_handset(str(address), body, channels, source="file"))
    return out
