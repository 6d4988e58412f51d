"""WhatsApp: numbers both ends (or a business-scoped user id as the recipient), templates
need a locale, reactions need a context, has `read`; users are named in webhooks as
`whatsapp.sender` / `whatsapp.recipient` (`wa_id` or `user_id`), as WhatsApp has since 2026."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sandbox.core.channel import CareWindow, Channel
from sandbox.core.checks import (
    Issue,
    check_enum,
    check_string,
    check_url,
    object_at,
)
from sandbox.core.ids import stable_uuid
from sandbox.core.models import Message, StatusChange

# A business-scoped user id (BSUID), which WhatsApp gives users who hide their number: a
# country code, a dot, up to 128 alphanumerics; a parent id has `ENT.` after the country.
# A template's language, BCP 47 with `_` or `-` (`en_GB`, the 2018 SDK's `en-GB`, `pt_BR`).
LOCALE = re.compile(r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*\Z")
BSUID = re.compile(r"^[A-Z]{2}\.(ENT\.)?[A-Za-z0-9]{1,128}\Z")


def _user(address: str) -> dict[str, str]:
    """How WhatsApp names a user in webhooks: by BSUID, or by number (`wa_id`)."""
    return {"user_id": address} if BSUID.match(address) else {"wa_id": address}


def _options(block: Mapping[str, Any], name: str, issues: list[Issue]) -> None:
    # `fallback` was withdrawn in 2020; Vonage refuses it.
    check_enum(issues, block.get("policy"), f"{name}.policy", ("deterministic",), code=1110)
    if "locale" in block:
        locale = block.get("locale")
        check_string(issues, locale, f"{name}.locale", code=1110)
        if isinstance(locale, str) and locale and not LOCALE.match(locale):
            issues.append(Issue(1110, f"{name}.locale", "must be a BCP 47 language (en_GB)."))


def _template(channel: Channel, body: Mapping[str, Any], issues: list[Issue]) -> None:
    block = body.get("whatsapp")
    if not isinstance(block, Mapping) or block.get("locale") is None:
        issues.append(Issue(1110, "whatsapp.locale", "is required for template messages."))


def _sticker(channel: Channel, body: Mapping[str, Any], issues: list[Issue]) -> None:
    obj = object_at(issues, body.get("sticker"), "sticker")
    if obj is None:
        return
    has_url, has_id = "url" in obj, "id" in obj
    if has_url == has_id:
        issues.append(Issue(1150, "sticker", "must have exactly one of url or id."))
    elif has_url:
        check_url(issues, obj.get("url"), "sticker.url")
    else:
        check_string(issues, obj.get("id"), "sticker.id", max_len=200)


def _reaction(channel: Channel, body: Mapping[str, Any], issues: list[Issue]) -> None:
    obj = object_at(issues, body.get("reaction"), "reaction")
    if obj is not None:
        check_enum(
            issues, obj.get("action"), "reaction.action", ("react", "unreact"), required=True
        )
        if obj.get("action") == "react":
            check_string(issues, obj.get("emoji"), "reaction.emoji")  # the spec sets no bound
    context = body.get("context")
    if not isinstance(context, Mapping) or not isinstance(context.get("message_uuid"), str):
        issues.append(Issue(1150, "context.message_uuid", "is required for reactions."))


def _outside_window_ok(message: Message) -> bool:
    """Templates open a conversation; so does a `custom` message that is one."""
    if message.message_type == "template":
        return True
    custom = message.content.get("custom")
    return (
        message.message_type == "custom"
        and isinstance(custom, dict)
        and (custom.get("type") == "template")
    )


def _provider_message(value: Any, name: str, issues: list[Issue]) -> None:
    # A string in Vonage's inbound schema: WhatsApp's own payload, passed on as text.
    check_string(issues, value, name, max_len=None)


def _status_extras(message: Message, change: StatusChange) -> dict[str, Any]:
    recipient = {"recipient": _user(message.to)}
    if change.status != "delivered":
        return {"whatsapp": recipient}
    template = message.message_type == "template"
    return {
        "whatsapp": {
            **recipient,
            "pricing": {
                "type": "regular" if template else "free_customer_service",
                "pricing_model": "PMP",
                "category": "utility" if template else "service",
            },
            "conversation": {
                "id": stable_uuid(message.from_, message.to).replace("-", ""),
                "origin": {"type": "utility" if template else "service"},
            },
        }
    }


def _inbound_extras(message: Message, self_base: str) -> dict[str, Any]:
    extra = message.extra or {}
    out: dict[str, Any] = {"profile": extra.get("profile", {"name": "Sandbox User"})}
    context = extra.get("context")
    if isinstance(context, dict) and context.get("message_uuid"):
        out["context_status"] = "available"
        out["context"] = {
            "message_uuid": context["message_uuid"],
            "message_from": context.get("message_from", message.to),
        }
    else:
        out["context_status"] = "none"
    given = extra.get("whatsapp")
    out["whatsapp"] = {"sender": _user(message.from_), **(given if isinstance(given, dict) else {})}
    if "provider_message" in extra:
        out["provider_message"] = extra["provider_message"]
    out["_self"] = {"href": f"{self_base}/v1/messages/{message.uuid}"}
    return out


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
    # The 2018 schema knew these; contacts, replies, buttons, orders, stickers and reactions
    # reach a v0.1 webhook as `unsupported`.
    v01_inbound_types=("text", "image", "audio", "video", "file", "location"),
    default_ttl=30 * 86400.0,
    care_window=CareWindow("whatsapp_window", _outside_window_ok, "templates"),
    has_read=True,
    text_limit=4096,
    price="0.0147",
    option_block="whatsapp",
    options_check=_options,
    content_checks={"template": _template, "sticker": _sticker, "reaction": _reaction},
    to_patterns=(BSUID,),
    priced_types=("template",),
    inbound_read=True,
    status_extras=_status_extras,
    inbound_extras=_inbound_extras,
    inbound_fields=("profile", "context", "whatsapp", "provider_message"),
    inbound_field_checks={"provider_message": _provider_message},
)
