"""SMS: text only, numbers both ends (or an alphanumeric sender id / short code), no `read`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fake_channels.base import (
    ALPHANUMERIC_SENDER,
    SHORT_CODE,
    Channel,
    Issue,
    check_enum,
    check_string,
)


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
            check_string(issues, block.get(key), f"{name}.{key}", code=1110, max_len=100)


SMS = Channel(
    name="sms",
    v01_name="sms",
    label="SMS",
    to_kind="number",
    from_kind="number",
    outbound_types=("text",),
    inbound_types=("text",),
    v01_outbound_types=("text",),
    has_read=False,
    text_limit=1000,
    price="0.0333",
    option_block="sms",
    options_check=_sms_options,
    from_patterns=(ALPHANUMERIC_SENDER, SHORT_CODE),
)

GSM7 = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€"
)


# Characters of the GSM-7 extension table: each takes two septets.
GSM7_EXTENDED = "^{}\\[~]|€"


def segment_count(text: str) -> int:
    """How many SMS parts a text takes (GSM-7: 160/153; otherwise UCS-2: 70/67).

    Reported as `sms.count_total` in status webhooks and `num_messages` inbound.
    """
    if GSM7.issuperset(text):
        length = len(text) + sum(text.count(ch) for ch in GSM7_EXTENDED)
        single, multi = 160, 153
    else:
        length = len(text.encode("utf-16-le")) // 2
        single, multi = 70, 67
    if length <= single:
        return 1
    return -(-length // multi)
