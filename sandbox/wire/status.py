"""Status webhook payloads, v1 and v0.1, rendered from the model (pure).

v1: the `message-status` webhook of the Messages API
(https://developer.vonage.com/en/api/messages#message-status); v0.1: the 2018 status body with
`to`/`from` objects and `error{code, reason}`. A status of a Dispatch item also carries
`_links.workflow`. Each channel adds its own fields through its hooks.
"""

from __future__ import annotations

from typing import Any

from sandbox.core.channel import Channel
from sandbox.core.clock import iso
from sandbox.core.error_codes import ASYNC_ERRORS, ERROR_DETAILS
from sandbox.core.errors import V1_BASE
from sandbox.core.ids import stable_uuid
from sandbox.core.models import Message, StatusChange
from sandbox.wire.address import address_v01


def usage(channel: Channel, message: Message, status: str) -> dict[str, str] | None:
    if status == "rejected":
        return None  # nothing is charged for what never left
    price = channel.usage_price(message.message_type, message.content, message.options)
    return {"currency": "EUR", "price": price}


def error_detail(code: int, reason: str | None) -> str:
    """v1 `error.detail`: the code's full text, unless whoever marked the message gave a
    reason of their own (the short name is what v0.1 carries and what a mark defaults to)."""
    if reason is None or reason == ASYNC_ERRORS.get(code):
        return ERROR_DETAILS.get(code, reason or str(code))
    return reason


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
    price = usage(channel, message, change.status)
    if price is not None:
        out["usage"] = price
    if change.error_code is not None:
        out["error"] = {
            "type": f"{V1_BASE}#{change.error_code}",
            "title": str(change.error_code),
            "detail": error_detail(change.error_code, change.reason),
            "instance": stable_uuid(message.uuid, change.status),
        }
    if channel.status_extras is not None:
        out.update(channel.status_extras(message, change))
    if message.workflow is not None and message.workflow.kind == "v1":
        out["workflow"] = {
            "workflow_id": message.workflow.id,
            "items_number": str(message.workflow.item),
            "items_total": str(message.workflow.total),
        }
    return out


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
    price = usage(channel, message, change.status)
    if price is not None:
        out["usage"] = price
    if message.client_ref is not None:
        out["client_ref"] = message.client_ref
    return out


def status_payload(
    message: Message, change: StatusChange, channel: Channel, version: str
) -> dict[str, Any]:
    """The body of one status webhook in ``version``; Dispatch items link their workflow."""
    if version == "v0.1":
        out = status_v01(message, change, channel)
    else:
        out = status_v1(message, change, channel)
    workflow = message.workflow
    if workflow is not None and workflow.kind == "dispatch":
        link = {"dispatch_uuid": workflow.id, "href": f"/workflows/{workflow.id}"}
        out["_links"] = {"workflow": link}
    return out
