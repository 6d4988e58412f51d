"""What a simulated end user sends (`POST /_sandbox/inbound`), checked against the channel's
inbound rules and turned into an :class:`InboundDraft`. The inbound message types are those of
https://developer.vonage.com/en/api/messages#inbound-message."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.core.channel import MEDIA_KINDS, Channel, Registry
from sandbox.core.checks import Issue, as_object, check_enum, check_media, check_string
from sandbox.core.errors import BadControlRequest
from sandbox.core.models import InboundDraft
from sandbox.core.store import Store

ENVELOPE = ("channel", "from", "to", "message_type", "application_id")


def _check_location(issues: list[Issue], value: Any) -> None:
    obj = as_object(issues, value, "location")
    for key in ("lat", "long"):
        v = obj.get(key)
        if isinstance(v, bool) or not isinstance(v, int | float):
            issues.append(Issue(1150, f"location.{key}", "must be a number."))


def parse_inbound(body: Mapping[str, Any], channels: Registry, store: Store) -> InboundDraft:
    issues: list[Issue] = []
    channel = channels.get(body.get("channel"))
    if channel is None:
        raise BadControlRequest(
            "Unknown channel.",
            invalid=[("channel", "must be one of: " + ", ".join(channels.names()) + ".")],
        )
    message_type = body.get("message_type", "text")
    if message_type not in channel.inbound_types:
        raise BadControlRequest(
            f"{channel.label} users cannot send {message_type!r} messages.",
            invalid=[("message_type", "must be one of: " + ", ".join(channel.inbound_types))],
        )
    user = body.get("from")
    channel_issues: list[Issue] = []
    # The user's address has the shape of an outbound recipient, and vice versa.
    channel.check_to(user, channel_issues, "from")
    to = body.get("to")
    if to is None and isinstance(user, str):
        to = _last_sender(store, channel, user)
    if to is None:
        issues.append(
            Issue(
                1150,
                "to",
                "is required (no earlier message names the app's address for this user).",
            )
        )
    else:
        channel.check_from(to, channel_issues, "to")
    issues.extend(channel_issues)

    content: dict[str, Any] = {}
    if message_type == "text":
        check_string(issues, body.get("text"), "text", max_len=channel.text_limit)
        content["text"] = body.get("text")
    elif message_type in MEDIA_KINDS:
        check_media(issues, body.get(message_type), message_type, file_name=True)
        content[message_type] = body.get(message_type)
    elif message_type == "location":
        _check_location(issues, body.get("location"))
        content["location"] = body.get("location")
    elif message_type == "reaction":
        obj = as_object(issues, body.get("reaction"), "reaction")
        check_enum(
            issues, obj.get("action"), "reaction.action", ("react", "unreact"), required=True
        )
        content["reaction"] = body.get("reaction")
    elif message_type == "contacts":
        if not isinstance(body.get("contacts"), list):
            issues.append(Issue(1150, "contacts", "must be an array."))
        content["contacts"] = body.get("contacts")
    elif message_type == "html":
        obj = as_object(issues, body.get("html"), "html")
        check_string(issues, obj.get("body"), "html.body")
        content["html"] = body.get("html")
    elif message_type in ("reply", "button", "order"):
        as_object(issues, body.get(message_type), message_type)
        content[message_type] = body.get(message_type)
    # "unsupported" carries no content.

    # Fields beyond the content that the channel's inbound webhooks carry (`profile` ...);
    # anything else would be dropped, so it is refused instead.
    known = {*ENVELOPE, message_type, *channel.inbound_fields}
    issues.extend(
        Issue(1150, key, f"is not part of a {channel.label} inbound message.")
        for key in body
        if key not in known
    )
    extra = {k: body[k] for k in channel.inbound_fields if k in body}
    for key, value in extra.items():
        check = channel.inbound_field_checks.get(key)
        if check is not None:
            check(value, key, issues)
        elif not isinstance(value, Mapping):
            issues.append(Issue(1150, key, "must be an object."))
    application_id = body.get("application_id")
    if application_id is not None and not isinstance(application_id, str):
        issues.append(Issue(1150, "application_id", "must be a string."))
    if issues:
        raise BadControlRequest(
            "The simulated message is not valid for the channel.",
            invalid=[(i.name, i.reason) for i in issues],
        )
    assert isinstance(user, str) and isinstance(to, str)
    return InboundDraft(
        channel=channel.name,
        from_=user,
        to=to,
        message_type=message_type,
        content=content,
        extra=extra,
        application_id=application_id,
    )


def _last_sender(store: Store, channel: Channel, user: str) -> str | None:
    """The app's address in the latest message with ``user`` (bare: a user writes to
    `a@b.c`, not to `Shop <a@b.c>`)."""
    for m in reversed(store.conversation((channel.name, user))):
        return channel.address(m.from_ if m.direction == "outbound" else m.to)
    return None
