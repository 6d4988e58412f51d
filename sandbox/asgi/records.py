"""What `--db` writes: messages, workflows and webhook deliveries as JSON text, and back.

Plain data only: the live parts of each object (a workflow step's timer, a delivery's render
function and retry timer) are not kept; their owners set them again when they take the object
back (:meth:`Runner.resume`, :meth:`Webhooks.resume`).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from sandbox.core.ledger import Attempt, Delivery, Sending, delivery_seq
from sandbox.core.models import Message, Outbound, Sender, StatusChange, WorkflowRef, body_of
from sandbox.core.workflow import Step, Workflow


def dumps(data: Any) -> str:
    # The edge refuses what JSON cannot hold (NaN, lone surrogates: wire.body), so this never
    # meets a value it cannot write.
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def message_to_json(m: Message) -> str:
    data = asdict(m)
    # Kept as `content` and `history` (the v1 shape, a list), as before the body and the
    # changes: files of older versions load.
    changes = data.pop("changes")  # already plain: one change's dict, or a tuple of them
    data["history"] = list(changes) if isinstance(changes, tuple) else [changes]
    del data["body"]
    data["content"] = m.content
    data["status"], data["created_at"] = m.status, m.created_at
    return dumps(data)


def message_from_json(text: str) -> Message:
    data: dict[str, Any] = json.loads(text)
    data["body"] = body_of(data["message_type"], data.pop("content"))
    del data["status"], data["created_at"]  # those of its last and first change
    changes = tuple(StatusChange(**c) for c in data.pop("history"))
    data["changes"] = changes[0] if len(changes) == 1 else changes
    if data.get("workflow") is not None:
        data["workflow"] = WorkflowRef(**data["workflow"])
    return Message(**data)


def workflow_to_json(wf: Workflow) -> str:
    return dumps(
        {
            "id": wf.id,
            "kind": wf.kind,
            "items": [asdict(item) for item in wf.items],
            "sender": asdict(wf.sender),
            "created_at": wf.created_at,
            "steps": [
                {
                    "item": s.item,
                    "channel": s.channel,
                    "message_uuid": s.message_uuid,
                    "status": s.status,
                    "sent_at": s.sent_at,
                    "condition_status": s.condition_status,
                    "expiry_time": s.expiry_time,
                    "due": s.due,
                    "outcome": s.outcome,
                }
                for s in wf.steps
            ],
            "status": wf.status,
            "current": wf.current,
            "ended_at": wf.ended_at,
        }
    )


def workflow_from_json(text: str) -> Workflow:
    data: dict[str, Any] = json.loads(text)
    return Workflow(
        id=data["id"],
        kind=data["kind"],
        items=[Outbound(**item) for item in data["items"]],
        sender=Sender(**data["sender"]),
        created_at=data["created_at"],
        steps=[Step(**s) for s in data["steps"]],
        status=data["status"],
        current=data["current"],
        ended_at=data["ended_at"],
    )


def delivery_to_json(d: Delivery) -> str:
    return dumps(
        {
            "id": d.id,
            "kind": d.kind,
            "event": d.event,
            "url": d.url,
            "version": d.version,
            "body": d.body.decode(),  # renders it now: what was sent must be what is kept
            "created_at": d.created_at,
            "message_uuid": d.message_uuid,
            "dispatch_uuid": d.dispatch_uuid,
            "application_id": d.application_id,
            "api_key": d.api_key,
            "chain": d.chain,
            "state": d.state,
            "headers": d.headers,
            "attempts": [asdict(a) for a in d.attempts],
            "next_attempt_at": d.next_attempt_at,
            "chaos": d.chaos,
        }
    )


def delivery_from_json(text: str) -> Delivery:
    data: dict[str, Any] = json.loads(text)
    seq = delivery_seq(data["id"])
    if seq is None:
        raise ValueError(f"not a delivery id: {data['id']!r}")
    return Delivery(
        seq=seq,
        kind=data["kind"],
        event=data["event"],
        url=data["url"],
        version=data["version"],
        source=data["body"].encode(),
        created_at=data["created_at"],
        message_uuid=data["message_uuid"],
        dispatch_uuid=data["dispatch_uuid"],
        application_id=data["application_id"],
        api_key=data["api_key"],
        chain=data["chain"],
        state=data["state"],
        # Only for one that went out: a `no_url` record keeps its smaller size class.
        sending=(
            Sending(
                headers=data["headers"],
                attempts=tuple(Attempt(**a) for a in data["attempts"]),
                next_attempt_at=data["next_attempt_at"],
            )
            if data["headers"] or data["attempts"] or data["next_attempt_at"] is not None
            else None
        ),
        chaos=data.get("chaos"),  # absent in records kept before chaos rules existed
    )
