"""Viber Business Messages: service id -> number, has `read`, strict video and button rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.core.channel import Channel
from sandbox.core.checks import (
    Issue,
    as_object,
    check_enum,
    check_int,
    check_string,
    check_url,
)
from sandbox.core.models import Message


def _options(block: Mapping[str, Any], name: str, issues: list[Issue]) -> None:
    check_enum(
        issues, block.get("category"), f"{name}.category", ("transaction", "promotion"), code=1110
    )
    if "ttl" in block:
        check_int(issues, block.get("ttl"), f"{name}.ttl", 30, 259200, code=1110)
    if "type" in block:
        # Any string: Vonage's schema sets no length, and an empty one leaves the default.
        check_string(issues, block.get("type"), f"{name}.type", code=1110, min_len=0, max_len=50)
    if "action" in block:
        action = as_object(issues, block.get("action"), f"{name}.action", code=1110)
        if action:
            check_url(issues, action.get("url"), f"{name}.action.url", code=1110)
            check_string(issues, action.get("text"), f"{name}.action.text", code=1110, max_len=30)
    for key, hi in (("duration", 600), ("file_size", 200)):
        if key in block:
            check_int(
                issues, block.get(key), f"{name}.{key}", 1, hi, code=1110, numeric_string=True
            )


def _image(channel: Channel, body: Mapping[str, Any], issues: list[Issue]) -> None:
    block = body.get("viber_service")
    if isinstance(block, Mapping) and "action" in block:
        image = body.get("image")
        if not isinstance(image, Mapping) or "caption" not in image:
            issues.append(Issue(1150, "image.caption", "is required when an action is set."))


def _video(channel: Channel, body: Mapping[str, Any], issues: list[Issue]) -> None:
    video = body.get("video")
    if isinstance(video, Mapping):
        check_url(issues, video.get("thumb_url"), "video.thumb_url", max_len=1000)
    block = body.get("viber_service")
    block = block if isinstance(block, Mapping) else {}
    for key in ("duration", "file_size"):
        if key not in block:
            issues.append(Issue(1110, f"viber_service.{key}", "is required for video."))


def _file(channel: Channel, body: Mapping[str, Any], issues: list[Issue]) -> None:
    file = body.get("file")
    if isinstance(file, Mapping) and "name" in file:
        check_string(issues, file.get("name"), "file.name", min_len=0, max_len=25)


# Dispatch's own spec caps the Viber TTL at a day (Messages v1 allows three).
DISPATCH_TTL_MAX = 86400


def _dispatch_options(block: Mapping[str, Any], name: str, issues: list[Issue]) -> None:
    if "ttl" in block:
        check_int(issues, block.get("ttl"), f"{name}.ttl", 30, DISPATCH_TTL_MAX, code=1110)


def _inbound_extras(message: Message, self_base: str) -> dict[str, Any]:
    context = (message.extra or {}).get("context")
    return {"context": context} if isinstance(context, dict) else {}


VIBER = Channel(
    name="viber_service",
    v01_name="viber_service_msg",
    label="Viber",
    to_kind="number",
    from_kind="id",
    outbound_types=("text", "image", "video", "file"),
    inbound_types=("text", "image", "video", "file"),
    v01_outbound_types=("text", "image", "template", "custom"),
    v01_inbound_types=("text",),  # the 2018 schema: text, anything else unsupported
    default_ttl=14 * 86400.0,
    has_read=True,
    text_limit=1000,
    price="0.0100",
    option_block="viber_service",
    options_check=_options,
    content_checks={"image": _image, "video": _video, "file": _file},
    dispatch_options_check=_dispatch_options,
    inbound_extras=_inbound_extras,
    inbound_fields=("context",),
)
