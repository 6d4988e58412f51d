"""The retention bound: whole conversations go, quiet longest first; the one being written to
is only trimmed when it alone is over the bound."""

from __future__ import annotations

from sandbox.core.events import Pruned
from sandbox.core.models import Sender
from tests.unit.core_harness import inbound, make_core, outbound

APP = Sender(application_id="app-1")


def test_the_conversation_quiet_longest_goes_first_whole() -> None:
    core = make_core()
    core.engine.max_messages = 5
    pruned = core.record(Pruned)
    a1 = core.engine.send(outbound(to="447700900001"), APP)
    core.engine.send(outbound(to="447700900002"), APP)
    core.engine.send(outbound(to="447700900003"), APP)
    core.engine.receive(inbound(from_="447700900001"))  # A is active again: B is now oldest
    core.engine.send(outbound(to="447700900004"), APP)
    assert core.store.count() == 5 and pruned == []
    core.engine.send(outbound(to="447700900005"), APP)  # the 6th: over the bound
    assert core.store.count() == 5  # down to 95 % of 5, rounded: 5
    (event,) = pruned
    assert [m.to for m in event.messages] == ["447700900002"]
    assert core.store.get(a1.uuid) is a1  # A was written to later than B
    assert core.engine.pruned == 1


def test_one_conversation_over_the_bound_loses_its_oldest_messages_only() -> None:
    core = make_core()
    core.engine.max_messages = 40
    sent = [core.engine.send(outbound(text=f"m{i}"), APP) for i in range(41)]
    # Over 40: pruned down to 38 (95 %), oldest first, the newest kept.
    assert core.store.count() == 38
    kept = core.store.conversation(("sms", sent[0].to))
    assert [m.text for m in kept] == [f"m{i}" for i in range(3, 41)]
    assert core.store.get(sent[2].uuid) is None


def test_no_bound_keeps_everything_and_an_ended_workflow_goes_with_its_messages() -> None:
    core = make_core()
    for i in range(30):
        core.engine.send(outbound(to=f"4477009{i:05d}"), APP)
    assert core.store.count() == 30  # the fixture's default: no bound
    core.engine.max_messages = 10
    wf = core.failover.start(outbound("whatsapp", to="447700999999"), [outbound()], APP)
    core.engine.mark(wf.steps[0].message_uuid or "", "delivered")
    assert wf.status == "completed" and wf.id in core.failover.table
    for i in range(12):
        core.engine.send(outbound(to=f"4477008{i:05d}"), APP)
    assert core.store.count() <= 10
    assert wf.id not in core.failover.table
