"""Email end to end against a real server: accepted shapes, limits with their error classes,
bounces as status webhooks, no read receipts, and inbound email with its subject."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness import Live, live_sandbox, names, problem
from tests.receiver import receiver

BASE = "https://developer.vonage.com/api-errors/messages#"
SHOP = "shop@example.com"
CUSTOMER = "customer@example.org"
PRICE = {"currency": "EUR", "price": "0.0010"}


def email(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "email",
        "message_type": "text",
        "to": CUSTOMER,
        "from": SHOP,
        "text": "Your order has shipped.",
        "email": {"subject": "Your order"},
    }
    body.update(overrides)
    return body


def without(d: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k != key}


def html(body: Any = "<p>Your order has shipped.</p>", **overrides: Any) -> dict[str, Any]:
    return without(email(message_type="html", html={"body": body}, **overrides), "text")


def content(*parts: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return without(email(message_type="content", content=list(parts), **overrides), "text")


TEXT_PART = {"type": "text", "text": "Your order has shipped."}
HTML_PART = {"type": "html", "body": "<p>Your order has shipped.</p>"}


def block(**fields: Any) -> dict[str, Any]:
    return {"subject": "Your order", **fields}


# -- accepted -------------------------------------------------------------------------------

ACCEPTED: list[tuple[str, dict[str, Any]]] = [
    ("text", email()),
    ("html", html()),
    ("content-text-and-html", content(TEXT_PART, HTML_PART)),
    ("content-text-only", content(TEXT_PART)),
    ("display-name-sender", email(**{"from": "Shop <shop@example.com>"})),
    ("display-name-with-spaces", email(**{"from": "The Shop Ltd <orders@shop.example.com>"})),
    ("long-text", email(text="x" * 100_000)),  # email has no text limit
    ("subject-998", email(email=block(subject="s" * 998))),
    *[(f"importance-{v}", email(email=block(importance=v))) for v in ("High", "Normal", "Low")],
    *[
        (f"priority-{v}", email(email=block(priority=v)))
        for v in ("Non-Urgent", "Normal", "Urgent")
    ],
    *[
        (f"sensitivity-{v}", email(email=block(sensitivity=v)))
        for v in ("Personal", "Private", "Company-Confidential")
    ],
    (
        "cc-and-bcc",
        email(
            email=block(
                cc=[{"address": "boss@example.com", "name": "The Boss"}, {"address": "a@b.co"}],
                bcc=[{"address": "audit@example.com"}],
            )
        ),
    ),
    (
        "every-option",
        html(
            email=block(
                importance="High",
                priority="Urgent",
                sensitivity="Private",
                cc=[{"address": "boss@example.com", "name": "The Boss"}],
                bcc=[{"address": "audit@example.com", "name": "Audit"}],
            ),
            client_ref="order-17",
        ),
    ),
]


@pytest.mark.parametrize("body", [b for _, b in ACCEPTED], ids=[i for i, _ in ACCEPTED])
def test_accepted_shapes_answer_202(sb: Live, body: dict[str, Any]) -> None:
    answer = sb.sent(body)
    assert set(answer) == {"message_uuid"}
    stored = sb.message(answer["message_uuid"])
    assert stored["channel"] == "email" and stored["status"] == "submitted"
    assert (stored["from"], stored["to"]) == (body["from"], CUSTOMER)
    kind = body["message_type"]
    assert stored[kind] == body[kind]
    assert stored["options"] == {"email": body["email"]}


# -- limits ---------------------------------------------------------------------------------

LIMITS: list[tuple[str, dict[str, Any], int, list[str]]] = [
    ("no-email-block", without(email(), "email"), 1110, ["email.subject"]),
    ("no-subject", email(email={}), 1110, ["email.subject"]),
    ("empty-subject", email(email={"subject": ""}), 1110, ["email.subject"]),
    ("subject-999", email(email=block(subject="s" * 999)), 1110, ["email.subject"]),
    ("subject-not-a-string", email(email={"subject": 7}), 1110, ["email.subject"]),
    ("email-block-not-an-object", email(email="Your order"), 1110, ["email"]),
    ("bad-importance", email(email=block(importance="Urgent")), 1110, ["email.importance"]),
    ("lowercase-importance", email(email=block(importance="high")), 1110, ["email.importance"]),
    ("bad-priority", email(email=block(priority="High")), 1110, ["email.priority"]),
    ("bad-sensitivity", email(email=block(sensitivity="Secret")), 1110, ["email.sensitivity"]),
    (
        "cc-address-not-an-email",
        email(email=block(cc=[{"address": "boss"}])),
        1110,
        ["email.cc[0].address"],
    ),
    (
        "second-bcc-without-address",
        email(email=block(bcc=[{"address": "a@b.co"}, {"name": "Nobody"}])),
        1110,
        ["email.bcc[1].address"],
    ),
    (
        "cc-name-not-a-string",
        email(email=block(cc=[{"address": "a@b.co", "name": 3}])),
        1110,
        ["email.cc[0].name"],
    ),
    ("cc-not-an-array", email(email=block(cc="boss@example.com")), 1110, ["email.cc"]),
    ("cc-item-a-string", email(email=block(cc=["boss@example.com"])), 1110, ["email.cc[0]"]),
    ("to-not-an-email", email(to="customer"), 1130, ["to"]),
    ("to-a-number", email(to="447700900000"), 1130, ["to"]),
    ("to-with-display-name", email(to="Customer <customer@example.org>"), 1130, ["to"]),
    ("from-not-an-email", email(**{"from": "shop"}), 1120, ["from"]),
    ("from-display-name-without-address", email(**{"from": "Shop <shop>"}), 1120, ["from"]),
    ("html-without-body", html(None), 1150, ["html.body"]),
    (
        "html-not-an-object",
        without(email(message_type="html", html="<p/>"), "text"),
        1150,
        ["html"],
    ),
    ("text-missing", without(email(), "text"), 1150, ["text"]),
    (
        "content-image-part",
        content({"type": "image", "url": "https://example.com/a.jpg"}),
        1150,
        ["content[0].type"],
    ),
    ("content-second-part-bad", content(TEXT_PART, {"type": "file"}), 1150, ["content[1].type"]),
    ("content-text-part-without-text", content({"type": "text"}), 1150, ["content[0].text"]),
    ("content-html-part-without-body", content({"type": "html"}), 1150, ["content[0].body"]),
    ("content-empty", content(), 1150, ["content"]),
    ("message-type-image", email(message_type="image"), 1140, ["message_type"]),
    ("message-type-template", email(message_type="template"), 1140, ["message_type"]),
    # Several problems: the highest-priority class answers, naming only its parameters.
    ("priority-1110-over-1150", html(None, email={}), 1110, ["email.subject"]),
    ("priority-1120-over-1110", email(**{"from": "shop"}, email={}), 1120, ["from"]),
    ("priority-1130-over-1120", email(to="x", **{"from": "shop"}), 1130, ["to"]),
    ("priority-1140-over-1130", email(message_type="image", to="x"), 1140, ["message_type"]),
]


@pytest.mark.parametrize(
    ("body", "code", "bad"), [c[1:] for c in LIMITS], ids=[c[0] for c in LIMITS]
)
def test_limits_answer_422_with_the_error_class(
    sb: Live, body: dict[str, Any], code: int, bad: list[str]
) -> None:
    data = problem(sb, body)
    assert data["type"] == f"{BASE}{code}"
    assert sorted(names(data)) == sorted(bad)


EMPTY_OBJECTS: list[tuple[str, dict[str, Any], str]] = [
    ("html", without(email(message_type="html", html={}), "text"), "html.body"),
    ("content-part", content({}), "content[0].type"),
    ("cc-item", email(email=block(cc=[{}])), "email.cc[0].address"),
]


@pytest.mark.parametrize(
    ("body", "bad"), [c[1:] for c in EMPTY_OBJECTS], ids=[c[0] for c in EMPTY_OBJECTS]
)
def test_an_empty_object_is_checked_like_any_other(
    sb: Live, body: dict[str, Any], bad: str
) -> None:
    data = problem(sb, body)
    assert bad in names(data)


def test_an_object_missing_its_fields_is_refused(sb: Live) -> None:
    """The shapes above with one unrelated field: the checks run (and with none)."""
    data = problem(sb, without(email(message_type="html", html={"title": "t"}), "text"))
    assert names(data) == ["html.body"]
    data = problem(sb, email(email=block(cc=[{"name": "Nobody"}])))
    assert names(data) == ["email.cc[0].address"]


# -- statuses and bounces -------------------------------------------------------------------


def test_delivered_sends_a_status_webhook_priced_as_email() -> None:
    with receiver() as rec, live_sandbox(status_url=rec.at("/status")) as sb:
        body = email(**{"from": "Shop <shop@example.com>"}, client_ref="c-1")
        uuid = sb.sent(body)["message_uuid"]
        sb.control("POST", "/settle")
        sb.mark(uuid, "delivered")
        got = rec.bodies("/status")
        assert [b["status"] for b in got] == ["submitted", "delivered"]
        for b in got:
            assert b["message_uuid"] == uuid
            assert b["channel"] == "email"
            assert (b["to"], b["from"]) == (CUSTOMER, "Shop <shop@example.com>")
            assert b["usage"] == PRICE
            assert b["client_ref"] == "c-1"
            assert "destination" not in b  # no mobile network behind an address


@pytest.mark.parametrize(
    ("status", "code", "reason"),
    [
        ("rejected", 1250, "Unroutable"),
        ("rejected", 1282, "Message blocked by provider"),
        ("undeliverable", 1260, "Destination unreachable"),
        ("undeliverable", None, "Destination unreachable"),
    ],
)
def test_bounces_send_status_webhooks_with_the_error(
    status: str, code: int | None, reason: str
) -> None:
    with receiver() as rec, live_sandbox(status_url=rec.at("/status")) as sb:
        uuid = sb.sent(email())["message_uuid"]
        detail = sb.mark(uuid, status, **({} if code is None else {"error_code": code}))
        expected = code or 1260
        assert detail["status"] == status
        assert detail["error"] == {"code": expected, "reason": reason}
        submitted, bounce = rec.bodies("/status")
        assert submitted["status"] == "submitted" and "error" not in submitted
        assert bounce["status"] == status
        assert bounce["channel"] == "email"
        assert bounce["error"]["type"] == f"{BASE}{expected}"
        assert bounce["error"]["title"] == str(expected)
        # v1 carries the code's full text ("Unroutable - The chosen route ..."), v0.1 its name.
        assert bounce["error"]["detail"].lower().startswith(reason.lower() + " - ")
        assert ("usage" in bounce) is (status == "undeliverable")


def test_a_bounce_with_an_unknown_error_code_is_refused() -> None:
    with receiver() as rec, live_sandbox(status_url=rec.at("/status")) as sb:
        uuid = sb.sent(email())["message_uuid"]
        r = sb.http.post(
            f"/_sandbox/messages/{uuid}/status", json={"status": "rejected", "error_code": 1251.5}
        )
        assert r.status_code == 422
        r = sb.http.post(
            f"/_sandbox/messages/{uuid}/status", json={"status": "rejected", "error_code": 9999}
        )
        assert r.status_code == 422
        assert names(r.json()) == ["error_code"]
        assert sb.message(uuid)["status"] == "submitted"


@pytest.mark.parametrize("first", [None, "delivered"])
def test_email_has_no_read_receipts(first: str | None) -> None:
    with receiver() as rec, live_sandbox(status_url=rec.at("/status")) as sb:
        uuid = sb.sent(email())["message_uuid"]
        if first is not None:
            sb.mark(uuid, first)
        r = sb.http.post(f"/_sandbox/messages/{uuid}/status", json={"status": "read"})
        assert r.status_code == 409, r.text
        assert "read receipts" in r.json()["detail"]
        assert sb.message(uuid)["status"] == (first or "submitted")
        sb.control("POST", "/settle")
        assert "read" not in [b["status"] for b in rec.bodies("/status")]


def test_auto_read_never_reads_an_email() -> None:
    with (
        receiver() as rec,
        live_sandbox(status_url=rec.at("/status"), auto_deliver=1, auto_read=1) as sb,
    ):
        uuid = sb.sent(email())["message_uuid"]
        sb.advance(60)
        assert sb.message(uuid)["status"] == "delivered"
        assert [b["status"] for b in rec.bodies("/status")] == ["submitted", "delivered"]


# -- inbound --------------------------------------------------------------------------------


def test_an_inbound_email_carries_its_subject() -> None:
    with receiver() as rec, live_sandbox(inbound_url=rec.at("/inbound")) as sb:
        body = {
            "channel": "email",
            "from": CUSTOMER,
            "to": SHOP,
            "text": "Thanks, it arrived.",
            "email": {"subject": "Re: Your order"},
        }
        created = sb.control("POST", "/inbound", body)
        (got,) = rec.bodies("/inbound")
        assert got["message_uuid"] == created["message_uuid"]
        assert got["channel"] == "email"
        assert (got["from"], got["to"]) == (CUSTOMER, SHOP)
        assert got["message_type"] == "text"
        assert got["text"] == "Thanks, it arrived."
        assert got["email"] == {"subject": "Re: Your order"}


def test_an_inbound_html_email() -> None:
    with receiver() as rec, live_sandbox(inbound_url=rec.at("/inbound")) as sb:
        sb.sent(email())  # the shop wrote first: the reply goes to its address
        body = {
            "channel": "email",
            "from": CUSTOMER,
            "message_type": "html",
            "html": {"body": "<p>Thanks!</p>"},
            "email": {"subject": "Re: Your order"},
        }
        created = sb.control("POST", "/inbound", body)
        assert created["to"] == SHOP
        (got,) = rec.bodies("/inbound")
        assert got["message_type"] == "html"
        assert got["html"] == {"body": "<p>Thanks!</p>"}
        assert got["email"]["subject"] == "Re: Your order"
        assert "text" not in got


def test_an_inbound_email_without_a_subject_has_no_email_block() -> None:
    with receiver() as rec, live_sandbox(inbound_url=rec.at("/inbound")) as sb:
        sb.control(
            "POST", "/inbound", {"channel": "email", "from": CUSTOMER, "to": SHOP, "text": "hi"}
        )
        (got,) = rec.bodies("/inbound")
        assert got["text"] == "hi"
        assert "email" not in got


@pytest.mark.parametrize(
    ("extra", "bad"),
    [
        ({"from": "customer"}, "from"),
        ({"to": "shop"}, "to"),
        ({"email": "Re: Your order"}, "email"),
        ({"profile": {"name": "Jane"}}, "profile"),
        ({"message_type": "html", "html": {"title": "no body"}}, "html.body"),
        ({"message_type": "image", "image": {"url": "https://example.com/a.jpg"}}, "message_type"),
    ],
    ids=["bad-from", "bad-to", "email-not-an-object", "profile", "html-without-body", "image"],
)
def test_inbound_email_refuses_what_email_does_not_carry(extra: dict[str, Any], bad: str) -> None:
    with receiver() as rec, live_sandbox(inbound_url=rec.at("/inbound")) as sb:
        body = {"channel": "email", "from": CUSTOMER, "to": SHOP, "text": "hi", **extra}
        r = sb.http.post("/_sandbox/inbound", json=body)
        assert r.status_code == 422, r.text
        assert bad in names(r.json())
        sb.control("POST", "/settle")
        assert rec.received == []


def test_v01_messages_has_no_email() -> None:
    with live_sandbox() as sb:
        body = {
            "from": {"type": "email", "email": SHOP},
            "to": {"type": "email", "email": CUSTOMER},
            "message": {"content": {"type": "text", "text": "hi"}},
        }
        r = sb.send(body, path="/v0.1/messages")
        assert r.status_code == 400, r.text
        assert r.json()["type"] == "https://www.nexmo.com/messages/Errors#InvalidParams"
        assert names(r.json()) == ["to.type"]
