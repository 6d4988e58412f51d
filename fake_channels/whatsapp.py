"""WhatsApp: numbers both ends, templates need a locale, reactions need a context, has `read`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fake_channels.base import (
    URL_MAX,
    Channel,
    Issue,
    as_object,
    check_enum,
    check_string,
)


def _options(block: Mapping[str, Any], name: str, issues: list[Issue]) -> None:
    # `fallback` was withdrawn in 2020; Vonage refuses it.
    check_enum(issues, block.get("policy"), f"{name}.policy", ("deterministic",), code=1110)
    if "locale" in block:
        check_string(issues, block.get("locale"), f"{name}.locale", code=1110, max_len=20)


def _template(channel: Channel, body: Mapping[str, Any], issues: list[Issue]) -> None:
    block = body.get("whatsapp")
    if not isinstance(block, Mapping) or block.get("locale") is None:
        issues.append(Issue(1110, "whatsapp.locale", "is required for template messages."))


def _sticker(channel: Channel, body: Mapping[str, Any], issues: list[Issue]) -> None:
    obj = as_object(issues, body.get("sticker"), "sticker")
    if not obj:
        return
    has_url, has_id = "url" in obj, "id" in obj
    if has_url == has_id:
        issues.append(Issue(1150, "sticker", "must have exactly one of url or id."))
    elif has_url:
        check_string(issues, obj.get("url"), "sticker.url", max_len=URL_MAX)
    else:
        check_string(issues, obj.get("id"), "sticker.id", max_len=200)


def _reaction(channel: Channel, body: Mapping[str, Any], issues: list[Issue]) -> None:
    obj = as_object(issues, body.get("reaction"), "reaction")
    if obj:
        check_enum(
            issues, obj.get("action"), "reaction.action", ("react", "unreact"), required=True
        )
        if obj.get("action") == "react":
            check_string(issues, obj.get("emoji"), "reaction.emoji", max_len=16)
    context = body.get("context")
    if not isinstance(context, Mapping) or not isinstance(context.get("message_uuid"), str):
        issues.append(Issue(1150, "context.message_uuid", "is required for reactions."))


WHATSAPP = Channel(
    name="whatsapp",
    v01_name="whatsapp",
    label="WhatsApp",
    to_kind="number",
    from_kind="number",
    outbound_types=(
        "text",
        "image",
        "audio",
        "video",
        "file",
        "template",
        "sticker",
        "reaction",
        "custom",
    ),
    inbound_types=(
        "text",
        "image",
        "audio",
        "video",
        "file",
        "location",
        "contacts",
        "reply",
        "button",
        "order",
        "sticker",
        "reaction",
        "unsupported",
    ),
    v01_outbound_types=("text", "image", "audio", "video", "file", "template", "custom"),
    has_read=True,
    text_limit=4096,
    price="0.0147",
    option_block="whatsapp",
    options_check=_options,
    content_checks={"template": _template, "sticker": _sticker, "reaction": _reaction},
)
