"""Query parameters, read one way everywhere: the control API (where a bad value is refused,
naming it and what it must be) and the inbox pages (where a bad value falls back to the default,
so a page never fails on a hand-edited URL). Page sizes are capped by the caller."""

from __future__ import annotations

from collections.abc import Mapping

from sandbox.core.errors import BadControlRequest
from sandbox.core.ledger import DeliveryFilter
from sandbox.core.store import MessageFilter

Query = Mapping[str, str]
MAX_PAGE = 1000  # the most rows one listing answers


def int_param(
    query: Query, name: str, default: int, hi: int, *, lo: int = 0, strict: bool = True
) -> int:
    """A whole number from ``lo`` up, capped at ``hi``; missing or empty: ``default``."""
    raw = query.get(name, "")
    if raw == "":
        return default
    if raw.isascii() and raw.isdigit():  # `²` is a digit to isdigit()
        digits = raw.lstrip("0") or "0"
        # More digits than the cap has is above the cap: never int() thousands of digits
        # (Python refuses a string of more than 4,300).
        value = hi if len(digits) > len(str(hi)) else min(int(digits), hi)
        if value >= lo:
            return value
    if strict:
        reason = f"must be a whole number >= {lo}"
        raise BadControlRequest(f"{name} {reason}, not {_shown(raw)}.", invalid=[(name, reason)])
    return default


def _shown(raw: str) -> str:
    """A bad value as an answer quotes it: in full when short, else its start."""
    return repr(raw) if len(raw) <= 40 else f"{raw[:40]!r}..."


def number_param(query: Query, name: str, default: float, lo: float, hi: float) -> float:
    """A number in [lo, hi] (a 422 otherwise, NaN included); missing or empty: ``default``."""
    raw = query.get(name, "")
    if raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not lo <= value <= hi:  # also refuses nan
        raise BadControlRequest(
            f"{name} must be a number from {lo:g} to {hi:g}, not {_shown(raw)}.",
            invalid=[(name, f"must be a number from {lo:g} to {hi:g}")],
        )
    return value


def str_param(query: Query, name: str) -> str | None:
    """A filter value; missing or blank: None (no filter)."""
    value = query.get(name, "").strip()
    return value or None


MESSAGE_FILTERS = (
    "channel",
    "to",
    "from",
    "status",
    "direction",
    "application_id",
    "client_ref",
    "peer",
    "q",
)
DELIVERY_FILTERS = ("message_uuid", "dispatch_uuid", "kind", "state", "event", "application_id")
PAGING = ("limit", "offset")


def only(query: Query, allowed: tuple[str, ...]) -> None:
    """A parameter the call does not take is a 422, not a filter silently ignored: a
    misspelt `chanel=sms` would otherwise answer every channel's messages."""
    unknown = [name for name in dict.fromkeys(query.keys()) if name not in allowed]
    if unknown:
        raise BadControlRequest(
            f"Unknown query parameter{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}.",
            invalid=[
                (n, f"is not a parameter of this call ({', '.join(allowed)})") for n in unknown
            ],
        )


def message_filter(query: Query) -> MessageFilter:
    """`channel`, `to`, `from`, `status`, `direction`, `application_id`, `client_ref`, `peer`
    and `q` (text), as `GET /_sandbox/messages` and `/_sandbox/wait` take them."""
    return MessageFilter(
        channel=str_param(query, "channel"),
        to=str_param(query, "to"),
        from_=str_param(query, "from"),
        status=str_param(query, "status"),
        direction=str_param(query, "direction"),
        application_id=str_param(query, "application_id"),
        client_ref=str_param(query, "client_ref"),
        peer=str_param(query, "peer"),
        text=str_param(query, "q"),
    )


def delivery_filter(query: Query) -> DeliveryFilter:
    return DeliveryFilter(
        message_uuid=str_param(query, "message_uuid"),
        dispatch_uuid=str_param(query, "dispatch_uuid"),
        kind=str_param(query, "kind"),
        state=str_param(query, "state"),
        event=str_param(query, "event"),
        application_id=str_param(query, "application_id"),
    )


def pages(total: int, limit: int, offset: int) -> dict[str, int | None]:
    """Offsets of the neighbouring pages (None where there is none)."""
    return {
        "prev": max(0, offset - limit) if offset > 0 else None,
        "next": offset + limit if offset + limit < total else None,
        "first": offset + 1 if total else 0,
        "last": min(total, offset + limit),
        "total": total,
    }
