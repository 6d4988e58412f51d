"""Inbound webhook payloads, v1 and v0.1, rendered from the model (pure).

v1: the `inbound-message` webhook of the Messages API
(https://developer.vonage.com/en/api/messages#inbound-message); v0.1: the 2018 body with the
content under `message.content`. Each channel adds its own fields through its hooks.
"""

from __future__ import annotations

from typing import Any

from sandbox.core.channel import Channel
from sandbox.core.clock import iso
from sandbox.core.models import Message
from sandbox.wire.address import address_v01


def inbound_v1(message: Message, channel: Channel, self_base: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "channel": message.channel,
        "message_uuid": message.uuid,
        "to": message.to,
        "from": message.from_,
        "timestamp": iso(message.created_at, millis=False),
        "message_type": message.message_type,
        **message.content,
    }
    if channel.inbound_extras is not None:
        out.update(channel.inbound_extras(message, self_base))
    return out


def content_v01(message: Message, channel: Channel) -> dict[str, Any]:
    """`message.content` of a v0.1 inbound webhook. A type the 2018 format never had for the
    channel (a Viber image, a WhatsApp reaction) is `unsupported`, as Vonage sent it; a
    WhatsApp location has the 2018 shape, `latitude` / `longitude` as strings."""
    kind = message.message_type
    if kind not in channel.v01_inbound_types:
        return {"type": "unsupported"}
    if kind == "location":
        where = message.content.get("location") or {}
        location = {k: v for k, v in where.items() if k not in ("lat", "long")}
        location["latitude"] = str(where.get("lat"))
        location["longitude"] = str(where.get("long"))
        return {"type": kind, "location": location}
    return {"type": kind, **message.content}


def inbound_v01(message: Message, channel: Channel) -> dict[str, Any]:
    content = content_v01(message, channel)
    body: dict[str, Any] = {"content": content}
    out: dict[str, Any] = {
        "message_uuid": message.uuid,
        "timestamp": iso(message.created_at),
        # The user's address has the recipient's shape; the app's has the sender's.
        "to": address_v01(channel, message.to, channel.from_kind),
        "from": address_v01(channel, message.from_, channel.to_kind),
        "message": body,
    }
    if channel.inbound_extras_v01 is not None:
        in_message, top = channel.inbound_extras_v01(message)
        body.update(in_message)
        out.update(top)
    return out


def inbound_payload(
    message: Message, channel: Channel, version: str, self_base: str
) -> dict[str, Any]:
    if version == "v0.1":
        return inbound_v01(message, channel)
    return inbound_v1(message, channel, self_base)
