"""The engine on its own: sends, status marks, replies, the inbox's seen marks, accounts,
applications, run-time configuration and resets; the auto-deliver and auto-read handsets on the
virtual clock. No HTTP: the parts are constructed directly (tests/unit/core_harness.py)."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.core.config import RunConfig
from sandbox.core.error_codes import ASYNC_ERRORS, DEFAULT_ERROR
from sandbox.core.errors import (
    BadControlRequest,
    ControlNotFound,
    IllegalTransition,
    NotFound,
    UnsupportedOperation,
)
from sandbox.core.events import (
    AccountUpdated,
    ApplicationUpdated,
    ConfigUpdated,
    ConversationSeen,
    MessageCreated,
    MessageInbound,
    MessageStatus,
    MessageUpdated,
    Reset,
)
from sandbox.core.models import Sender
from tests.unit.core_harness import (
    APP_ID,
    APP_NUMBER,
    START,
    USER,
    inbound,
    make_core,
    outbound,
    sender,
    statuses,
)

# -- send ----------------------------------------------------------------------------------


def test_send_stores_a_submitted_message_with_the_draft_and_sender() -> None:
    core = make_core()
    draft = outbound("sms", text="code 1234", client_ref="ref-7", webhook_url="http://h/s")
    m = core.engine.send(draft, Sender(application_id="app-9", api_key="key-9"), api="v0.1")
    assert core.store.get(m.uuid) is m
    assert (m.direction, m.channel, m.to, m.from_) == ("outbound", "sms", USER, APP_NUMBER)
    assert m.content == {"text": "code 1234"} and m.text == "code 1234"
    assert (m.client_ref, m.webhook_url, m.api) == ("ref-7", "http://h/s", "v0.1")
    assert (m.application_id, m.api_key) == ("app-9", "key-9")
    assert m.status == "submitted" and m.created_at == START
    assert [(c.status, c.at, c.by) for c in m.history] == [("submitted", START, "api")]
    assert m.options is None  # an empty option dict is not kept
    assert m.workflow is None


def test_send_publishes_created_then_submitted() -> None:
    core = make_core()
    m = core.engine.send(outbound(), sender())
    assert core.kinds() == ["message.created", "message.status"]
    created, status = core.events
    assert isinstance(created, MessageCreated) and created.message is m
    assert isinstance(status, MessageStatus) and status.message is m
    assert status.change is m.history[0] and status.change.status == "submitted"
    assert status.application_id == APP_ID


def test_each_send_gets_its_own_uuid() -> None:
    core = make_core()
    uuids = {core.engine.send(outbound(), sender()).uuid for _ in range(20)}
    assert len(uuids) == 20 and core.store.count() == 20


def test_get_of_an_unknown_uuid_is_not_found() -> None:
    core = make_core()
    with pytest.raises(NotFound):
        core.engine.get("no-such-uuid")


# -- mark ----------------------------------------------------------------------------------


def test_mark_delivered_appends_one_change_and_publishes_it() -> None:
    core = make_core()
    m = core.engine.send(outbound(), sender())
    core.clock.move_to(START + 7)
    seen = core.record(MessageStatus)
    core.engine.mark(m.uuid, "delivered")
    assert m.status == "delivered"
    assert [(c.status, c.at, c.by, c.error_code) for c in m.history[1:]] == [
        ("delivered", START + 7, "control", None)
    ]
    assert [(e.change.status, e.message.uuid) for e in seen] == [("delivered", m.uuid)]


def test_mark_read_from_submitted_reports_delivered_first() -> None:
    core = make_core()
    m = core.engine.send(outbound("whatsapp"), sender())
    seen = core.record(MessageStatus)
    core.engine.mark(m.uuid, "read", by="ui")
    assert statuses(m.history) == ["submitted", "delivered", "read"]
    assert [e.change.status for e in seen] == ["delivered", "read"]
    assert {c.by for c in m.history[1:]} == {"ui"}
    assert m.history[1].at == m.history[2].at == START


def test_mark_read_after_delivered_is_one_step() -> None:
    core = make_core()
    m = core.engine.send(outbound("viber_service", from_="16273"), sender())
    core.engine.mark(m.uuid, "delivered")
    seen = core.record(MessageStatus)
    core.engine.mark(m.uuid, "read")
    assert [e.change.status for e in seen] == ["read"]


@pytest.mark.parametrize("status", ["rejected", "undeliverable"])
def test_a_failure_without_a_code_gets_the_default_code_and_its_reason(status: str) -> None:
    core = make_core()
    m = core.engine.send(outbound(), sender())
    core.engine.mark(m.uuid, status)
    last = m.last_change
    assert last.status == status
    assert last.error_code == DEFAULT_ERROR[status]
    assert last.reason == ASYNC_ERRORS[DEFAULT_ERROR[status]]


def test_a_failure_keeps_the_chosen_code_and_reason() -> None:
    core = make_core()
    m = core.engine.send(outbound(), sender())
    core.engine.mark(m.uuid, "undeliverable", error_code=1220)
    assert (m.last_change.error_code, m.last_change.reason) == (1220, ASYNC_ERRORS[1220])
    m2 = core.engine.send(outbound(), sender())
    core.engine.mark(m2.uuid, "rejected", error_code=1050, reason="barred by the test")
    assert (m2.last_change.error_code, m2.last_change.reason) == (1050, "barred by the test")


def test_an_unknown_error_code_is_refused_and_changes_nothing() -> None:
    core = make_core()
    m = core.engine.send(outbound(), sender())
    assert 9999 not in ASYNC_ERRORS
    seen = core.record(MessageStatus)
    with pytest.raises(BadControlRequest) as exc:
        core.engine.mark(m.uuid, "rejected", error_code=9999)
    assert exc.value.status == 422
    assert [p["name"] for p in exc.value.body()["invalid_parameters"]] == ["error_code"]
    assert m.status == "submitted" and len(m.history) == 1 and seen == []


@pytest.mark.parametrize("status", ["delivered", "read"])
def test_an_error_code_goes_only_with_a_failure(status: str) -> None:
    core = make_core()
    m = core.engine.send(outbound("whatsapp"), sender())
    with pytest.raises(BadControlRequest) as exc:
        core.engine.mark(m.uuid, status, error_code=1250)
    assert exc.value.body()["invalid_parameters"][0]["name"] == "error_code"
    assert m.status == "submitted"


@pytest.mark.parametrize("status", ["submitted", "sent", "received", ""])
def test_only_markable_statuses_are_accepted(status: str) -> None:
    core = make_core()
    m = core.engine.send(outbound(), sender())
    with pytest.raises(BadControlRequest) as exc:
        core.engine.mark(m.uuid, status)
    assert exc.value.body()["invalid_parameters"][0]["name"] == "status"
    assert m.status == "submitted"


def test_marking_an_unknown_message_is_not_found() -> None:
    core = make_core()
    with pytest.raises(NotFound):
        core.engine.mark("nope", "delivered")


@pytest.mark.parametrize(
    ("channel", "first", "then"),
    [
        ("sms", "delivered", "delivered"),  # the same status again
        ("sms", "delivered", "rejected"),  # statuses only move forward
        ("sms", "delivered", "undeliverable"),
        ("sms", None, "read"),  # SMS has no read receipts
        ("mms", "delivered", "read"),  # neither has MMS
        ("sms", "rejected", "delivered"),  # nothing follows a final status
        ("sms", "undeliverable", "rejected"),
        ("whatsapp", "rejected", "read"),
        ("whatsapp", "read", "read"),
        ("whatsapp", "read", "delivered"),
        ("messenger", "read", "undeliverable"),
    ],
)
def test_illegal_transitions(channel: str, first: str | None, then: str) -> None:
    core = make_core()
    addr: dict[str, Any] = {"messenger": {"to": "psid-1", "from_": "page-1"}}.get(channel, {})
    m = core.engine.send(outbound(channel, **addr), sender())
    if first is not None:
        core.engine.mark(m.uuid, first)
    before = m.history
    with pytest.raises(IllegalTransition) as exc:
        core.engine.mark(m.uuid, then)
    assert exc.value.status == 409
    assert m.history == before


def test_inbound_messages_cannot_be_marked() -> None:
    core = make_core()
    m = core.engine.receive(inbound())
    with pytest.raises(IllegalTransition):
        core.engine.mark(m.uuid, "delivered")
    assert core.engine.allowed_marks(m) == []


def test_allowed_marks_follow_the_rules_of_mark() -> None:
    core = make_core()
    sms = core.engine.send(outbound("sms"), sender())
    wa = core.engine.send(outbound("whatsapp"), sender())
    assert core.engine.allowed_marks(sms) == ["delivered", "rejected", "undeliverable"]
    assert core.engine.allowed_marks(wa) == ["delivered", "read", "rejected", "undeliverable"]
    core.engine.mark(sms.uuid, "delivered")
    core.engine.mark(wa.uuid, "delivered")
    assert core.engine.allowed_marks(sms) == []
    assert core.engine.allowed_marks(wa) == ["read"]
    core.engine.mark(wa.uuid, "read")
    assert core.engine.allowed_marks(wa) == []
    failed = core.engine.send(outbound("whatsapp"), sender())
    core.engine.mark(failed.uuid, "undeliverable")
    assert core.engine.allowed_marks(failed) == []


def test_every_allowed_mark_is_accepted_and_others_are_refused() -> None:
    core = make_core()
    for channel in ("sms", "whatsapp"):
        probe = core.engine.send(outbound(channel), sender())
        allowed = core.engine.allowed_marks(probe)
        for status in ("delivered", "read", "rejected", "undeliverable"):
            m = core.engine.send(outbound(channel), sender())
            if status in allowed:
                core.engine.mark(m.uuid, status)
                assert m.status == status
            else:
                with pytest.raises(IllegalTransition):
                    core.engine.mark(m.uuid, status)


# -- auto-deliver and auto-read -------------------------------------------------------------


def test_auto_deliver_marks_after_the_delay_on_the_virtual_clock() -> None:
    core = make_core(RunConfig(auto_deliver=2.0))
    m = core.engine.send(outbound(), sender())
    assert [t.kind for t in core.scheduler.pending()] == ["auto-deliver"]
    assert (
        core.scheduler.pending()[0].due == START + 2 and core.scheduler.pending()[0].ref == m.uuid
    )
    core.advance(1.999)
    assert m.status == "submitted"
    moved = core.advance(0.001)
    assert moved.fired == 1
    assert m.status == "delivered"
    assert (m.last_change.at, m.last_change.by) == (START + 2, "auto")
    assert len(core.scheduler) == 0  # SMS has no read receipts: nothing more to do


def test_auto_read_follows_auto_deliver_on_channels_with_read_receipts() -> None:
    core = make_core(RunConfig(auto_deliver=2.0, auto_read=3.0))
    m = core.engine.send(outbound("whatsapp"), sender())
    seen = core.record(MessageStatus)
    core.advance(10)
    assert [(e.change.status, e.change.at, e.change.by) for e in seen] == [
        ("delivered", START + 2, "auto"),
        ("read", START + 5, "auto"),
    ]
    assert core.clock.now() == START + 10
    assert m.status == "read"


def test_auto_read_also_follows_a_manual_delivered() -> None:
    core = make_core(RunConfig(auto_read=4.0))
    m = core.engine.send(outbound("messenger", to="psid-1", from_="page-1"), sender())
    assert len(core.scheduler) == 0  # no auto_deliver
    core.clock.move_to(START + 1)
    core.engine.mark(m.uuid, "delivered")
    assert [(t.kind, t.due) for t in core.scheduler.pending()] == [("auto-read", START + 5)]
    core.advance(4)
    assert m.status == "read" and m.last_change.by == "auto"


def test_auto_read_is_not_scheduled_without_read_receipts() -> None:
    core = make_core(RunConfig(auto_deliver=1.0, auto_read=1.0))
    m = core.engine.send(outbound("mms"), sender())
    core.advance(60)
    assert statuses(m.history) == ["submitted", "delivered"]
    assert len(core.scheduler) == 0


def test_a_manual_mark_before_the_timer_wins() -> None:
    core = make_core(RunConfig(auto_deliver=5.0))
    m = core.engine.send(outbound(), sender())
    core.engine.mark(m.uuid, "rejected")
    core.advance(10)
    assert statuses(m.history) == ["submitted", "rejected"]


def test_manual_read_before_auto_read_leaves_one_read() -> None:
    core = make_core(RunConfig(auto_deliver=1.0, auto_read=10.0))
    m = core.engine.send(outbound("whatsapp"), sender())
    core.advance(2)
    assert m.status == "delivered"
    core.engine.mark(m.uuid, "read")
    core.advance(20)
    assert statuses(m.history) == ["submitted", "delivered", "read"]
    assert m.last_change.by == "control"


def test_auto_deliver_zero_fires_when_the_clock_catches_up() -> None:
    core = make_core(RunConfig(auto_deliver=0.0))
    m = core.engine.send(outbound(), sender())
    assert m.status == "submitted"  # the engine only schedules
    assert core.timeline.fire_due() == 1
    assert m.status == "delivered" and core.clock.now() == START


def test_auto_timers_fire_in_due_order_across_messages() -> None:
    core = make_core(RunConfig(auto_deliver=3.0))
    first = core.engine.send(outbound(text="first"), sender())
    core.clock.move_to(START + 1)
    second = core.engine.send(outbound(text="second"), sender())
    seen = core.record(MessageStatus)
    core.advance(5)
    assert [(e.message.uuid, e.change.at) for e in seen] == [
        (first.uuid, START + 3),
        (second.uuid, START + 4),
    ]


# -- inbound -------------------------------------------------------------------------------


def test_receive_stores_an_inbound_message_and_publishes_it() -> None:
    core = make_core()
    m = core.engine.receive(inbound(text="STOP please"))
    assert core.kinds() == ["message.created", "message.inbound"]
    assert isinstance(core.events[1], MessageInbound) and core.events[1].message is m
    assert (m.direction, m.status, m.api, m.peer) == ("inbound", "received", "sandbox", USER)
    assert [(c.status, c.by) for c in m.history] == [("received", "user")]
    assert m.application_id is None and m.api_key is None and not m.seen
    assert m.extra is None  # an empty extras dict is not kept


def test_a_reply_belongs_to_the_application_that_last_wrote_from_that_address() -> None:
    core = make_core()
    core.engine.send(outbound(from_=APP_NUMBER), sender("app-a"))
    core.engine.send(outbound(from_="447700900999"), sender("app-b"))
    reply = core.engine.receive(inbound(to=APP_NUMBER))
    assert reply.application_id == "app-a"
    other = core.engine.receive(inbound(to="447700900999"))
    assert other.application_id == "app-b"
    stranger = core.engine.receive(inbound(to="447700900555"))
    assert stranger.application_id is None


def test_the_latest_outbound_decides_the_owner() -> None:
    core = make_core()
    core.engine.send(outbound(), sender("app-old"))
    core.engine.send(outbound(), sender("app-new"))
    assert core.engine.receive(inbound()).application_id == "app-new"


def test_a_named_application_is_created_and_lends_its_api_key() -> None:
    core = make_core()
    core.engine.update_application("app-x", {"api_key": "key-x"})
    m = core.engine.receive(inbound(application_id="app-x", extra={"origin": {"x": 1}}))
    assert (m.application_id, m.api_key) == ("app-x", "key-x")
    assert m.extra == {"origin": {"x": 1}}
    core.events.clear()
    fresh = core.engine.receive(inbound(application_id="app-new"))
    assert fresh.application_id == "app-new" and fresh.api_key is None
    assert "app-new" in core.store.applications
    assert core.kinds() == ["application.updated", "message.created", "message.inbound"]


def test_mark_inbound_read_on_whatsapp() -> None:
    core = make_core()
    m = core.engine.receive(inbound("whatsapp"))
    core.clock.move_to(START + 3)
    updated = core.record(MessageUpdated)
    out = core.engine.mark_inbound_read(m.uuid, sender())
    assert out is m and m.status == "read"
    assert [(c.status, c.at, c.by) for c in m.history[1:]] == [("read", START + 3, "api")]
    assert [e.message for e in updated] == [m]
    core.engine.mark_inbound_read(m.uuid, sender())  # again: nothing new
    assert len(m.history) == 2 and len(updated) == 1
    assert core.of(MessageStatus) == []  # no status webhook for inbound messages


def test_mark_inbound_read_refuses_other_channels_and_outbound() -> None:
    core = make_core()
    sms_in = core.engine.receive(inbound("sms"))
    wa_out = core.engine.send(outbound("whatsapp"), sender())
    for uuid in (sms_in.uuid, wa_out.uuid):
        with pytest.raises(UnsupportedOperation) as exc:
            core.engine.mark_inbound_read(uuid, sender())
        assert exc.value.status == 422
    assert sms_in.status == "received" and wa_out.status == "submitted"
    with pytest.raises(NotFound):
        core.engine.mark_inbound_read("missing", sender())


def test_mark_seen_counts_only_unseen_inbound_messages() -> None:
    core = make_core()
    core.engine.send(outbound(), sender())
    a = core.engine.receive(inbound(text="one"))
    b = core.engine.receive(inbound(text="two"))
    core.engine.receive(inbound(from_="447700900777"))  # another conversation
    seen = core.record(ConversationSeen)
    assert core.engine.mark_seen("sms", USER) == 2
    assert a.seen and b.seen
    assert [(e.channel, e.peer, e.messages) for e in seen] == [("sms", USER, (a, b))]
    assert core.engine.mark_seen("sms", USER) == 0
    assert len(seen) == 1  # nothing new: no event
    c = core.engine.receive(inbound(text="three"))
    assert core.engine.mark_seen("sms", USER) == 1 and c.seen


def test_mark_seen_of_an_unknown_conversation() -> None:
    core = make_core()
    core.engine.receive(inbound("sms"))
    with pytest.raises(ControlNotFound):
        core.engine.mark_seen("whatsapp", USER)  # same user, other channel


# -- applications, accounts, configuration ----------------------------------------------------


def test_update_application_creates_then_keeps_fields_left_out() -> None:
    core = make_core()
    core.clock.move_to(START + 42)
    app = core.engine.update_application(
        "app-z", {"name": "Z", "status_url": "http://h/s", "bogus": "ignored"}
    )
    assert (app.id, app.name, app.status_url, app.created_at) == (
        "app-z",
        "Z",
        "http://h/s",
        START + 42,
    )
    assert not hasattr(app, "bogus")
    again = core.engine.update_application("app-z", {"inbound_url": "http://h/i"})
    assert again is app
    assert (app.name, app.status_url, app.inbound_url) == ("Z", "http://h/s", "http://h/i")
    assert all(isinstance(e, ApplicationUpdated) and e.app is app for e in core.events)
    assert core.events[-1].summary() == {
        "kind": "application.updated",
        "id": "app-z",
        "application_id": "app-z",
    }


def test_application_without_create_does_not_register() -> None:
    core = make_core()
    assert core.engine.application("ghost", create=False) is None
    assert core.store.applications == {} and core.events == []


def test_account_is_created_once_and_published_on_change_only() -> None:
    core = make_core()
    accounts = core.record(AccountUpdated)
    a = core.engine.account("key1")
    assert (a.api_key, a.api_secret) == ("key1", None)
    assert core.engine.account("key1") is a
    assert len(accounts) == 1  # created; the second look-up changed nothing
    core.engine.account("key1", {"api_secret": "s", "signature_secret": "sig", "api_key": "x"})
    assert (a.api_key, a.api_secret, a.signature_secret) == ("key1", "s", "sig")
    assert len(accounts) == 2 and accounts[-1].account is a
    assert core.store.accounts == {"key1": a}


def test_configure_changes_the_one_config_and_publishes_it() -> None:
    config = RunConfig()
    core = make_core(config)
    out = core.engine.configure({"auto_deliver": 1.5, "failover_on_undeliverable": True})
    assert out is config is core.engine.config
    assert (config.auto_deliver, config.failover_on_undeliverable) == (1.5, True)
    assert [e.config for e in core.of(ConfigUpdated)] == [config]
    m = core.engine.send(outbound(), sender())
    core.advance(1.5)
    assert m.status == "delivered"  # the change applies at once


def test_configure_refuses_unknown_settings() -> None:
    core = make_core()
    with pytest.raises(BadControlRequest) as exc:
        core.engine.configure({"no_such_setting": 1})
    assert exc.value.body()["invalid_parameters"][0]["name"] == "no_such_setting"
    assert core.of(ConfigUpdated) == []


def test_a_refused_configure_changes_nothing() -> None:
    core = make_core()
    with pytest.raises(BadControlRequest):
        core.engine.configure({"auto_deliver": 9.0, "no_such_setting": 1})
    assert core.engine.config.auto_deliver is None


# -- reset -------------------------------------------------------------------------------------


def test_reset_of_one_application_keeps_the_others() -> None:
    core = make_core(RunConfig(auto_deliver=5.0))
    a = core.engine.send(outbound(text="a"), sender("app-a"))
    b = core.engine.send(outbound(to="447700900222", text="b"), sender("app-b"))
    core.engine.update_application("app-a", {"name": "A"})
    core.engine.reset("app-a")
    assert core.store.get(a.uuid) is None and core.store.get(b.uuid) is b
    assert "app-a" not in core.store.applications
    assert [t.ref for t in core.scheduler.pending()] == [b.uuid]
    assert [e.scope for e in core.of(Reset)] == ["app-a"]
    core.advance(10)
    assert a.status == "submitted" and b.status == "delivered"


def test_full_reset_forgets_everything() -> None:
    core = make_core(RunConfig(auto_deliver=5.0))
    m = core.engine.send(outbound(), sender())
    core.engine.account("k")
    core.engine.reset()
    assert core.store.count() == 0 and core.store.accounts == {} and core.store.applications == {}
    assert len(core.scheduler) == 0
    assert core.of(Reset)[-1].scope is None
    core.advance(10)
    assert m.status == "submitted"


def test_a_forgotten_message_is_not_marked_by_its_timer() -> None:
    core = make_core(RunConfig(auto_deliver=5.0))
    m = core.engine.send(outbound(), sender(None))  # no application: its timer has no owner
    core.engine.reset("some-other-app")
    core.store.clear()  # the store forgets it; the timer is still pending
    assert len(core.scheduler) == 1
    seen = core.record(MessageStatus)
    core.advance(10)
    assert m.status == "submitted" and seen == []
