"""MMS: US numbers or short codes; media by URL; no `read`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.core.channel import NETWORK_CODE, Channel
from sandbox.core.checks import E164, SHORT_CODE, Issue, check_media, check_url
from sandbox.core.models import Message, StatusChange

ATTACHMENT_TYPES = ("image", "audio", "video", "vcard", "file")


def _attachment_list(value: Any, name: str, issues: list[Issue], *, inbound: bool) -> None:
    """A `content` array of `{type, url}` attachments: what an app sends (each may carry a
    caption), or what a user's MMS with several attachments lists in Vonage's inbound webhook
    beside the first one's own object (`type` and `url`, nothing else)."""
    if not isinstance(value, list) or not value:
        issues.append(Issue(1150, name, "must be a non-empty array of {type, url} attachments."))
        return
    for i, item in enumerate(value):
        at = f"{name}[{i}]"
        if not isinstance(item, Mapping):
            issues.append(Issue(1150, at, "must be an object."))
            continue
        if item.get("type") not in ATTACHMENT_TYPES:
            kinds = ", ".join(ATTACHMENT_TYPES)
            issues.append(Issue(1150, f"{at}.type", f"must be one of: {kinds}."))
        if not inbound:
            check_media(issues, item, at)
            continue
        check_url(issues, item.get("url"), f"{at}.url")
        issues.extend(
            Issue(1150, f"{at}.{key}", "is not part of an attachment (type, url).")
            for key in item
            if key not in ("type", "url")
        )


def _content(channel: Channel, body: Mapping[str, Any], issues: list[Issue]) -> None:
    _attachment_list(body.get("content"), "content", issues, inbound=False)


def _attachments(value: Any, name: str, issues: list[Issue]) -> None:
    _attachment_list(value, name, issues, inbound=True)


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
    out: dict[str, Any] = {"origin": extra.get("origin", {"network_code": NETWORK_CODE})}
    if "content" in extra:
        out["content"] = extra["content"]
    return out


MMS = Channel(
    name="mms",
    v01_name="mms",
    label="MMS",
    to_kind="number",
    from_kind="number",
    outbound_types=("text", "image", "vcard", "audio", "video", "file", "content"),
    inbound_types=("text", "image", "vcard", "audio", "video", "file"),
    v01_outbound_types=("text", "image", "vcard", "audio", "video", "file"),
    v01_inbound_types=("text", "image"),  # the 2018 overview's inbound MMS
    missing_code=1310,  # Not suitable device: it takes no MMS
    default_ttl=72 * 3600.0,
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
    inbound_fields=("origin", "content"),
    inbound_field_checks={"content": _attachments},
)
