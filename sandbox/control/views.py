"""How the control API shows things: messages, status history, timers (pure functions)."""

from __future__ import annotations

from typing import Any

from sandbox.core.clock import VirtualClock, iso
from sandbox.core.models import Message, StatusChange
from sandbox.core.scheduler import Scheduler, Timer


def change_json(change: StatusChange) -> dict[str, Any]:
    out: dict[str, Any] = {"status": change.status, "timestamp": iso(change.at), "by": change.by}
    if change.error_code is not None:
        out["error"] = {"code": change.error_code, "reason": change.reason}
    if change.cause is not None:
        out["cause"] = change.cause
    return out


def message_json(m: Message, *, history: bool = True) -> dict[str, Any]:
    """A message the way a v1 user reads one: content at the top level (`text`, `image` ...)."""
    out: dict[str, Any] = {
        "message_uuid": m.uuid,
        "direction": m.direction,
        "channel": m.channel,
        "to": m.to,
        "from": m.from_,
        "message_type": m.message_type,
        **m.content,
        "status": m.status,
        "timestamp": iso(m.created_at),
        "updated": iso(m.history[-1].at),
        "api": m.api,
        "application_id": m.application_id,
        "api_key": m.api_key,
    }
    if m.client_ref is not None:
        out["client_ref"] = m.client_ref
    if m.webhook_url is not None:
        out["webhook_url"] = m.webhook_url
    if m.webhook_version is not None:
        out["webhook_version"] = m.webhook_version
    if m.options:
        out["options"] = m.options
    if m.extra:
        out["extra"] = m.extra
    last = m.history[-1]
    if last.error_code is not None:
        out["error"] = {"code": last.error_code, "reason": last.reason}
    if m.workflow is not None:
        out["workflow"] = {
            "kind": m.workflow.kind,
            "id": m.workflow.id,
            "items_number": m.workflow.item,
            "items_total": m.workflow.total,
        }
    if history:
        out["history"] = [change_json(c) for c in m.history]
    return out


def timer_json(t: Timer) -> dict[str, Any]:
    out = t.to_dict()
    out["due"] = iso(t.due)
    out["due_ts"] = t.due
    return out


def clock_json(clock: VirtualClock, scheduler: Scheduler, limit: int = 200) -> dict[str, Any]:
    """`GET /_sandbox/clock`: now, mode and the first ``limit`` pending timers."""
    now = clock.now()
    due = scheduler.next_due()
    return {
        "now": iso(now),
        "now_ts": now,
        "mode": clock.mode,
        "pending": len(scheduler),
        "next_due": None if due is None else iso(due),
        "timers": [timer_json(t) for t in scheduler.pending(limit)],
    }
