"""v1 failover: a `failover` array in `POST /v1/messages`.

The next item is sent when the live one is `rejected` (and, with `failover_on_undeliverable`,
`undeliverable`); there is no timer. The workflow completes when an item is delivered or read
(Vonage's Messages failover guide: https://developer.vonage.com/en/messages/concepts/failover).
Every status webhook of its messages carries the `workflow` object.
"""

from __future__ import annotations

from typing import ClassVar

from sandbox.core.models import FINAL_STATUSES, Api, Outbound, Sender, WorkflowKind
from sandbox.core.workflow import Runner, Step, Workflow, WorkflowStatus, new_workflow_id


class Failover(Runner):
    kind: ClassVar[WorkflowKind] = "v1"
    api: ClassVar[Api] = "v1"
    failed: ClassVar[WorkflowStatus] = "failed"

    def start(self, primary: Outbound, failover: list[Outbound], sender: Sender) -> Workflow:
        items = [primary, *failover]
        return self._start(
            Workflow(
                new_workflow_id(),
                "v1",
                items,
                sender,
                self.engine.clock.now(),
                steps=[Step(i + 1, item.channel) for i, item in enumerate(items)],
            )
        )

    def triggers(self) -> frozenset[str]:
        """The statuses that move a v1 workflow on to its next item."""
        if self.engine.config.failover_on_undeliverable:
            return FINAL_STATUSES
        return frozenset({"rejected"})

    def _status(self, wf: Workflow, step: Step, status: str) -> None:
        if status in self.triggers():
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
