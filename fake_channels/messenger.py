"""Facebook Messenger: page id and PSID (both ids), 640-character texts, has `read`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.core.channel import CareWindow, Channel
from sandbox.core.checks import Issue, check_enum, check_string
from sandbox.core.models import Message


def _options(block: Mapping[str, Any], name: str, issues: list[Issue]) -> None:
    check_enum(
        issues,
        block.get("category"),
        f"{name}.category",
        ("response", "update", "message_tag"),
        code=1110,
    )
    if block.get("category") == "message_tag":  # a message tag needs its tag
        check_string(issues, block.get("tag"), f"{name}.tag", code=1110, max_len=100)
    elif "tag" in block:  # ignored without the message_tag category: any string
        check_string(issues, block.get("tag"), f"{name}.tag", code=1110, min_len=0)


def _tagged(message: Message) -> bool:
    """Outside the window Meta allows only messages with a message tag."""
    block = (message.options or {}).get("messenger")
    return isinstance(block, Mapping) and block.get("category") == "message_tag"


MESSENGER = Channel(
    name="messenger",
    v01_name="messenger",
    label="Messenger",
    to_kind="id",
    from_kind="id",
    outbound_types=("text", "image", "audio", "video", "file"),
    inbound_types=("text", "image", "audio", "video", "file", "unsupported"),
    v01_outbound_types=("text", "image", "audio", "video", "file", "template", "custom"),
    v01_inbound_types=("text", "image", "audio", "video", "file"),
    default_ttl=30 * 86400.0,
    care_window=CareWindow("messenger_window", _tagged, "messages with a message tag"),
    has_read=True,
    text_limit=640,
    price="0.0000",
    option_block="messenger",
    options_check=_options,
)
