"""MMS: US numbers or short codes; media by URL; no `read`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fake_channels.base import SHORT_CODE, Channel, Issue, check_media


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
    from_patterns=(SHORT_CODE,),
)
