"""Who a send request is for, read before any of its checks: what the gateway's faults (chaos
rules scoped to a number or a channel, core/faults.py) need to know, from a body that may still
turn out invalid. Nothing here refuses anything; what cannot be read is simply not known."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.core.channel import Registry
from sandbox.core.errors import ApiVersion


def _address(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):  # v0.1: {"type": ..., "number": ...} or {"id": ...}
        return [v for k in ("number", "id") if isinstance(v := value.get(k), str)]
    return []


def send_target(
    body: Mapping[str, Any], api: ApiVersion, channels: Registry
) -> tuple[str | None, tuple[str, ...]]:
    """(channel name, the addresses at both ends) of a v1 send, a v0.1 send or the first item
    of a Dispatch workflow."""
    workflow = body.get("workflow")
    if api == "v0.1" and isinstance(workflow, list) and workflow:
        first = workflow[0]
        body = first if isinstance(first, Mapping) else {}
    to, from_ = body.get("to"), body.get("from")
    if api == "v1":
        channel = channels.get(body.get("channel"))
    else:
        channel = channels.get_v01(to.get("type")) if isinstance(to, Mapping) else None
    return (
        None if channel is None else channel.name,
        (*_address(to), *_address(from_)),
    )
