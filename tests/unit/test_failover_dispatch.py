"""The two workflow runners on the pure core: v1 `failover` arrays (move on when an item is
rejected, and undeliverable only when configured) and Dispatch (expiry timers on the virtual
clock, conditions, one final report), plus the report's body."""

from __future__ import annotations

from decimal import Decimal

from fake_channels import default_registry
from fake_channels.sms import SMS
from fake_channels.viber import VIBER
from fake_channels.whatsapp import WHATSAPP
from sandbox.core.config import RunConfig
from sandbox.core.dispatch import DispatchItem
from sandbox.core.events import DispatchEnded, MessageStatus, WorkflowUpdated
from sandbox.core.models import Message
from sandbox.core.workflow import BASE58, Workflow
from sandbox.wire.report import dispatch_report
from tests.unit.core_harness import (
    START,
    Core,
    dispatch_item,
    make_core,
    outbound,
    sender,
    statuses,
)


def step_message(core: Core, wf: Workflow, item: int) -> Message:
    """The message sent for 1-based ``item`` of ``wf``."""
    uuid = wf.steps[item - 1].message_uuid
    assert uuid is not None, f"item {item} was never sent"
    return core.engine.get(uuid)


def sent_items(wf: Workflow) -> list[int]:
    return [s.item for s in wf.steps if s.message_uuid is not None]


# -- v1 failover -----------------------------------------------------------------------------


def v1(core: Core, *failover: str) -> Workflow:
    channels = failover or ("sms",)
    return core.failover.start(
        outbound("whatsapp", text="primary"),
        [outbound(c, text=f"failover {i + 1}") for i, c in enumerate(channels)],
        sender(),
    )


def test_v1_start_sends_only_the_primary() -> None:
    core = make_core()
    wf = v1(core, "sms", "mms")
    assert wf.kind == "v1" and wf.status == "active" and wf.current == 0
    assert len(wf.id) == 55 and set(wf.id) <= set(BASE58)
    assert core.failover.get(wf.id) is wf and core.dispatches.get(wf.id) is None
    assert sent_items(wf) == [1] and core.store.count() == 1
    first = step_message(core, wf, 1)
    assert first.channel == "whatsapp" and first.api == "v1"
    assert first.workflow is not None
    assert (first.workflow.kind, first.workflow.id, first.workflow.item, first.workflow.total) == (
        "v1",
        wf.id,
        1,
        3,
    )
    assert wf.steps[0].status == "submitted" and wf.steps[0].sent_at == START
    assert len(core.scheduler) == 0  # v1 failover has no timer


def test_v1_rejected_moves_on_to_the_next_item_at_once() -> None:
    core = make_core()
    wf = v1(core, "sms")
    core.clock.move_to(START + 30)
    core.engine.mark(step_message(core, wf, 1).uuid, "rejected")
    assert wf.current == 1 and wf.status == "active"
    assert wf.steps[0].outcome == "rejected: failed over to item 2"
    second = step_message(core, wf, 2)
    assert second.channel == "sms" and second.text == "failover 1"
    assert second.workflow is not None and second.workflow.item == 2
    assert (second.created_at, second.history[0].by) == (START + 30, "failover")
    assert wf.steps[1].sent_at == START + 30


def test_v1_status_events_come_in_cause_order() -> None:
    core = make_core()
    wf = v1(core, "sms")
    first = step_message(core, wf, 1)
    core.events.clear()
    core.engine.mark(first.uuid, "rejected")
    second = step_message(core, wf, 2)
    status_events = [(e.message.uuid, e.change.status) for e in core.of(MessageStatus)]
    # The rejection is seen first (the recorder subscribed before the runner).
    assert status_events == [(first.uuid, "rejected"), (second.uuid, "submitted")]


def test_v1_delivered_completes_and_sends_nothing_more() -> None:
    core = make_core()
    wf = v1(core, "sms")
    core.clock.move_to(START + 5)
    core.engine.mark(step_message(core, wf, 1).uuid, "delivered")
    assert (wf.status, wf.ended_at, wf.steps[0].outcome) == ("completed", START + 5, "delivered")
    assert sent_items(wf) == [1]
    core.advance(86400)
    assert core.store.count() == 1


def test_v1_read_from_submitted_completes_once() -> None:
    core = make_core()
    wf = v1(core, "sms")
    updates = core.record(WorkflowUpdated)
    core.engine.mark(step_message(core, wf, 1).uuid, "read")
    assert wf.status == "completed" and wf.steps[0].outcome == "delivered"
    assert wf.steps[0].status == "read"  # the later read is recorded on the step
    assert updates and all(u.workflow is wf for u in updates)  # a listener gets them


def test_v1_undeliverable_is_not_a_trigger_by_default() -> None:
    core = make_core()
    wf = v1(core, "sms")
    core.engine.mark(step_message(core, wf, 1).uuid, "undeliverable")
    assert wf.status == "failed"
    assert wf.steps[0].outcome == "undeliverable: not a failover trigger"
    assert sent_items(wf) == [1]


def test_v1_undeliverable_moves_on_when_configured() -> None:
    core = make_core()
    core.engine.configure({"failover_on_undeliverable": True})
    assert core.failover.triggers() == {"rejected", "undeliverable"}
    wf = v1(core, "sms")
    core.engine.mark(step_message(core, wf, 1).uuid, "undeliverable")
    assert wf.status == "active" and sent_items(wf) == [1, 2]
    assert wf.steps[0].outcome == "undeliverable: failed over to item 2"


def test_v1_the_setting_is_read_when_the_status_arrives() -> None:
    core = make_core()
    wf = v1(core, "sms")
    core.engine.configure({"failover_on_undeliverable": True})  # after the workflow started
    core.engine.mark(step_message(core, wf, 1).uuid, "undeliverable")
    assert sent_items(wf) == [1, 2]


def test_v1_last_item_rejected_fails_the_workflow() -> None:
    core = make_core()
    wf = v1(core, "sms", "mms")
    core.engine.mark(step_message(core, wf, 1).uuid, "rejected")
    core.engine.mark(step_message(core, wf, 2).uuid, "rejected")
    assert wf.steps[1].outcome == "rejected: failed over to item 3"
    core.clock.move_to(START + 9)
    core.engine.mark(step_message(core, wf, 3).uuid, "rejected")
    assert (wf.status, wf.ended_at) == ("failed", START + 9)
    assert wf.steps[2].outcome == "rejected: no items left"
    assert core.store.count() == 3


def test_v1_second_item_delivered_completes() -> None:
    core = make_core()
    wf = v1(core, "sms")
    core.engine.mark(step_message(core, wf, 1).uuid, "rejected")
    core.engine.mark(step_message(core, wf, 2).uuid, "delivered")
    assert wf.status == "completed" and wf.steps[1].outcome == "delivered"
    assert [s.status for s in wf.steps] == ["rejected", "delivered"]


def test_v1_auto_deliver_completes_the_workflow_on_the_clock() -> None:
    core = make_core(RunConfig(auto_deliver=3.0))
    wf = v1(core, "sms")
    core.advance(2)
    assert wf.status == "active"
    core.advance(1)
    assert (wf.status, wf.ended_at) == ("completed", START + 3)


def test_v1_reset_of_the_application_forgets_the_workflow() -> None:
    core = make_core()
    mine = v1(core)
    other = core.failover.start(outbound("sms"), [outbound("mms")], sender("app-other"))
    core.engine.reset("app-1")
    assert core.failover.get(mine.id) is None and core.failover.get(other.id) is other
    core.engine.reset()
    assert core.failover.get(other.id) is None


# -- Dispatch -------------------------------------------------------------------------------


def dispatch(core: Core, *items: DispatchItem) -> Workflow:
    return core.dispatches.start(list(items), sender())


def test_dispatch_start_sends_item_one_and_arms_its_timer() -> None:
    core = make_core()
    wf = dispatch(core, dispatch_item("viber_service", "read", 600), dispatch_item("sms", None))
    assert wf.kind == "dispatch" and len(wf.id) == 36
    first = step_message(core, wf, 1)
    assert first.api == "dispatch" and first.workflow is not None
    assert (first.workflow.kind, first.workflow.item, first.workflow.total) == ("dispatch", 1, 2)
    step = wf.steps[0]
    assert (step.condition_status, step.expiry_time, step.due) == ("read", 600, START + 600)
    (timer,) = core.scheduler.pending()
    assert (timer.kind, timer.due, timer.ref, timer.owner) == (
        "failover",
        START + 600,
        wf.id,
        "app-1",
    )
    assert wf.steps[1].condition_status is None and wf.steps[1].due is None


def test_dispatch_expiry_sends_the_next_item_on_the_virtual_clock() -> None:
    core = make_core()
    wf = dispatch(core, dispatch_item("viber_service", "read", 600), dispatch_item("sms", None))
    core.engine.mark(step_message(core, wf, 1).uuid, "delivered")  # not the condition
    core.advance(599)
    assert sent_items(wf) == [1] and wf.status == "active"
    core.advance(1)
    assert sent_items(wf) == [1, 2] and wf.current == 1
    second = step_message(core, wf, 2)
    assert (second.created_at, second.history[0].by) == (START + 600, "failover")
    assert wf.steps[0].outcome == "expired: not read within 600 s (it was delivered)"
    assert len(core.scheduler) == 0  # the last item has no timer


def test_dispatch_each_timer_starts_when_its_item_is_sent() -> None:
    core = make_core()
    wf = dispatch(
        core,
        dispatch_item("whatsapp", "delivered", 60),
        dispatch_item("viber_service", "read", 30),
        dispatch_item("sms", None),
    )
    core.advance(60)
    assert wf.steps[1].sent_at == START + 60 and wf.steps[1].due == START + 90
    core.advance(29)
    assert sent_items(wf) == [1, 2]
    core.advance(1)
    assert sent_items(wf) == [1, 2, 3] and wf.steps[2].sent_at == START + 90


def test_dispatch_condition_delivered_met_in_time_completes() -> None:
    core = make_core()
    ended = core.record(DispatchEnded)
    wf = dispatch(core, dispatch_item("whatsapp", "delivered", 600), dispatch_item("sms", None))
    core.advance(100)
    core.engine.mark(step_message(core, wf, 1).uuid, "delivered")
    assert (wf.status, wf.ended_at) == ("completed", START + 100)
    assert wf.steps[0].outcome == "delivered in time: condition delivered met"
    assert len(core.scheduler) == 0 and wf.steps[0].timer is None
    core.advance(1000)
    assert sent_items(wf) == [1]
    assert [e.workflow for e in ended] == [wf]


def test_dispatch_condition_read_is_met_by_read_only() -> None:
    core = make_core()
    ended = core.record(DispatchEnded)
    wf = dispatch(core, dispatch_item("whatsapp", "read", 600), dispatch_item("sms", None))
    core.engine.mark(step_message(core, wf, 1).uuid, "read")  # delivered, then read
    assert wf.status == "completed"
    assert wf.steps[0].outcome == "read in time: condition read met"
    assert len(ended) == 1


def test_dispatch_read_reaches_a_delivered_condition_once() -> None:
    core = make_core()
    ended = core.record(DispatchEnded)
    wf = dispatch(core, dispatch_item("whatsapp", "delivered", 600), dispatch_item("sms", None))
    core.engine.mark(step_message(core, wf, 1).uuid, "read")
    assert wf.status == "completed" and wf.steps[0].status == "read"
    assert len(ended) == 1


def test_dispatch_failure_moves_on_at_once() -> None:
    core = make_core()
    wf = dispatch(
        core,
        dispatch_item("whatsapp", "read", 600),
        dispatch_item("viber_service", "read", 300),
        dispatch_item("sms", None),
    )
    core.clock.move_to(START + 10)
    core.engine.mark(step_message(core, wf, 1).uuid, "undeliverable")
    assert sent_items(wf) == [1, 2] and wf.steps[1].sent_at == START + 10
    assert wf.steps[0].outcome == "undeliverable: failed at once, moved on"
    # Only the second item's timer is left; the first one's was cancelled.
    assert [(t.due, t.ref) for t in core.scheduler.pending()] == [(START + 310, wf.id)]
    core.engine.mark(step_message(core, wf, 2).uuid, "rejected")
    assert sent_items(wf) == [1, 2, 3] and len(core.scheduler) == 0


def test_dispatch_last_item_failing_ends_in_error() -> None:
    core = make_core()
    ended = core.record(DispatchEnded)
    wf = dispatch(core, dispatch_item("whatsapp", "read", 60), dispatch_item("sms", None))
    core.advance(60)
    core.engine.mark(step_message(core, wf, 2).uuid, "rejected")
    assert (wf.status, wf.ended_at) == ("error", START + 60)
    assert wf.steps[1].outcome == "rejected: failed at once"
    assert [e.workflow.status for e in ended] == ["error"]


def test_dispatch_last_item_delivered_completes() -> None:
    core = make_core()
    ended = core.record(DispatchEnded)
    wf = dispatch(core, dispatch_item("whatsapp", "read", 60), dispatch_item("sms", None))
    core.advance(60)
    core.engine.mark(step_message(core, wf, 2).uuid, "delivered")
    assert wf.status == "completed" and wf.steps[1].outcome == "delivered"
    assert len(ended) == 1 and ended[0].summary()["status"] == "completed"


def test_dispatch_last_item_waits_without_a_timer() -> None:
    core = make_core()
    ended = core.record(DispatchEnded)
    wf = dispatch(core, dispatch_item("whatsapp", "read", 60), dispatch_item("sms", None))
    core.advance(10 * 86400)
    assert wf.status == "active" and wf.current == 1 and ended == []


def test_dispatch_a_late_status_of_an_earlier_item_changes_nothing() -> None:
    core = make_core()
    ended = core.record(DispatchEnded)
    wf = dispatch(core, dispatch_item("whatsapp", "read", 60), dispatch_item("sms", None))
    core.advance(60)
    core.engine.mark(step_message(core, wf, 1).uuid, "read")  # too late
    assert wf.status == "active" and wf.current == 1
    assert wf.steps[0].status == "read"  # recorded
    assert wf.steps[0].outcome is not None and wf.steps[0].outcome.startswith("expired")
    assert ended == []


def test_dispatch_ends_exactly_once_whatever_follows() -> None:
    core = make_core(RunConfig(auto_deliver=1.0, auto_read=1.0))
    ended = core.record(DispatchEnded)
    wf = dispatch(core, dispatch_item("whatsapp", "delivered", 30), dispatch_item("sms", None))
    core.advance(100)  # delivered at 1 (completes), read at 2 (late)
    assert wf.status == "completed" and wf.ended_at == START + 1
    assert statuses(step_message(core, wf, 1).history) == ["submitted", "delivered", "read"]
    assert len(ended) == 1 and sent_items(wf) == [1]


def test_dispatch_reset_cancels_its_timers() -> None:
    core = make_core()
    wf = dispatch(core, dispatch_item("whatsapp", "read", 60), dispatch_item("sms", None))
    core.engine.reset("app-1")
    assert core.dispatches.get(wf.id) is None and len(core.scheduler) == 0
    core.advance(120)
    assert core.store.count() == 0


# -- the Dispatch report ----------------------------------------------------------------------


def test_report_of_a_rejected_then_delivered_workflow() -> None:
    core = make_core()
    wf = dispatch(
        core,
        dispatch_item("sms", "delivered", 60),
        DispatchItem(
            outbound("whatsapp", message_type="template", content={"template": {"name": "t"}}),
            None,
        ),
    )
    first = step_message(core, wf, 1)
    core.engine.mark(first.uuid, "rejected")
    core.clock.move_to(START + 5)
    second = step_message(core, wf, 2)
    core.engine.mark(second.uuid, "delivered")
    report = dispatch_report(wf, default_registry())
    assert report["dispatch_uuid"] == wf.id and report["template"] == "failover"
    assert report["status"] == "completed"
    assert report["timestamp"] == "2023-11-14T22:13:25.000Z"  # START + 5
    assert report["_links"]["messages"] == [
        {
            "message_uuid": first.uuid,
            "href": f"/v0.1/messages/{first.uuid}",
            "channel": "sms",
            "status": "rejected",
        },
        {
            "message_uuid": second.uuid,
            "href": f"/v0.1/messages/{second.uuid}",
            "channel": "whatsapp",
            "status": "delivered",
            "usage": {"currency": "EUR", "price": WHATSAPP.price},
        },
    ]
    # Nothing is charged for the rejected SMS: the total is the template alone.
    assert report["usage"] == {"price": "0.0147", "currency": "EUR"}


def test_report_total_is_the_sum_of_what_was_sent() -> None:
    core = make_core()
    wf = dispatch(core, dispatch_item("viber_service", "read", 60), dispatch_item("sms", None))
    core.advance(60)
    core.engine.mark(step_message(core, wf, 2).uuid, "undeliverable")
    assert wf.status == "error"
    report = dispatch_report(wf, default_registry())
    links = report["_links"]["messages"]
    assert [(x["channel"], x["status"]) for x in links] == [
        ("viber_service_msg", "submitted"),
        ("sms", "undeliverable"),
    ]
    assert [x["usage"]["price"] for x in links] == [VIBER.price, SMS.price]
    expected = Decimal(VIBER.price) + Decimal(SMS.price)
    assert report["usage"]["price"] == f"{expected:.4f}" == "0.0433"
    assert report["status"] == "error"


def test_report_lists_only_items_that_were_sent() -> None:
    core = make_core()
    wf = dispatch(core, dispatch_item("whatsapp", "delivered", 60), dispatch_item("sms", None))
    core.engine.mark(step_message(core, wf, 1).uuid, "delivered")
    report = dispatch_report(wf, default_registry())
    (link,) = report["_links"]["messages"]
    # A WhatsApp text (not a template) is free: price "0", total four decimals of zero.
    assert link["usage"] == {"currency": "EUR", "price": "0"}
    assert report["usage"]["price"] == "0.0000"


def test_report_of_an_active_workflow_is_stamped_with_its_start() -> None:
    core = make_core()
    wf = dispatch(core, dispatch_item("whatsapp", "delivered", 60), dispatch_item("sms", None))
    assert wf.ended_at is None
    assert dispatch_report(wf, default_registry())["timestamp"] == "2023-11-14T22:13:20.000Z"
