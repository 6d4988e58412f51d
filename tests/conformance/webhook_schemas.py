"""JSON Schemas of every webhook body the sandbox sends, and the one way to pick one.

A body is judged by what caused it, not by what it says about itself: the caller names the
kind (`status`, `inbound`, `report`), the webhook version, the channel and the status or
message type it produced, and gets the schema such a body must satisfy. A body that names the
wrong channel or type is then caught instead of being judged by a schema of its own choosing.

The schemas themselves: webhook_schemas_v1 (v1 status), webhook_schemas_v1_inbound (v1
inbound) and webhook_schemas_v01 (v0.1 and Dispatch).
"""

from __future__ import annotations

from typing import Literal

from tests.conformance.webhook_schemas_common import Schema, all_of
from tests.conformance.webhook_schemas_v01 import (
    DISPATCH_REPORT,
    DISPATCH_STATUS,
    STATUS_V01,
    V01_INBOUND_TYPES,
    V01_NAME,
    inbound_v01,
)
from tests.conformance.webhook_schemas_v1 import READ_CHANNELS, STATUS_V1
from tests.conformance.webhook_schemas_v1_inbound import INBOUND_V1

Kind = Literal["status", "failover-status", "inbound", "dispatch-status", "report"]
Version = Literal["v1", "v0.1"]

V1_CHANNELS = tuple(STATUS_V1)
V01_CHANNELS = tuple(V01_NAME)  # RCS and email came after the 2018 APIs


def statuses(channel: str) -> tuple[str, ...]:
    """The statuses a message of ``channel`` can report."""
    base = ("submitted", "delivered", "rejected", "undeliverable")
    return base + (("read",) if channel in READ_CHANNELS else ())


def inbound_types(channel: str) -> tuple[str, ...]:
    """The v1 inbound message types of ``channel`` (`content`: MMS with several
    attachments)."""
    return tuple(INBOUND_V1[channel])


def schema_for(kind: Kind, version: Version, channel: str, what: str) -> Schema:
    """The schema of one body; ``what`` is the status (status kinds), the message type the
    user sent (inbound) or the workflow's outcome (report). KeyError: nothing is published
    for that combination."""
    if kind == "report":  # and the outcome the workflow had
        return all_of(DISPATCH_REPORT, {"properties": {"status": {"const": what}}})
    if kind == "dispatch-status":
        return DISPATCH_STATUS[channel]
    if kind == "failover-status":  # a v1 failover item names its workflow
        return all_of(STATUS_V1[channel], {"required": ["workflow"]})
    if kind == "status":
        return STATUS_V1[channel] if version == "v1" else STATUS_V01[channel]
    if version == "v1":
        return INBOUND_V1[channel][what]
    if channel not in V01_INBOUND_TYPES:
        raise KeyError(channel)
    return inbound_v01(channel, what)


__all__ = [
    "V01_CHANNELS",
    "V01_INBOUND_TYPES",
    "V1_CHANNELS",
    "Kind",
    "Schema",
    "Version",
    "inbound_types",
    "schema_for",
    "statuses",
]
