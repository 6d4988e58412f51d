"""MMS: US numbers or short codes; media by URL; no `read`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.core.channel import NETWORK_CODE, Channel
from sandbox.core.checks import E164, SHORT_CODE, Issue, check_media
from sandbox.core.models import Message, StatusChange


def _content(channel: Channel, body: Mapping[str, Any], issues: list[Issue]) -> None:
    items = body.get("content")
    if not isinstance(items, list) or not items:
        issues.append(Issue(1150, "content", "must be a non-empty array."))
        return
    for i, item in enumerate(items):
        name = f"content[{i}]"
        if not isinstance(item, Mapping):
            issues.append(Issue(1150, name, "must be an object."))
            continue
        kind = item.get("type")
        if kind not in ("image", "audio", "video", "vcard", "file"):
            issues.append(
                Issue(1150, f"{name}.type", "must be one of: image, audio, video, vcard, file.")
            )
        check_media(issues, item, name)


def _options(block: Mapping[str, Any], name: str, issues: list[Issue]) -> None:
    participants = block.get("participants")
    if participants is None:
        return
    if not isinstance(participants, list) or not participants:
        issues.append(Issue(1110, f"{name}.participants", "must be a non-empty array of numbers."))
        return
    for i, number in enumerate(participants):
        if not isinstance(number, str) or not E164.match(number):
            issues.append(
                Issue(1110, f"{name}.participants[{i}]", "must be a number in E.164 format.")
            )


def _status_extras(message: Message, change: StatusChange) -> dict[str, Any]:
    return {"destination": {"network_code": NETWORK_CODE}}


def _inbound_extras(message: Message, self_base: str) -> dict[str, Any]:
    extra = message.extra or {}
    return {"origin": extra.get("origin", {"network_code": NETWORK_CODE})}


MMS = Channel(
    name="mms",
    v01_name="mms",
    label="MMS",
    to_kind="number",
    from_kind="number",
    outbound_types=("text", "image", "vcard", "audio", "video", "file", "content"),
    inbound_types=("text", "image", "vcard", "audio", "video", "file"),
    v01_outbound_types=("text", "image", "vcard", "audio", "video", "file"),
    has_read=False,
    text_limit=5000,
    price="0.0400",
    ttl_range=(300, 259200),
    content_checks={"content": _content},
    option_block="mms",  # group MMS: `mms.participants`
    options_check=_options,
    from_patterns=(SHORT_CODE,),
    status_extras=_status_extras,
    inbound_extras=_inbound_extras,
    inbound_fields=("origin",),
)
