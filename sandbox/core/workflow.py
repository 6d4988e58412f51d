"""What v1 failover and Dispatch share: a workflow of messages sent one after another, each a
step with its outcome, and the runner that follows the engine's status events to move it on.

:mod:`sandbox.core.failover` and :mod:`sandbox.core.dispatch` decide what a status means for
their kind of workflow; neither does any I/O.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from sandbox.core.clock import iso
from sandbox.core.engine import Engine
from sandbox.core.errors import StorageFailed
from sandbox.core.events import (
    EventBus,
    MessageStatus,
    MessageUpdated,
    Pruned,
    Reset,
    WorkflowUpdated,
)
from sandbox.core.models import REVOKED, Api, Outbound, Sender, WorkflowKind, WorkflowRef
from sandbox.core.scheduler import Scheduler, Timer

BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

WorkflowStatus = Literal["active", "completed", "failed", "error"]


def new_workflow_id() -> str:
    """55 base58 characters, the shape of the workflow ids in Vonage's examples."""
    return "".join(secrets.choice(BASE58) for _ in range(55))


@dataclass(slots=True)
class Step:
    item: int  # 1-based
    channel: str
    message_uuid: str | None = None
    status: str | None = None
    sent_at: float | None = None
    condition_status: str | None = None  # Dispatch only
    expiry_time: int | None = None  # Dispatch only
    due: float | None = None  # when its expiry timer fires
    timer: Timer | None = None
    outcome: str | None = None  # why the workflow moved on, or how it ended here

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "item": self.item,
            "channel": self.channel,
            "message_uuid": self.message_uuid,
            "status": self.status,
            "sent_at": None if self.sent_at is None else iso(self.sent_at),
            "due": None if self.due is None else iso(self.due),
            "outcome": self.outcome,
        }
        if self.condition_status is not None:
            out["condition_status"] = self.condition_status
            out["expiry_time"] = self.expiry_time
        return out


@dataclass(slots=True)
class Workflow:
    id: str
    kind: WorkflowKind
    items: list[Outbound]
    sender: Sender
    created_at: float
    steps: list[Step] = field(default_factory=list)
    status: WorkflowStatus = "active"
    current: int = 0  # index of the live step
    ended_at: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
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
        if self.kind == "dispatch":
            out["dispatch_uuid"] = self.id
            out["template"] = "failover"
        else:
            out["workflow_id"] = self.id
        return out


def goes_with(wf: Workflow, pruned_uuid: str) -> bool:
    """Whether the retention bound drops ``wf`` with one of its messages: an ended workflow
    goes with any of them; a live one with its live message, which nobody could move on any
    more (v1 has no timer; a Dispatch on its last item would wait for ever)."""
    return wf.status != "active" or wf.steps[wf.current].message_uuid == pruned_uuid


class Runner:
    """Starts workflows of one kind and moves them on as their messages' statuses arrive."""

    kind: ClassVar[WorkflowKind]
    api: ClassVar[Api]
    failed: ClassVar[WorkflowStatus]  # how a workflow whose last item failed ends

    def __init__(self, engine: Engine, bus: EventBus, scheduler: Scheduler) -> None:
        self.engine = engine
        self.bus = bus
        self.scheduler = scheduler
        self.table: dict[str, Workflow] = {}
        bus.on(MessageStatus, self._on_status)
        bus.on(MessageUpdated, self._on_updated)
        bus.on(Reset, self._on_reset)
        bus.on(Pruned, self._on_pruned)

    def get(self, workflow_id: str) -> Workflow | None:
        return self.table.get(workflow_id)

    def resume(self, wf: Workflow) -> None:
        """Take back a workflow kept across a restart (`--db`): it moves on as before."""
        self.table[wf.id] = wf
        if wf.status == "active":
            self._rearm(wf, wf.steps[wf.current], wf.current)

    def _rearm(self, wf: Workflow, step: Step, index: int) -> None:
        """Set the live step's timer again after a restart (Dispatch: its expiry)."""

    def _start(self, wf: Workflow) -> Workflow:
        self.table[wf.id] = wf
        try:
            with self.bus.batch():  # the workflow and its first message, kept together
                self._send_step(wf, 0)
        except StorageFailed:
            self.table.pop(wf.id, None)  # `--db` could not keep it: the request fails whole
            for step in wf.steps:
                self._disarm(step)
            raise
        return wf

    # -- hooks of each kind --------------------------------------------------------------------
    def _arm(self, wf: Workflow, step: Step, index: int) -> None:
        """Called as a step is sent (Dispatch starts its expiry timer here)."""

    def _status(self, wf: Workflow, step: Step, status: str) -> None:
        raise NotImplementedError

    def _ended(self, wf: Workflow) -> None:
        """Called once when a workflow ends."""

    # -- moving on -------------------------------------------------------------------------------
    def _send_step(self, wf: Workflow, index: int) -> None:
        wf.current = index
        step = wf.steps[index]
        now = self.engine.clock.now()
        self._arm(wf, step, index)
        step.sent_at = now
        self._changed(wf)
        message = self.engine.send(
            wf.items[index],
            wf.sender,
            api=self.api,
            workflow=WorkflowRef(wf.kind, wf.id, index + 1, len(wf.items)),
            by="api" if index == 0 else "failover",
        )
        step.message_uuid = message.uuid
        step.status = message.status
        self._changed(wf)  # now naming the step's message (what `--db` keeps, what pages show)

    def _next(self, wf: Workflow) -> None:
        if wf.current + 1 < len(wf.items):
            self._send_step(wf, wf.current + 1)
        else:
            self._end(wf, self.failed)

    def _end(self, wf: Workflow, status: WorkflowStatus) -> None:
        wf.status = status
        wf.ended_at = self.engine.clock.now()
        for step in wf.steps:
            self._disarm(step)
        self._changed(wf)
        self._ended(wf)

    def _disarm(self, step: Step) -> None:
        self.scheduler.cancel(step.timer)
        step.timer = None

    def _on_status(self, event: MessageStatus) -> None:
        message = event.message
        ref = message.workflow
        if ref is None or ref.kind != self.kind:
            return
        wf = self.table.get(ref.id)
        if wf is None:
            return
        index = ref.item - 1
        step = wf.steps[index]
        step.message_uuid = message.uuid
        step.status = message.status
        if index != wf.current or wf.status != "active":
            self._changed(wf)  # a late status of an earlier item: recorded, changes nothing
            return
        self._status(wf, step, message.status)

    def _on_updated(self, event: MessageUpdated) -> None:
        """The app revoked the live item: it took the message back on purpose, so no other
        item is sent in its place; the workflow ends there (Vonage documents nothing else)."""
        message = event.message
        ref = message.workflow
        if message.status != REVOKED or ref is None or ref.kind != self.kind:
            return
        wf = self.table.get(ref.id)
        if wf is None or wf.status != "active" or wf.current != ref.item - 1:
            return
        step = wf.steps[wf.current]
        step.status = REVOKED
        step.outcome = "revoked by the app: no further item is sent"
        self._end(wf, self.failed)

    def _changed(self, wf: Workflow) -> None:
        if self.bus.heard(WorkflowUpdated):
            self.bus.publish(WorkflowUpdated(wf))

    def _on_pruned(self, event: Pruned) -> None:
        for m in event.messages:
            ref = m.workflow
            if ref is not None and ref.kind == self.kind:
                wf = self.table.get(ref.id)
                if wf is not None and goes_with(wf, m.uuid):
                    for step in wf.steps:
                        self._disarm(step)
                    del self.table[ref.id]

    def _on_reset(self, event: Reset) -> None:
        if event.scope is None:
            self.table.clear()
            return
        for key in [k for k, w in self.table.items() if w.sender.application_id == event.scope]:
            del self.table[key]
