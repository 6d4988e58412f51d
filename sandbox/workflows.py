"""Failover: v1 `failover` arrays (move on when a message is rejected, ref §4.5) and Dispatch
workflows (move on when a timer fires before a condition status is reached, ref §8).

Both listen to the engine's status events on the bus; neither does any I/O.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any, Literal

from sandbox.clock import iso
from sandbox.engine import Engine
from sandbox.events import Event, EventBus
from sandbox.models import FINAL_STATUSES, Message, Outbound, Sender, WorkflowRef

BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

WorkflowStatus = Literal["active", "completed", "failed", "error"]


def new_workflow_id() -> str:
    """55 base58 characters, the shape of the ids in Vonage's examples."""
    return "".join(secrets.choice(BASE58) for _ in range(55))


@dataclass(slots=True)
class Step:
    item: int  # 1-based
    channel: str
    message_uuid: str | None = None
    status: str | None = None
    sent_at: float | None = None
    due: float | None = None  # Dispatch: when its expiry timer fires
    outcome: str | None = None  # why the workflow moved on, or how it ended here

    def to_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "channel": self.channel,
            "message_uuid": self.message_uuid,
            "status": self.status,
            "sent_at": None if self.sent_at is None else iso(self.sent_at),
            "due": None if self.due is None else iso(self.due),
            "outcome": self.outcome,
        }


@dataclass(slots=True)
class Workflow:
    id: str
    kind: Literal["v1", "dispatch"]
    items: list[Outbound]
    sender: Sender
    created_at: float
    steps: list[Step] = field(default_factory=list)
    status: WorkflowStatus = "active"
    current: int = 0  # index into items of the live step
    ended_at: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "created_at": iso(self.created_at),
            "ended_at": None if self.ended_at is None else iso(self.ended_at),
            "items_total": len(self.items),
            "current_item": self.current + 1,
            "application_id": self.sender.application_id,
            "steps": [s.to_dict() for s in self.steps],
        }


class Workflows:
    def __init__(self, engine: Engine, bus: EventBus, *, on_undeliverable: bool = False) -> None:
        self.engine = engine
        self.bus = bus
        self.on_undeliverable = on_undeliverable
        self.v1: dict[str, Workflow] = {}
        bus.subscribe(self._on_event)

    # -- v1 ----------------------------------------------------------------------------------
    def start_v1(self, primary: Outbound, failover: list[Outbound], sender: Sender) -> Workflow:
        items = [primary, *failover]
        wf = Workflow(
            new_workflow_id(),
            "v1",
            items,
            sender,
            self.engine.clock.now(),
            steps=[Step(i + 1, item.channel) for i, item in enumerate(items)],
        )
        self.v1[wf.id] = wf
        self._send_step(wf, 0)
        return wf

    def _send_step(self, wf: Workflow, index: int) -> Message:
        wf.current = index
        step = wf.steps[index]
        ref = WorkflowRef(wf.kind, wf.id, index + 1, len(wf.items))
        message = self.engine.send(
            wf.items[index], wf.sender, workflow=ref, by="api" if index == 0 else "failover"
        )
        step.message_uuid = message.uuid
        step.status = message.status
        step.sent_at = message.created_at
        self.bus.publish(Event("workflow.updated", wf, wf.sender.application_id))
        return message

    def _on_event(self, event: Event) -> None:
        if event.kind == "reset":
            self._reset(event.application_id)
            return
        if event.kind != "message.status":
            return
        message: Message = event.data
        ref = message.workflow
        if ref is None or ref.kind != "v1":
            return
        wf = self.v1.get(ref.id)
        if wf is None:
            return
        step = wf.steps[ref.item - 1]
        step.status = message.status
        if ref.item - 1 != wf.current or wf.status != "active":
            self.bus.publish(Event("workflow.updated", wf, wf.sender.application_id))
            return
        triggers = {"rejected", "undeliverable"} if self.on_undeliverable else {"rejected"}
        if message.status in triggers:
            if wf.current + 1 < len(wf.items):
                step.outcome = f"{message.status}: failed over to item {ref.item + 1}"
                self._send_step(wf, wf.current + 1)
                return
            step.outcome = f"{message.status}: no items left"
            self._end(wf, "failed")
        elif message.status in ("delivered", "read"):
            step.outcome = message.status
            self._end(wf, "completed")
        elif message.status in FINAL_STATUSES:
            step.outcome = f"{message.status}: not a failover trigger"
            self._end(wf, "failed")
        else:
            self.bus.publish(Event("workflow.updated", wf, wf.sender.application_id))

    def _end(self, wf: Workflow, status: WorkflowStatus) -> None:
        wf.status = status
        wf.ended_at = self.engine.clock.now()
        self.bus.publish(Event("workflow.updated", wf, wf.sender.application_id))

    def _reset(self, application_id: str | None) -> None:
        if application_id is None:
            self.v1.clear()
        else:
            self.v1 = {
                k: w for k, w in self.v1.items() if w.sender.application_id != application_id
            }
