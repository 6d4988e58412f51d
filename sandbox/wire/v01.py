"""Messages API v0.1 (`POST /v0.1/messages`, 2018) and Dispatch (`POST /v0.1/dispatch`) requests.

The nested shape of the 2018 API (https://developer.vonage.com/en/api/messages-olympus):
`to`/`from` objects carrying the channel as `type` and the address as `number` or `id`, the
content in `message.content`, option blocks inside `message`. Parsed into the same
:class:`Outbound` as v1; the channel's own checks are reused and their parameter names mapped
back to where the value sits in a v0.1 body.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.core.channel import Channel, Registry
from sandbox.core.checks import Issue, check_int, null_paths
from sandbox.core.dispatch import Condition, DispatchItem
from sandbox.core.errors import InvalidRequest
from sandbox.core.models import Outbound

CLIENT_REF_MAX = 40
EXPIRY_MIN, EXPIRY_MAX = 15, 86400


def _rename(issue: Issue, channel: Channel, prefix: str) -> Issue:
    """Map a v1 parameter name from the channel checks to its place in a v0.1 body."""
    name = issue.name
    block = channel.option_block
    if block is not None and (name == block or name.startswith(block + ".")):
        name = "message." + channel.v01_name + name[len(block) :]
    elif name in ("to", "from"):
        kind = channel.to_kind if name == "to" else channel.from_kind
        name = f"{name}.{kind}"
    elif not name.startswith(("client_ref",)):
        name = "message.content." + name
    return Issue(issue.code, prefix + name, issue.reason)


def check_message(
    body: Mapping[str, Any],
    channels: Registry,
    issues: list[Issue],
    prefix: str = "",
    *,
    dispatch: bool = False,
) -> Outbound | None:
    before = len(issues)
    to, from_ = body.get("to"), body.get("from")
    if not isinstance(to, Mapping):
        issues.append(Issue(1150, prefix + "to", "is required and must be an object."))
        to = {}
    if not isinstance(from_, Mapping):
        issues.append(Issue(1150, prefix + "from", "is required and must be an object."))
        from_ = {}
    channel = channels.get_v01(to.get("type"))
    if channel is None:
        names = ", ".join(c.v01_name for c in channels if channels.get_v01(c.v01_name))
        issues.append(Issue(1100, prefix + "to.type", f"must be one of: {names}."))
        return None
    if from_ and from_.get("type") != channel.v01_name:
        issues.append(Issue(1150, prefix + "from.type", f"must be {channel.v01_name}, as to.type."))
    message = body.get("message")
    if not isinstance(message, Mapping):
        issues.append(Issue(1150, prefix + "message", "is required and must be an object."))
        return None
    content = message.get("content")
    if not isinstance(content, Mapping):
        issues.append(Issue(1150, prefix + "message.content", "is required and must be an object."))
        return None
    message_type = content.get("type")
    if message_type not in channel.v01_outbound_types:
        issues.append(
            Issue(
                1140,
                prefix + "message.content.type",
                f"must be one of {', '.join(channel.v01_outbound_types)} for {channel.v01_name}.",
            )
        )
        return None
    assert isinstance(message_type, str)

    # Re-shape into the v1 layout the channel checks understand.
    flat: dict[str, Any] = {message_type: content.get(message_type)}
    if channel.option_block is not None and channel.v01_name in message:
        flat[channel.option_block] = message[channel.v01_name]
    elif channel.option_block is not None and channel.option_block in message:
        flat[channel.option_block] = message[channel.option_block]
    local: list[Issue] = []
    channel.check_to(to.get(channel.to_kind), local, "to")
    channel.check_from(from_.get(channel.from_kind), local, "from")
    channel.check_content(message_type, flat, local)
    channel.check_options(flat, local)
    block = flat.get(channel.option_block) if channel.option_block else None
    if dispatch and channel.dispatch_options_check is not None and isinstance(block, Mapping):
        assert channel.option_block is not None
        channel.dispatch_options_check(block, channel.option_block, local)
    # No null in what the message is made of, as in v1 (the 2018 schemas allow none either).
    given = message_type != "custom" and message_type in content  # absent: "is required"
    nulls = null_paths(flat[message_type], message_type) if given else []
    if channel.option_block is not None and channel.option_block in flat:
        nulls += null_paths(flat[channel.option_block], channel.option_block)
    if nulls:
        local = [i for i in local if i.name not in nulls]
        local += [Issue(1150, n, "must not be null.") for n in nulls]
    issues.extend(_rename(i, channel, prefix) for i in local)
    if "client_ref" in body:
        ref = body.get("client_ref")
        if not isinstance(ref, str) or len(ref) > CLIENT_REF_MAX:
            issues.append(
                Issue(
                    1060,
                    prefix + "client_ref",
                    f"must be a string of up to {CLIENT_REF_MAX} characters.",
                )
            )
    if len(issues) != before:
        return None
    options = (
        {channel.option_block: flat[channel.option_block]}
        if (channel.option_block is not None and channel.option_block in flat)
        else {}
    )
    return Outbound(
        channel=channel.name,
        to=to[channel.to_kind],
        from_=from_[channel.from_kind],
        message_type=message_type,
        content={message_type: content.get(message_type)},
        options=options,
        client_ref=body.get("client_ref"),
    )


def parse_message(body: Mapping[str, Any], channels: Registry) -> Outbound:
    issues: list[Issue] = []
    parsed = check_message(body, channels, issues)
    if issues or parsed is None:
        raise InvalidRequest(issues or [Issue(1150, "message", "is not valid.")], "v0.1")
    return parsed


def _check_failover(
    value: Any, name: str, channel: Channel | None, issues: list[Issue]
) -> Condition | None:
    if not isinstance(value, Mapping):
        issues.append(Issue(1150, name, "is required on every workflow item but the last."))
        return None
    before = len(issues)
    # A Vonage tutorial sends expiry_time as "600": numeric strings are accepted.
    check_int(
        issues,
        value.get("expiry_time"),
        f"{name}.expiry_time",
        EXPIRY_MIN,
        EXPIRY_MAX,
        numeric_string=True,
    )
    condition = value.get("condition_status")
    if condition not in ("delivered", "read"):
        issues.append(Issue(1150, f"{name}.condition_status", "must be delivered or read."))
    elif condition == "read" and channel is not None and not channel.has_read:
        issues.append(
            Issue(
                1150,
                f"{name}.condition_status",
                f"read is not available on {channel.name}; use delivered.",
            )
        )
    if len(issues) != before:
        return None
    expiry = value["expiry_time"]
    return Condition(int(expiry), "read" if condition == "read" else "delivered")


def parse_dispatch(body: Mapping[str, Any], channels: Registry) -> list[DispatchItem]:
    issues: list[Issue] = []
    if body.get("template") != "failover":
        issues.append(Issue(1150, "template", "must be failover."))
    workflow = body.get("workflow")
    if not isinstance(workflow, list) or len(workflow) < 2:
        issues.append(Issue(1150, "workflow", "must be an array of at least two messages."))
        raise InvalidRequest(issues, "v0.1")
    items: list[DispatchItem] = []
    last = len(workflow) - 1
    for i, raw in enumerate(workflow):
        name = f"workflow[{i}]"
        if not isinstance(raw, Mapping):
            issues.append(Issue(1150, name, "must be a message object."))
            continue
        message = check_message(raw, channels, issues, f"{name}.", dispatch=True)
        to = raw.get("to")
        channel = channels.get_v01(to.get("type")) if isinstance(to, Mapping) else None
        failover: Condition | None = None
        if i < last:
            failover = _check_failover(raw.get("failover"), f"{name}.failover", channel, issues)
        elif "failover" in raw:
            issues.append(
                Issue(1150, f"{name}.failover", "must not be set on the last workflow item.")
            )
        if message is not None:
            items.append(DispatchItem(message, failover))
    if issues:
        raise InvalidRequest(issues, "v0.1")
    return items
