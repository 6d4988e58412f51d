"""SMS: text only, numbers both ends (or an alphanumeric sender id / short code), no `read`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.core.channel import NETWORK_CODE, Channel
from sandbox.core.checks import (
    ALPHANUMERIC_SENDER,
    SHORT_CODE,
    Issue,
    check_enum,
    check_string,
)
from sandbox.core.models import Message, StatusChange


def _sms_options(block: Mapping[str, Any], name: str, issues: list[Issue]) -> None:
    check_enum(
        issues,
        block.get("encoding_type"),
        f"{name}.encoding_type",
        ("text", "unicode", "auto"),
        code=1110,
    )
    for key in ("content_id", "entity_id"):
        if key in block:
            check_string(issues, block.get(key), f"{name}.{key}", code=1110, min_len=0, max_len=100)


def _message(body: Mapping[str, Any], issues: list[Issue]) -> None:
    if "trusted_recipient" in body and not isinstance(body.get("trusted_recipient"), bool):
        issues.append(Issue(1150, "trusted_recipient", "must be true or false."))
    if "pool_id" in body:  # a number pool to send from; `from` is still required
        check_string(issues, body.get("pool_id"), "pool_id", max_len=100)


INBOUND_PRICE = "0.0057"  # what receiving one inbound SMS costs, EUR


def _encoding(message: Message) -> str:
    block = (message.options or {}).get("sms")
    value = block.get("encoding_type") if isinstance(block, Mapping) else None
    return value if isinstance(value, str) else "auto"


def encoding_details(text: str, encoding: str = "auto") -> dict[str, Any]:
    """How a text goes out: GSM-7 or UCS-2, in how many parts, and when `auto` turned it UCS-2,
    the characters that did it (one emoji or curly quote doubles the cost of a long text)."""
    ucs2 = encoding == "unicode" or not GSM7.issuperset(text)
    out: dict[str, Any] = {
        "encoding": "UCS-2" if ucs2 else "GSM-7",
        "parts": segment_count(text, encoding),
        "characters": len(text),
    }
    if ucs2 and encoding != "unicode":
        out["ucs2_because"] = sorted({ch for ch in text if ch not in GSM7})[:10]
    return out


def _parts(content: Mapping[str, Any], options: Any) -> int:
    """SMS is charged per part: a 161-character GSM-7 text costs two messages."""
    text = content.get("text")
    block = options.get("sms") if isinstance(options, Mapping) else None
    encoding = block.get("encoding_type") if isinstance(block, Mapping) else None
    return segment_count(text if isinstance(text, str) else "", encoding or "auto")


def _details(message: Message) -> dict[str, Any]:
    if message.direction != "outbound":
        return {}
    return encoding_details(message.text or "", _encoding(message))


def _status_extras(message: Message, change: StatusChange) -> dict[str, Any]:
    return {
        "destination": {"network_code": NETWORK_CODE},
        "sms": {"count_total": str(segment_count(message.text or "", _encoding(message)))},
    }


def _inbound_extras(message: Message, self_base: str) -> dict[str, Any]:
    text = message.text or ""
    words = text.split()
    extra = message.extra or {}
    return {
        "sms": {
            "num_messages": str(segment_count(text)),
            "keyword": words[0].upper() if words else "",
        },
        "usage": {"currency": "EUR", "price": INBOUND_PRICE},
        "origin": extra.get("origin", {"network_code": NETWORK_CODE}),
    }


def _inbound_extras_v01(message: Message) -> tuple[dict[str, Any], dict[str, Any]]:
    return (
        {"sms": {"num_messages": str(segment_count(message.text or ""))}},
        {"usage": {"currency": "EUR", "price": INBOUND_PRICE}},
    )


SMS = Channel(
    name="sms",
    v01_name="sms",
    label="SMS",
    to_kind="number",
    from_kind="number",
    outbound_types=("text",),
    inbound_types=("text",),
    v01_outbound_types=("text",),
    v01_inbound_types=("text",),
    missing_code=1250,
    default_ttl=72 * 3600.0,  # "By default Vonage attempts delivery for 72 hours"
    has_read=False,
    text_limit=1000,
    price="0.0333",
    option_block="sms",
    options_check=_sms_options,
    from_patterns=(ALPHANUMERIC_SENDER, SHORT_CODE),
    message_fields=("trusted_recipient", "pool_id"),
    message_check=_message,
    status_extras=_status_extras,
    inbound_extras=_inbound_extras,
    inbound_fields=("origin",),
    details=_details,
    parts=_parts,
    inbound_extras_v01=_inbound_extras_v01,
)

GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€\x0c"
)


# Characters of the GSM-7 extension table: each takes two septets.
GSM7_EXTENDED = "^{}\\[~]|€\x0c"  # \x0c: form feed (page break)


def segment_count(text: str, encoding: str = "auto") -> int:
    """How many SMS parts a text takes (GSM-7: 160 septets alone, 153 per part; otherwise
    UCS-2: 70 units alone, 67 per part). A character of two units (a GSM-7 extension character,
    a UCS-2 surrogate pair) is never split across two parts.

    ``encoding``: the request's `sms.encoding_type`; `unicode` sends UCS-2 whatever the text.
    Reported as `sms.count_total` in status webhooks and `num_messages` inbound.
    """
    if encoding != "unicode" and GSM7.issuperset(text):
        units = [2 if ch in GSM7_EXTENDED else 1 for ch in text]
        single, multi = 160, 153
    else:
        units = [len(ch.encode("utf-16-le")) // 2 for ch in text]
        single, multi = 70, 67
    if sum(units) <= single:
        return 1
    parts, used = 1, 0
    for n in units:
        if used + n > multi:
            parts, used = parts + 1, 0
        used += n
    return parts
