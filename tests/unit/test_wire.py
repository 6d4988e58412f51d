"""Wire formats without HTTP: v1 and v0.1/Dispatch request parsing into the model, and the
status and inbound webhook payloads rendered from it."""

from __future__ import annotations

from typing import Any

import pytest

from fake_channels import default_registry
from fake_channels.sms import INBOUND_PRICE, SMS
from sandbox.core.channel import NETWORK_CODE
from sandbox.core.dispatch import Condition
from sandbox.core.errors import V1_BASE, InvalidRequest
from sandbox.core.ids import stable_uuid
from sandbox.core.models import Message, StatusChange
from sandbox.wire.inbound import inbound_payload
from sandbox.wire.status import status_payload
from sandbox.wire.v01 import parse_dispatch, parse_message
from sandbox.wire.v1 import parse_send
from tests.unit.core_harness import (
    APP_NUMBER,
    START,
    USER,
    Core,
    dispatch_item,
    inbound,
    make_core,
    outbound,
    sender,
)

CHANNELS = default_registry()


def v1_sms(**extra: Any) -> dict[str, Any]:
    return {
        "channel": "sms",
        "message_type": "text",
        "to": USER,
        "from": APP_NUMBER,
        "text": "Hello",
        **extra,
    }


def v1_error(body: dict[str, Any]) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as exc:
        parse_send(body, CHANNELS)
    return exc.value


def names(exc: InvalidRequest) -> list[str]:
    return [p["name"] for p in exc.body().get("invalid_parameters", [])]


# -- v1 parse_send -------------------------------------------------------------------------


def test_v1_a_valid_sms_parses_into_the_model() -> None:
    body = v1_sms(
        client_ref="ref-1",
        webhook_url="https://example.com/status",
        webhook_version="v0.1",
        ttl=600,
        sms={"encoding_type": "unicode"},
        context={"message_uuid": "m-1"},
        ignored="x",
    )
    primary, failover = parse_send(body, CHANNELS)
    assert failover == []
    assert (primary.channel, primary.to, primary.from_, primary.message_type) == (
        "sms",
        USER,
        APP_NUMBER,
        "text",
    )
    assert primary.content == {"text": "Hello"}
    assert primary.options == {
        "sms": {"encoding_type": "unicode"},
        "context": {"message_uuid": "m-1"},
        "ttl": 600,
    }
    assert (primary.client_ref, primary.webhook_url, primary.webhook_version) == (
        "ref-1",
        "https://example.com/status",
        "v0.1",
    )


def test_v1_content_is_the_property_named_after_the_type() -> None:
    body = {
        "channel": "whatsapp",
        "message_type": "image",
        "to": USER,
        "from": APP_NUMBER,
        "image": {"url": "https://example.com/a.png", "caption": "A"},
        "text": "not used",
    }
    primary, _ = parse_send(body, CHANNELS)
    assert primary.content == {"image": {"url": "https://example.com/a.png", "caption": "A"}}


def test_v1_failover_items_parse_in_order() -> None:
    body = v1_sms(
        channel="whatsapp",
        failover=[v1_sms(text="one"), v1_sms(channel="mms", text="two")],
    )
    primary, failover = parse_send(body, CHANNELS)
    assert primary.channel == "whatsapp"
    assert [(f.channel, f.content["text"]) for f in failover] == [("sms", "one"), ("mms", "two")]


@pytest.mark.parametrize(
    ("body", "code", "name"),
    [
        ({"message_type": "text", "to": USER, "from": APP_NUMBER, "text": "x"}, 1150, "channel"),
        (v1_sms(channel="pigeon"), 1100, "channel"),
        (v1_sms(message_type="image"), 1140, "message_type"),
        (v1_sms(message_type=None), 1150, "message_type"),
        (v1_sms(to="+447700900001"), 1130, "to"),
        (v1_sms(to=447700900001), 1130, "to"),
        (v1_sms(**{"from": "not a sender!"}), 1120, "from"),
        (v1_sms(sms={"encoding_type": "binary"}), 1110, "sms.encoding_type"),
        (v1_sms(client_ref="r" * 101), 1060, "client_ref"),
        (v1_sms(text=""), 1150, "text"),
        (v1_sms(text="x" * 1001), 1150, "text"),
        (v1_sms(webhook_url="ftp://example.com/s"), 1150, "webhook_url"),
        (v1_sms(webhook_version="v2"), 1150, "webhook_version"),
        (v1_sms(ttl=0), 1150, "ttl"),
        (v1_sms(ttl=604801), 1150, "ttl"),
        (v1_sms(context={"message_uuid": 5}), 1150, "context.message_uuid"),
        (v1_sms(failover=[]), 1150, "failover"),
        (v1_sms(failover=["sms"]), 1150, "failover[0]"),
        (v1_sms(failover=[v1_sms(to="12")]), 1130, "failover[0].to"),
        (v1_sms(failover=[v1_sms(failover=[v1_sms()])]), 1150, "failover[0].failover"),
    ],
)
def test_v1_refusals_name_the_parameter_and_its_class(
    body: dict[str, Any], code: int, name: str
) -> None:
    exc = v1_error(body)
    assert (exc.status, exc.code) == (422, code)
    assert exc.body()["type"] == f"{V1_BASE}#{code}"
    assert names(exc) == [name]


def test_v1_the_first_class_in_priority_answers_and_shows_its_issues_only() -> None:
    # A bad recipient (1130), a bad sender (1120) and a bad client_ref (1060): 1130 wins.
    exc = v1_error(v1_sms(to="abc", **{"from": "?"}, client_ref=5))
    assert exc.code == 1130
    assert names(exc) == ["to"]
    assert {i.code for i in exc.issues} == {1130, 1120, 1060}  # all kept, one class shown
    assert exc.body()["title"] == "Invalid recipient"


def test_v1_ttl_range_comes_from_the_channel() -> None:
    ok = v1_sms(channel="mms", ttl=300)
    parse_send(ok, CHANNELS)
    exc = v1_error(v1_sms(channel="mms", ttl=299))
    assert names(exc) == ["ttl"] and "300" in exc.issues[0].reason


def test_v1_alphanumeric_sender_is_sms_only() -> None:
    parse_send(v1_sms(**{"from": "Acme"}), CHANNELS)
    exc = v1_error(v1_sms(channel="whatsapp", **{"from": "Acme"}))
    assert (exc.code, names(exc)) == (1120, ["from"])


# -- v0.1 parse_message / parse_dispatch -----------------------------------------------------


def v01(
    channel: str = "sms",
    to: str = USER,
    from_: str = APP_NUMBER,
    content: dict[str, Any] | None = None,
    **message: Any,
) -> dict[str, Any]:
    reg = CHANNELS.get_v01(channel)
    assert reg is not None
    return {
        "to": {"type": channel, reg.to_kind: to},
        "from": {"type": channel, reg.from_kind: from_},
        "message": {"content": content or {"type": "text", "text": "Hello"}, **message},
    }


def v01_error(body: dict[str, Any]) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as exc:
        parse_message(body, CHANNELS)
    return exc.value


def test_v01_a_valid_message_parses_into_the_v1_model() -> None:
    body = v01("viber_service_msg", from_="16273", viber_service_msg={"category": "transaction"})
    body["client_ref"] = "abc"
    out = parse_message(body, CHANNELS)
    assert (out.channel, out.to, out.from_, out.message_type) == (
        "viber_service",
        USER,
        "16273",
        "text",
    )
    assert out.content == {"text": "Hello"}
    assert out.options == {"viber_service": {"category": "transaction"}}
    assert out.client_ref == "abc"
    assert out.webhook_url is None


def test_v01_errors_are_400_with_every_issue_named_where_it_sits() -> None:
    body = v01(
        "sms",
        to="+44",
        content={"type": "text", "text": ""},
        sms={"encoding_type": "binary"},
    )
    body["client_ref"] = "r" * 41
    exc = v01_error(body)
    assert (exc.status, exc.code) == (400, 0)
    assert exc.body()["type"] == "https://www.nexmo.com/messages/Errors#InvalidParams"
    assert names(exc) == [
        "to.number",
        "message.content.text",
        "message.sms.encoding_type",
        "client_ref",
    ]
    assert exc.body()["detail"] == "Found errors validating 4 of your submitted parameters."


def test_v01_one_bad_parameter_is_singular() -> None:
    exc = v01_error(v01(content={"type": "text"}))
    assert names(exc) == ["message.content.text"]
    assert exc.body()["detail"] == "Found errors validating 1 of your submitted parameter."


@pytest.mark.parametrize(
    ("mutate", "name"),
    [
        (lambda b: b["to"].update(type="telegram"), "to.type"),
        (lambda b: b["from"].update(type="mms"), "from.type"),
        (lambda b: b.pop("message"), "message"),
        (lambda b: b["message"].update(content="hi"), "message.content"),
        (lambda b: b["message"]["content"].update(type="image"), "message.content.type"),
        (lambda b: b.update(to="447700900001"), "to"),
    ],
)
def test_v01_shape_errors(mutate: Any, name: str) -> None:
    body = v01()
    mutate(body)
    assert name in names(v01_error(body))


def test_v01_viber_ids_and_option_block_names() -> None:
    exc = v01_error(
        v01("viber_service_msg", from_="x" * 51, viber_service_msg={"category": "spam"})
    )
    assert names(exc) == ["from.id", "message.viber_service_msg.category"]


def dispatch_body(*items: Any, template: str = "failover") -> dict[str, Any]:
    return {"template": template, "workflow": list(items)}


def with_failover(
    body: dict[str, Any], expiry: Any = 600, condition: str = "read"
) -> dict[str, Any]:
    return {**body, "failover": {"expiry_time": expiry, "condition_status": condition}}


def dispatch_error(body: dict[str, Any]) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as exc:
        parse_dispatch(body, CHANNELS)
    assert exc.value.status == 400
    return exc.value


def test_dispatch_parses_items_and_conditions() -> None:
    viber = with_failover(v01("viber_service_msg", from_="16273"), expiry="600")
    items = parse_dispatch(dispatch_body(viber, v01("sms")), CHANNELS)
    assert [i.message.channel for i in items] == ["viber_service", "sms"]
    assert items[0].failover == Condition(600, "read")  # "600", as a tutorial sends it
    assert items[1].failover is None


@pytest.mark.parametrize(
    ("body", "name"),
    [
        (dispatch_body(with_failover(v01("whatsapp")), v01(), template="x"), "template"),
        (dispatch_body(v01()), "workflow"),
        (dispatch_body(v01("whatsapp"), v01()), "workflow[0].failover"),
        (
            dispatch_body(with_failover(v01("whatsapp")), with_failover(v01())),
            "workflow[1].failover",
        ),
        (
            dispatch_body(with_failover(v01("whatsapp"), expiry=14), v01()),
            "workflow[0].failover.expiry_time",
        ),
        (
            dispatch_body(with_failover(v01("whatsapp"), expiry=86401), v01()),
            "workflow[0].failover.expiry_time",
        ),
        (
            dispatch_body(with_failover(v01("whatsapp"), condition="sent"), v01()),
            "workflow[0].failover.condition_status",
        ),
        (
            dispatch_body(with_failover(v01("sms"), condition="read"), v01()),
            "workflow[0].failover.condition_status",
        ),
        (
            dispatch_body(with_failover(v01("whatsapp")), v01(to="+1")),
            "workflow[1].to.number",
        ),
        (dispatch_body(with_failover(v01("whatsapp")), "sms"), "workflow[1]"),
    ],
)
def test_dispatch_refusals(body: dict[str, Any], name: str) -> None:
    assert name in names(dispatch_error(body))


def test_dispatch_caps_the_viber_ttl_at_a_day() -> None:
    viber = with_failover(v01("viber_service_msg", from_="16273", viber_service_msg={"ttl": 86401}))
    exc = dispatch_error(dispatch_body(viber, v01()))
    assert names(exc) == ["workflow[0].message.viber_service_msg.ttl"]
    # The same TTL is fine in a plain v0.1 message (Messages allows three days).
    parse_message(
        v01("viber_service_msg", from_="16273", viber_service_msg={"ttl": 86401}), CHANNELS
    )


# -- status payloads -----------------------------------------------------------------------


def marked(core: Core, channel: str, status: str, **kw: Any) -> tuple[Message, StatusChange]:
    m = core.engine.send(outbound(channel, **kw), sender())
    core.clock.move_to(START + 1.25)
    if status != "submitted":
        core.engine.mark(m.uuid, status)
    return m, m.last_change


def test_status_v1_sms_delivered() -> None:
    core = make_core()
    m, change = marked(core, "sms", "delivered", text="Hello", client_ref="c-1")
    out = status_payload(m, change, SMS, "v1")
    assert out == {
        "message_uuid": m.uuid,
        "to": USER,
        "from": APP_NUMBER,
        "timestamp": "2023-11-14T22:13:21Z",  # START + 1.25, whole seconds in v1
        "status": "delivered",
        "channel": "sms",
        "client_ref": "c-1",
        "usage": {"currency": "EUR", "price": SMS.price},
        "destination": {"network_code": NETWORK_CODE},
        "sms": {"count_total": "1"},
    }


def test_status_v1_rejected_has_an_error_and_no_usage() -> None:
    core = make_core()
    m, change = marked(core, "sms", "rejected")
    out = status_payload(m, change, SMS, "v1")
    assert "usage" not in out and "client_ref" not in out
    assert out["error"] == {
        "type": f"{V1_BASE}#1250",
        "title": "1250",
        # The code's name and full text, as in Vonage's status example.
        "detail": "Unroutable - The chosen route to send your message is not available. This "
        "is because the phone number is either currently on an unsupported network or on a "
        "pre-paid or reseller account that could not receive a message.",
        "instance": stable_uuid(m.uuid, "rejected"),
    }
    assert status_payload(m, change, SMS, "v1") == out  # the same every time


def test_status_v1_undeliverable_is_charged() -> None:
    core = make_core()
    m, change = marked(core, "sms", "undeliverable")
    out = status_payload(m, change, SMS, "v1")
    assert out["usage"]["price"] == SMS.price and out["error"]["title"] == "1260"


def test_status_whatsapp_prices_templates_only() -> None:
    core = make_core()
    wa = CHANNELS["whatsapp"]
    text, text_change = marked(core, "whatsapp", "delivered")
    template, template_change = marked(
        core,
        "whatsapp",
        "delivered",
        message_type="template",
        content={"template": {"name": "otp"}},
    )
    plain = status_payload(text, text_change, wa, "v1")
    paid = status_payload(template, template_change, wa, "v1")
    assert plain["usage"] == {"currency": "EUR", "price": "0"}
    assert paid["usage"] == {"currency": "EUR", "price": "0.0147"}
    assert plain["whatsapp"]["pricing"]["category"] == "service"
    assert paid["whatsapp"]["pricing"]["type"] == "regular"
    conversation_id = stable_uuid(APP_NUMBER, USER).replace("-", "")
    assert plain["whatsapp"]["conversation"]["id"] == conversation_id
    # The pricing block belongs to `delivered` only; every status names the recipient.
    submitted = status_payload(text, text.history[0], wa, "v1")
    assert submitted["whatsapp"] == {"recipient": {"wa_id": USER}}
    assert plain["whatsapp"]["recipient"] == {"wa_id": USER}


def test_status_v1_failover_items_carry_the_workflow() -> None:
    core = make_core()
    wf = core.failover.start(outbound("whatsapp"), [outbound("sms")], sender())
    core.engine.mark(wf.steps[0].message_uuid or "", "rejected")
    second = core.engine.get(wf.steps[1].message_uuid or "")
    out = status_payload(second, second.history[0], SMS, "v1")
    assert out["workflow"] == {"workflow_id": wf.id, "items_number": "2", "items_total": "2"}
    assert "_links" not in out
    assert "workflow" not in status_payload(second, second.history[0], SMS, "v0.1")


@pytest.mark.parametrize("version", ["v1", "v0.1"])
def test_status_dispatch_items_link_their_workflow(version: str) -> None:
    core = make_core()
    wf = core.dispatches.start(
        [dispatch_item("whatsapp", "read", 60), dispatch_item("sms", None)], sender()
    )
    m = core.engine.get(wf.steps[0].message_uuid or "")
    out = status_payload(m, m.history[0], CHANNELS["whatsapp"], version)
    assert out["_links"] == {"workflow": {"dispatch_uuid": wf.id, "href": f"/workflows/{wf.id}"}}
    assert "workflow" not in out


def test_status_v01_shape() -> None:
    core = make_core()
    m, change = marked(core, "viber_service", "rejected", from_="16273", client_ref="r")
    out = status_payload(m, change, CHANNELS["viber_service"], "v0.1")
    assert out == {
        "message_uuid": m.uuid,
        "to": {"type": "viber_service_msg", "number": USER},
        "from": {"type": "viber_service_msg", "id": "16273"},
        "timestamp": "2023-11-14T22:13:21.250Z",
        "status": "rejected",
        "error": {"code": 1250, "reason": change.reason},
        "client_ref": "r",
    }
    m2, delivered = marked(core, "viber_service", "delivered", from_="16273")
    assert status_payload(m2, delivered, CHANNELS["viber_service"], "v0.1")["usage"] == {
        "currency": "EUR",
        "price": "0.0100",
    }


# -- inbound payloads ----------------------------------------------------------------------

BASE = "http://127.0.0.1:3000"


def received(channel: str = "sms", **kw: Any) -> Message:
    return make_core().engine.receive(inbound(channel, **kw))


def test_inbound_v1_sms_extras() -> None:
    m = received(text="  join the club")
    out = inbound_payload(m, SMS, "v1", BASE)
    assert out == {
        "channel": "sms",
        "message_uuid": m.uuid,
        "to": APP_NUMBER,
        "from": USER,
        "timestamp": "2023-11-14T22:13:20Z",
        "message_type": "text",
        "text": "  join the club",
        "sms": {"num_messages": "1", "keyword": "JOIN"},
        "usage": {"currency": "EUR", "price": INBOUND_PRICE},
        "origin": {"network_code": NETWORK_CODE},
    }


def test_inbound_v1_sms_long_text_counts_parts_and_keeps_a_given_origin() -> None:
    m = received(text="a" * 161, extra={"origin": {"network_code": "99999"}})
    out = inbound_payload(m, SMS, "v1", BASE)
    assert out["sms"]["num_messages"] == "2"
    assert out["origin"] == {"network_code": "99999"}
    assert inbound_payload(received(text="   "), SMS, "v1", BASE)["sms"]["keyword"] == ""


def test_inbound_v1_whatsapp_without_context() -> None:
    m = received("whatsapp")
    out = inbound_payload(m, CHANNELS["whatsapp"], "v1", BASE)
    assert out["profile"] == {"name": "Sandbox User"}
    assert out["context_status"] == "none" and "context" not in out
    assert out["_self"] == {"href": f"{BASE}/v1/messages/{m.uuid}"}


def test_inbound_v1_whatsapp_with_context_and_profile() -> None:
    m = received(
        "whatsapp",
        extra={
            "profile": {"name": "Ada"},
            "context": {"message_uuid": "orig-1"},
            "provider_message": '{"id": "x"}',
        },
    )
    out = inbound_payload(m, CHANNELS["whatsapp"], "v1", BASE)
    assert out["profile"] == {"name": "Ada"}
    assert out["context_status"] == "available"
    # The replied-to message came from the app's address unless told otherwise.
    assert out["context"] == {"message_uuid": "orig-1", "message_from": APP_NUMBER}
    assert out["provider_message"] == '{"id": "x"}'  # a string in Vonage's schema
    assert "usage" not in out


def test_inbound_v1_viber_context_only_when_given() -> None:
    viber = CHANNELS["viber_service"]
    plain = received("viber_service", to="16273")
    assert "context" not in inbound_payload(plain, viber, "v1", BASE)
    replied = received("viber_service", to="16273", extra={"context": {"message_uuid": "o"}})
    assert inbound_payload(replied, viber, "v1", BASE)["context"] == {"message_uuid": "o"}


def test_inbound_v01_sms_shape() -> None:
    m = received(text="hi")
    out = inbound_payload(m, SMS, "v0.1", BASE)
    assert out == {
        "message_uuid": m.uuid,
        "timestamp": "2023-11-14T22:13:20.000Z",
        "to": {"type": "sms", "number": APP_NUMBER},
        "from": {"type": "sms", "number": USER},
        "message": {"content": {"type": "text", "text": "hi"}, "sms": {"num_messages": "1"}},
        "usage": {"currency": "EUR", "price": INBOUND_PRICE},
    }


def test_inbound_v01_addresses_swap_kinds_for_viber() -> None:
    m = received(
        "viber_service",
        to="16273",
        content={"image": {"url": "https://x/i.png"}},
        message_type="image",
    )
    out = inbound_payload(m, CHANNELS["viber_service"], "v0.1", BASE)
    # The app's address has the sender's shape (an id), the user's the recipient's (a number).
    assert out["to"] == {"type": "viber_service_msg", "id": "16273"}
    assert out["from"] == {"type": "viber_service_msg", "number": USER}
    # The 2018 schema has only text for Viber inbound: an image reached v0.1 as unsupported.
    assert out["message"] == {"content": {"type": "unsupported"}}
    assert "usage" not in out


def test_nesting_is_refused_exactly_past_the_limit_with_or_without_escapes() -> None:
    # Bodies with few brackets skip the walk (wire/body.py): the limit must hold at its edge.
    from sandbox.core.errors import InvalidJson
    from sandbox.wire.body import MAX_DEPTH, parse_json_object

    def body(containers: int, opener: str, scalar: str) -> bytes:
        inner = scalar
        for n in range(containers - 1):
            inner = f"[{inner}]" if opener == "[" or n % 2 else f'{{"k":{inner}}}'
        return ("{" + f'"x":{inner}' + "}").encode()

    for opener in "[{":
        for scalar in ("1", '"\\u00e9"'):
            # A value inside N containers is at depth N + 1.
            assert parse_json_object(body(MAX_DEPTH - 1, opener, scalar))
            with pytest.raises(InvalidJson, match=f"deeper than {MAX_DEPTH}"):
                parse_json_object(body(MAX_DEPTH, opener, scalar))
    # An empty innermost container at the limit holds no value past it.
    assert parse_json_object(b'{"x":' + b"[" * (MAX_DEPTH - 1) + b"]" * (MAX_DEPTH - 1) + b"}")


def test_new_ids_are_random_version_4_uuids() -> None:
    import uuid

    from sandbox.core.ids import new_uuid, new_uuid_hex

    seen = set()
    for _ in range(2000):
        text, hexed = new_uuid(), new_uuid_hex()
        parsed = uuid.UUID(text)
        assert str(parsed) == text and parsed.version == 4 and parsed.variant == uuid.RFC_4122
        assert uuid.UUID(hex=hexed).hex == hexed and uuid.UUID(hex=hexed).version == 4
        seen.add(text)
    assert len(seen) == 2000
