"""The one final report of a Dispatch workflow, sent to the status URL when it ends (pure).

Each message sent gets a link with its channel and last status, and its price unless it was
rejected; the total is their sum.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sandbox.core.channel import Registry
from sandbox.core.clock import iso
from sandbox.core.workflow import Workflow


def dispatch_report(wf: Workflow, channels: Registry) -> dict[str, Any]:
    links: list[dict[str, Any]] = []
    total = Decimal(0)
    for index, step in enumerate(wf.steps):
        if step.message_uuid is None:
            continue
        channel = channels[step.channel]
        entry: dict[str, Any] = {
            "message_uuid": step.message_uuid,
            "href": f"/v0.1/messages/{step.message_uuid}",
            "channel": channel.v01_name,
            "status": step.status,
        }
        if step.status != "rejected":
            item = wf.items[index]
            price = channel.usage_price(item.message_type, item.content, item.options)
            entry["usage"] = {"currency": "EUR", "price": price}
            total += Decimal(price)
        links.append(entry)
    return {
        "dispatch_uuid": wf.id,
        "template": "failover",
        "status": wf.status,
        "timestamp": iso(wf.ended_at if wf.ended_at is not None else wf.created_at),
        "usage": {"price": f"{total:.4f}", "currency": "EUR"},
        "_links": {"messages": links},
    }
