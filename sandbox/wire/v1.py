"""Messages API v1 requests (`POST /v1/messages`): flat JSON to :class:`Outbound`
(https://developer.vonage.com/en/api/messages#SendMessage)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.core.channel import Channel, Registry
from sandbox.core.checks import Issue, check_int, check_url, null_paths
from sandbox.core.config import WEBHOOK_VERSIONS
from sandbox.core.errors import InvalidRequest
from sandbox.core.models import Outbound

CLIENT_REF_MAX = 100  # v1; v0.1 allowed 40
SMS_TTL_MAX = 604800  # a week: no operator keeps trying longer


def check_message(
    body: Mapping[str, Any], channels: Registry, issues: list[Issue], prefix: str = ""
) -> Outbound | None:
    """Check one v1 message object; return it parsed when nothing was wrong with it."""
    before = len(issues)
    channel_name = body.get("channel")
    channel = channels.get(channel_name)
    if channel_name is None:
        issues.append(Issue(1150, f"{prefix}channel", "is required."))
    elif channel is None:
        issues.append(
            Issue(1100, f"{prefix}channel", "must be one of: " + ", ".join(channels.names()) + ".")
        )
    message_type = body.get("message_type")
    if message_type is None:
        issues.append(Issue(1150, f"{prefix}message_type", "is required."))
    elif channel is not None and message_type not in channel.outbound_types:
        issues.append(
            Issue(
                1140,
                f"{prefix}message_type",
                f"must be one of {', '.join(channel.outbound_types)} for channel {channel.name}.",
            )
        )
    if channel is None:
        return None

    local: list[Issue] = []
    channel.check_to(body.get("to"), local)
    channel.check_from(body.get("from"), local)
    if isinstance(message_type, str) and message_type in channel.outbound_types:
        channel.check_content(message_type, body, local)
    channel.check_options(body, local)
    channel.check_message(body, local)

    if "client_ref" in body:
        ref = body.get("client_ref")
        if not isinstance(ref, str) or len(ref) > CLIENT_REF_MAX:
            local.append(
                Issue(1060, "client_ref", f"must be a string of up to {CLIENT_REF_MAX} characters.")
            )
    if "webhook_url" in body:
        check_url(local, body.get("webhook_url"), "webhook_url")
    if "webhook_version" in body and body.get("webhook_version") not in WEBHOOK_VERSIONS:
        local.append(Issue(1150, "webhook_version", "must be one of: v0.1, v1."))
    if "ttl" in body:
        lo, hi = channel.ttl_range or (1, SMS_TTL_MAX)
        check_int(local, body.get("ttl"), "ttl", lo, hi)
    if "context" in body:
        context = body.get("context")
        uuid = context.get("message_uuid") if isinstance(context, Mapping) else None
        if not isinstance(uuid, str) or not uuid:
            local.append(Issue(1150, "context.message_uuid", "must be a message UUID string."))

    # A null anywhere in what the message is made of is refused as such, and only once: the
    # checks above read a null as absent ("is required") or let it pass (optional fields).
    nulls = _nulls(body, channel, message_type)
    if nulls:
        covered = {n for n, _ in nulls}
        local = [i for i in local if i.name not in covered]
        local.extend(Issue(code, n, "must not be null.") for n, code in nulls)
    issues.extend(Issue(i.code, prefix + i.name, i.reason) for i in local)
    if len(issues) != before or not isinstance(message_type, str):
        return None

    options: dict[str, Any] = {}
    for key in (channel.option_block, "context", "ttl", *channel.message_fields):
        if key is not None and key in body:
            options[key] = body[key]
    content_key = message_type
    return Outbound(
        channel=channel.name,
        to=body["to"],
        from_=body["from"],
        message_type=message_type,
        content={content_key: body.get(content_key)},
        options=options,
        client_ref=body.get("client_ref"),
        webhook_url=body.get("webhook_url"),
        webhook_version=body.get("webhook_version"),
    )


# The fields of a v1 message that Vonage's schema describes, besides the content (named after
# the message type), the channel's option block and its own top-level fields.
COMMON_FIELDS = ("to", "from", "client_ref", "webhook_url", "webhook_version", "ttl", "context")


def _nulls(body: Mapping[str, Any], channel: Channel, message_type: Any) -> list[tuple[str, int]]:
    """Every null in the fields the message is made of, with its error class (1110 in the
    channel's option block, as Vonage classes a bad `messenger.category`; 1150 elsewhere)."""
    keys = [*COMMON_FIELDS, *channel.message_fields]
    if isinstance(message_type, str) and message_type != "custom":
        keys.append(message_type)
    out = [(p, 1150) for key in keys if key in body for p in null_paths(body[key], key)]
    if message_type == "custom" and "custom" in body and body["custom"] is None:
        out.append(("custom", 1150))  # inside, a provider's own payload: its nulls are its own
    block = channel.option_block
    if block is not None and block in body:
        out.extend((p, 1110) for p in null_paths(body[block], block))
    return out


def parse_send(body: Mapping[str, Any], channels: Registry) -> tuple[Outbound, list[Outbound]]:
    """The primary message and its `failover` items (Vonage's failover guide:
    https://developer.vonage.com/en/messages/concepts/failover), or `InvalidRequest`."""
    issues: list[Issue] = []
    primary = check_message(body, channels, issues)
    failover: list[Outbound] = []
    if "failover" in body:
        items = body.get("failover")
        if not isinstance(items, list) or not items:
            issues.append(Issue(1150, "failover", "must be a non-empty array of messages."))
        else:
            for i, item in enumerate(items):
                name = f"failover[{i}]"
                if not isinstance(item, Mapping):
                    issues.append(Issue(1150, name, "must be a message object."))
                    continue
                if "failover" in item:
                    issues.append(
                        Issue(
                            1150,
                            f"{name}.failover",
                            "a failover message cannot have its own failover.",
                        )
                    )
                parsed = check_message(item, channels, issues, prefix=f"{name}.")
                if parsed is not None:
                    failover.append(parsed)
    if issues or primary is None:
        raise InvalidRequest(issues or [Issue(1150, "body", "is not a valid message.")])
    return primary, failover
