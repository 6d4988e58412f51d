"""Failover: v1 `failover` arrays and Dispatch workflows. Both listen to the engine's status
events on the bus; neither does any I/O.

v1 (reference §4.5): the next item is sent when the live one is `rejected` (and, as an option,
`undeliverable`); there is no timer. Every status webhook carries the `workflow` object.

Dispatch (reference §8): each item but the last names a `condition_status` and an
`expiry_time`. The item is sent and a timer set; reaching the condition in time completes the
workflow; failing at once (rejected / undeliverable) or the timer firing first moves on to the
next item. The last item ends it: `completed` when delivered, `error` when it fails. One final
report goes out per workflow.
"""

from __future__ import annotations

import secrets
import uuid as uuidlib
from dataclasses import dataclass, field
from typing import Any, Literal

from fake_channels import Registry
from sandbox.core.clock import iso
from sandbox.core.engine import Engine
from sandbox.core.events import Event, EventBus
from sandbox.core.models import FINAL_STATUSES, Api, Message, Outbound, Sender, WorkflowRef
from sandbox.core.scheduler import Scheduler, Timer
from sandbox.wire.v01 import DispatchItem

BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

WorkflowStatus = Literal["active", "completed", "failed", "error"]
REACHED = {"delivered": {"delivered", "read"}, "read": {"read"}}


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
    kind: Literal["v1", "dispatch"]
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


class Workflows:
    def __init__(
        self,
        engine: Engine,
        bus: EventBus,
        scheduler: Scheduler,
        channels: Registry,
        *,
        on_undeliverable: bool = False,
    ) -> None:
        self.engine = engine
        self.bus = bus
        self.scheduler = scheduler
        self.channels = channels
        self.on_undeliverable = on_undeliverable
        self.v1: dict[str, Workflow] = {}
        self.dispatches: dict[str, Workflow] = {}
        bus.subscribe(self._on_event, ("message.status", "reset"))

    # -- starting ----------------------------------------------------------------------------
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

    def start_dispatch(self, items: list[DispatchItem], sender: Sender) -> Workflow:
        steps = [
            Step(
                i + 1,
                item.message.channel,
                condition_status=item.failover.condition_status if item.failover else None,
                expiry_time=item.failover.expiry_time if item.failover else None,
            )
            for i, item in enumerate(items)
        ]
        wf = Workflow(
            str(uuidlib.uuid4()),
            "dispatch",
            [i.message for i in items],
            sender,
            self.engine.clock.now(),
            steps=steps,
        )
        self.dispatches[wf.id] = wf
        self._send_step(wf, 0)
        return wf

    def get(self, workflow_id: str) -> Workflow | None:
        return self.v1.get(workflow_id) or self.dispatches.get(workflow_id)

    # -- moving on ---------------------------------------------------------------------------
    def _send_step(self, wf: Workflow, index: int) -> None:
        wf.current = index
        step = wf.steps[index]
        ref = WorkflowRef(wf.kind, wf.id, index + 1, len(wf.items))
        api: Api = "dispatch" if wf.kind == "dispatch" else "v1"
        now = self.engine.clock.now()
        if step.expiry_time is not None:
            # The timer starts when the item is sent (reference §8.3).
            step.due = now + step.expiry_time
            step.timer = self.scheduler.at(
                step.due,
                "failover",
                f"dispatch {wf.id[:8]}: item {step.item} ({step.channel}) must be "
                f"{step.condition_status} by now, else item {step.item + 1} is sent",
                lambda: self._expired(wf, index),
                owner=wf.sender.application_id,
                ref=wf.id,
            )
        step.sent_at = now
        self._changed(wf)
        message = self.engine.send(
            wf.items[index],
            wf.sender,
            api=api,
            workflow=ref,
            by="api" if index == 0 else "failover",
        )
        # The engine may already have moved it on (auto-deliver 0 fires later, not here).
        step.message_uuid = message.uuid
        step.status = message.status

    def _expired(self, wf: Workflow, index: int) -> None:
        step = wf.steps[index]
        step.timer = None
        if wf.status != "active" or wf.current != index:
            return
        step.outcome = (
            f"expired: not {step.condition_status} within {step.expiry_time} s "
            f"(it was {step.status})"
        )
        self._next(wf)

    def _next(self, wf: Workflow) -> None:
        if wf.current + 1 < len(wf.items):
            self._send_step(wf, wf.current + 1)
        else:
            self._end(wf, "error" if wf.kind == "dispatch" else "failed")

    def _on_event(self, event: Event) -> None:
        if event.kind == "reset":
            self._reset(event.application_id)
            return
        if event.kind != "message.status":
            return
        message: Message = event.data
        ref = message.workflow
        if ref is None:
            return
        wf = (self.v1 if ref.kind == "v1" else self.dispatches).get(ref.id)
        if wf is None:
            return
        index = ref.item - 1
        step = wf.steps[index]
        step.message_uuid = message.uuid
        step.status = message.status
        if index != wf.current or wf.status != "active":
            self._changed(wf)  # a late status of an earlier item: recorded, changes nothing
            return
        if wf.kind == "v1":
            self._v1_status(wf, step, message.status)
        else:
            self._dispatch_status(wf, step, message.status)

    def _v1_status(self, wf: Workflow, step: Step, status: str) -> None:
        triggers = {"rejected", "undeliverable"} if self.on_undeliverable else {"rejected"}
        if status in triggers:
            more = wf.current + 1 < len(wf.items)
            step.outcome = f"{status}: " + (
                f"failed over to item {step.item + 1}" if more else "no items left"
            )
            self._next(wf)
        elif status in ("delivered", "read"):
            step.outcome = status
            self._end(wf, "completed")
        elif status in FINAL_STATUSES:
            step.outcome = f"{status}: not a failover trigger"
            self._end(wf, "failed")
        else:
            self._changed(wf)

    def _dispatch_status(self, wf: Workflow, step: Step, status: str) -> None:
        last = wf.current == len(wf.items) - 1
        if status in FINAL_STATUSES:
            self.scheduler.cancel(step.timer)
            step.timer = None
            step.outcome = f"{status}: failed at once" + ("" if last else ", moved on")
            self._next(wf)
        elif last and status in ("delivered", "read"):
            step.outcome = status
            self._end(wf, "completed")
        elif step.condition_status and status in REACHED[step.condition_status]:
            self.scheduler.cancel(step.timer)
            step.timer = None
            step.outcome = f"{status} in time: condition {step.condition_status} met"
            self._end(wf, "completed")
        else:
            self._changed(wf)

    def _end(self, wf: Workflow, status: WorkflowStatus) -> None:
        wf.status = status
        wf.ended_at = self.engine.clock.now()
        for step in wf.steps:
            self.scheduler.cancel(step.timer)
            step.timer = None
        self._changed(wf)
        if wf.kind == "dispatch":
            self.bus.publish(
                Event(
                    "dispatch.report",
                    self.report(wf),
                    wf.sender.application_id,
                    {"api_key": wf.sender.api_key},
                )
            )

    def report(self, wf: Workflow) -> dict[str, Any]:
        """The one final Dispatch report (reference §8.4)."""
        links: list[dict[str, Any]] = []
        total = 0.0
        for step in wf.steps:
            if step.message_uuid is None:
                continue
            channel = self.channels[step.channel]
            entry: dict[str, Any] = {
                "message_uuid": step.message_uuid,
                "href": f"/v0.1/messages/{step.message_uuid}",
                "channel": channel.v01_name,
                "status": step.status,
            }
            if step.status != "rejected":
                entry["usage"] = {"currency": "EUR", "price": channel.price}
                total += float(channel.price)
            links.append(entry)
        return {
            "dispatch_uuid": wf.id,
            "template": "failover",
            "status": wf.status,
            "timestamp": iso(wf.ended_at if wf.ended_at is not None else wf.created_at),
            "usage": {"price": f"{total:.4f}", "currency": "EUR"},
            "_links": {"messages": links},
        }

    def _changed(self, wf: Workflow) -> None:
        self.bus.publish(Event("workflow.updated", wf, wf.sender.application_id))

    def _reset(self, application_id: str | None) -> None:
        if application_id is None:
            self.v1.clear()
            self.dispatches.clear()
            return
        for table in (self.v1, self.dispatches):
            for key in [k for k, w in table.items() if w.sender.application_id == application_id]:
                del table[key]
