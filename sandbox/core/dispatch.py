"""Dispatch (`POST /v0.1/dispatch`, the 2018 failover API).

Each item but the last names a `condition_status` and an `expiry_time`. The item is sent and a
timer set on the virtual clock; reaching the condition in time completes the workflow; failing
at once (rejected / undeliverable) or the timer firing first sends the next item. The last item
ends it: `completed` when delivered, `error` when it fails. One final report goes out per
workflow (:class:`~sandbox.core.events.DispatchEnded`; its body is ``wire.report``).
"""

from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass
from typing import ClassVar, Literal

from sandbox.core.events import DispatchEnded
from sandbox.core.models import FINAL_STATUSES, Api, Outbound, Sender, WorkflowKind
from sandbox.core.workflow import Runner, Step, Workflow, WorkflowStatus

ConditionStatus = Literal["delivered", "read"]
REACHED: dict[str, frozenset[str]] = {
    "delivered": frozenset({"delivered", "read"}),
    "read": frozenset({"read"}),
}


@dataclass(slots=True)
class Condition:
    """An item's `failover` object: reach ``condition_status`` within ``expiry_time`` s."""

    expiry_time: int
    condition_status: ConditionStatus


@dataclass(slots=True)
class DispatchItem:
    message: Outbound
    failover: Condition | None  # None on the last item


class Dispatches(Runner):
    kind: ClassVar[WorkflowKind] = "dispatch"
    api: ClassVar[Api] = "dispatch"
    failed: ClassVar[WorkflowStatus] = "error"

    def start(self, items: list[DispatchItem], sender: Sender) -> Workflow:
        steps = [
            Step(
                i + 1,
                item.message.channel,
                condition_status=item.failover.condition_status if item.failover else None,
                expiry_time=item.failover.expiry_time if item.failover else None,
            )
            for i, item in enumerate(items)
        ]
        return self._start(
            Workflow(
                str(uuidlib.uuid4()),
                "dispatch",
                [i.message for i in items],
                sender,
                self.engine.clock.now(),
                steps=steps,
            )
        )

    def _arm(self, wf: Workflow, step: Step, index: int) -> None:
        if step.expiry_time is None:
            return
        # The timer starts when the item is sent.
        step.due = self.engine.clock.now() + step.expiry_time
        self._set_timer(wf, step, index)

    def _rearm(self, wf: Workflow, step: Step, index: int) -> None:
        if step.due is not None and step.outcome is None:
            self._set_timer(wf, step, index)  # due in the past: fires at the next move

    def _set_timer(self, wf: Workflow, step: Step, index: int) -> None:
        assert step.due is not None
        step.timer = self.scheduler.at(
            step.due,
            "failover",
            f"dispatch {wf.id[:8]}: item {step.item} ({step.channel}) must be "
            f"{step.condition_status} by now, else item {step.item + 1} is sent",
            lambda: self._expired(wf, index),
            owner=wf.sender.application_id,
            ref=wf.id,
        )

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

    def _status(self, wf: Workflow, step: Step, status: str) -> None:
        last = wf.current == len(wf.items) - 1
        if status in FINAL_STATUSES:
            self._disarm(step)
            step.outcome = f"{status}: failed at once" + ("" if last else ", moved on")
            self._next(wf)
        elif last and status in ("delivered", "read"):
            step.outcome = status
            self._end(wf, "completed")
        elif step.condition_status and status in REACHED[step.condition_status]:
            self._disarm(step)
            step.outcome = f"{status} in time: condition {step.condition_status} met"
            self._end(wf, "completed")
        else:
            self._changed(wf)

    def _ended(self, wf: Workflow) -> None:
        self.bus.publish(DispatchEnded(wf))
