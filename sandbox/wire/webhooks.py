"""Webhook payloads rendered from the model (pure): status and inbound, v1 and v0.1.

v1 status: reference §5.1; v0.1 status: §3.4; v1 inbound: §5.2; v0.1 inbound: §3.5.
"""

from __future__ import annotations

import hashlib
from typing import Any

from fake_channels import Channel
from fake_channels.sms import segment_count
from sandbox.core.clock import iso
from sandbox.core.errors import V1_BASE
from sandbox.core.models import Message, StatusChange

NETWORK_CODE = "23410"  # a UK mobile network's MCC+MNC, as Vonage reports them
INBOUND_SMS_PRICE = "0.0057"


def _uuid_from(*parts: str) -> str:
    """A stable id derived from other ids (an error instance, a conversation id)."""
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-4{digest[13:16]}-8{digest[17:20]}-{digest[20:32]}"


def _usage(channel: Channel, message: Message, status: str) -> dict[str, str] | None:
    if status == "rejected":
        return None  # nothing is charged for what never left
    price = channel.price
    if channel.name == "whatsapp" and message.message_type != "template":
        price = "0"  # replies inside the customer-service window are free
    return {"currency": "EUR", "price": price}


def status_v1(message: Message, change: StatusChange, channel: Channel) -> dict[str, Any]:
    out: dict[str, Any] = {
        "message_uuid": message.uuid,
        "to": message.to,
        "from": message.from_,
        "timestamp": iso(change.at, millis=False),
        "status": change.status,
        "channel": message.channel,
    }
    if message.client_ref is not None:
        out["client_ref"] = message.client_ref
    usage = _usage(channel, message, change.status)
    if usage is not None:
        out["usage"] = usage
    if change.error_code is not None:
        out["error"] = {
            "type": f"{V1_BASE}#{change.error_code}",
            "title": str(change.error_code),
            "detail": change.reason,
            "instance": _uuid_from(message.uuid, change.status),
        }
    if message.channel == "sms":
        out["destination"] = {"network_code": NETWORK_CODE}
        out["sms"] = {"count_total": str(segment_count(message.text or ""))}
    elif message.channel == "mms":
        out["destination"] = {"network_code": NETWORK_CODE}
    elif message.channel == "whatsapp" and change.status == "delivered":
        template = message.message_type == "template"
        out["whatsapp"] = {
            "pricing": {
                "type": "regular" if template else "free_customer_service",
                "pricing_model": "PMP",
                "category": "utility" if template else "service",
            },
            "conversation": {
                "id": _uuid_from(message.from_, message.to).replace("-", ""),
                "origin": {"type": "utility" if template else "service"},
            },
        }
    if message.workflow is not None and message.workflow.kind == "v1":
        out["workflow"] = {
            "workflow_id": message.workflow.id,
            "items_number": str(message.workflow.item),
            "items_total": str(message.workflow.total),
        }
    return out


def address_v01(channel: Channel, value: str, kind: str) -> dict[str, str]:
    return {"type": channel.v01_name, kind: value}


def status_v01(message: Message, change: StatusChange, channel: Channel) -> dict[str, Any]:
    out: dict[str, Any] = {
        "message_uuid": message.uuid,
        "to": address_v01(channel, message.to, channel.to_kind),
        "from": address_v01(channel, message.from_, channel.from_kind),
        "timestamp": iso(change.at),
        "status": change.status,
    }
    if change.error_code is not None:
        out["error"] = {"code": change.error_code, "reason": change.reason}
    usage = _usage(channel, message, change.status)
    if usage is not None:
        out["usage"] = usage
    if message.client_ref is not None:
        out["client_ref"] = message.client_ref
    return out


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
    extra = message.extra or {}
    if message.channel == "sms":
        text = message.text or ""
        words = text.split()
        out["sms"] = {
            "num_messages": str(segment_count(text)),
            "keyword": words[0].upper() if words else "",
        }
        out["usage"] = {"currency": "EUR", "price": INBOUND_SMS_PRICE}
        out["origin"] = extra.get("origin", {"network_code": NETWORK_CODE})
    elif message.channel == "mms":
        out["origin"] = extra.get("origin", {"network_code": NETWORK_CODE})
    elif message.channel == "whatsapp":
        out["profile"] = extra.get("profile", {"name": "Sandbox User"})
        context = extra.get("context")
        if isinstance(context, dict) and context.get("message_uuid"):
            out["context_status"] = "available"
            out["context"] = {
                "message_uuid": context["message_uuid"],
                "message_from": context.get("message_from", message.to),
            }
        else:
            out["context_status"] = "none"
        if "whatsapp" in extra:
            out["whatsapp"] = extra["whatsapp"]
        if "provider_message" in extra:
            out["provider_message"] = extra["provider_message"]
        out["_self"] = {"href": f"{self_base}/v1/messages/{message.uuid}"}
    elif message.channel == "viber_service":
        context = extra.get("context")
        if isinstance(context, dict):
            out["context"] = context
    return out


def inbound_v01(message: Message, channel: Channel) -> dict[str, Any]:
    content: dict[str, Any] = {"type": message.message_type, **message.content}
    body: dict[str, Any] = {"content": content}
    out: dict[str, Any] = {
        "message_uuid": message.uuid,
        "timestamp": iso(message.created_at),
        # The user's address has the recipient's shape; the app's has the sender's.
        "to": address_v01(channel, message.to, channel.from_kind),
        "from": address_v01(channel, message.from_, channel.to_kind),
        "message": body,
    }
    if message.channel == "sms":
        body["sms"] = {"num_messages": str(segment_count(message.text or ""))}
        out["usage"] = {"currency": "EUR", "price": INBOUND_SMS_PRICE}
    return out
