"""RCS end to end against a real server: every accepted request shape, every limit with its
error class, statuses and their webhooks, revocation, taps on suggestion chips, failover to
SMS, inbound messages, and the 2018 API's refusal."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness import Live, live_sandbox, names, problem
from tests.helpers import BASIC, N2, bearer, sms
from tests.receiver import receiver

BASE = "https://developer.vonage.com/api-errors/messages#"
AGENT = "Vonage-Agent_1&Co"  # alphanumerics, `-`, `_`, `&`: a valid RCS agent id
USER = "447700900000"  # the handset
NETWORK = {"network_code": "23410"}
PRICE = {"currency": "EUR", "price": "0.0200"}
DAY = 24 * 3600


# -- bodies ---------------------------------------------------------------------------------


def rcs(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "rcs",
        "message_type": "text",
        "to": USER,
        "from": AGENT,
        "text": "Hello from the agent",
    }
    body.update(overrides)
    return body


def card(**overrides: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "title": "Your order",
        "text": "It ships tomorrow.",
        "media_url": "https://example.com/parcel.jpg",
        "media_height": "MEDIUM",
    }
    out.update(overrides)
    return out


def card_message(
    the_card: dict[str, Any] | None = None, layout: dict[str, Any] | None = None, **kw: Any
) -> dict[str, Any]:
    body = rcs(message_type="card", card=card() if the_card is None else the_card, **kw)
    del body["text"]
    body["rcs"] = layout if layout is not None else {"card_orientation": "VERTICAL"}
    return body


def carousel_message(cards: int, **kw: Any) -> dict[str, Any]:
    body = rcs(
        message_type="carousel",
        carousel={"cards": [card(title=f"Card {i}") for i in range(cards)]},
        **kw,
    )
    del body["text"]
    return body


def media_message(kind: str, url: str, **extra: Any) -> dict[str, Any]:
    body = rcs(message_type=kind, **{kind: {"url": url, **extra}})
    del body["text"]
    return body


def reply(text: str = "Yes please", postback: str = "yes") -> dict[str, Any]:
    return {"type": "reply", "text": text, "postback_data": postback}


def open_url(text: str = "Track parcel", postback: str = "track") -> dict[str, Any]:
    return {
        "type": "open_url",
        "text": text,
        "postback_data": postback,
        "url": "https://example.com/track",
        "description": "Tracking page",
    }


# One of each of the seven suggestion types, with every field it takes.
SUGGESTIONS: list[dict[str, Any]] = [
    reply(),
    {
        "type": "dial",
        "text": "Call us",
        "postback_data": "dial",
        "phone_number": "447700900001",
        "fallback_url": "https://example.com/call",
    },
    {
        "type": "view_location",
        "text": "Find the shop",
        "postback_data": "where",
        "latitude": "51.5074",
        "longitude": -0.1278,
        "pin_label": "Our shop",
        "fallback_url": "https://example.com/map",
    },
    {"type": "share_location", "text": "Share location", "postback_data": "share"},
    open_url(),
    {
        "type": "open_url_in_webview",
        "text": "Open in app",
        "postback_data": "webview",
        "url": "https://example.com/app",
        "description": "The shop in a webview",
        "view_mode": "TALL",
    },
    {
        "type": "create_calendar_event",
        "text": "Add to calendar",
        "postback_data": "calendar",
        "start_time": "2026-03-01T10:00:00Z",
        "end_time": "2026-03-01T11:00:00Z",
        "title": "Delivery",
        "description": "Your parcel arrives",
        "fallback_url": "https://example.com/calendar",
    },
]


def with_suggestion(suggestion: dict[str, Any]) -> dict[str, Any]:
    return rcs(suggestions=[suggestion])


def without(d: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k != key}


# -- harness --------------------------------------------------------------------------------


def post(live: Live, path: str, body: Any) -> Any:
    """A control call whose answer the test judges (not asserted to succeed)."""
    return live.http.post(path, json=body)


def revoke(live: Live, uuid: str, auth: str | None = None) -> Any:
    return live.http.patch(
        f"/v1/messages/{uuid}",
        json={"status": "revoked"},
        headers={"Authorization": auth or bearer()},
    )


def statuses(bodies: list[Any]) -> list[str]:
    return [b["status"] for b in bodies]


# -- accepted shapes ------------------------------------------------------------------------

ACCEPTED: list[tuple[str, dict[str, Any]]] = [
    ("text", rcs()),
    ("text-3072", rcs(text="x" * 3072)),
    ("image", media_message("image", "https://example.com/a.jpg")),
    ("video", media_message("video", "https://example.com/a.mp4")),
    ("file", media_message("file", "https://example.com/a.pdf", name="a.pdf")),
    ("custom", without(rcs(message_type="custom", custom={"contentMessage": {}}), "text")),
    ("card-vertical", card_message()),
    (
        "card-horizontal",
        card_message(
            without(card(), "media_height"),
            {"card_orientation": "HORIZONTAL", "image_alignment": "RIGHT"},
        ),
    ),
    ("vertical-without-media-height", card_message(without(card(), "media_height"))),
    (
        "card-every-field",
        card_message(
            card(
                media_description="A parcel",
                thumbnail_url="https://example.com/thumb.jpg",
                media_force_refresh=True,
            )
        ),
    ),
    ("carousel-2", carousel_message(2, rcs={"card_width": "SMALL"})),
    ("carousel-10", carousel_message(10, rcs={"card_width": "MEDIUM"})),
    ("suggestions-all-seven", rcs(suggestions=SUGGESTIONS)),
    ("suggestions-11", rcs(suggestions=[reply(postback=f"p{i}") for i in range(11)])),
    (
        "card-suggestions-4",
        card_message(card(suggestions=[reply(postback=f"p{i}") for i in range(4)])),
    ),
    ("card-with-message-suggestions", card_message(suggestions=[open_url()])),
    ("carousel-with-suggestions", carousel_message(2, suggestions=[reply()])),
    ("suggestion-text-25", rcs(suggestions=[reply(text="y" * 25)])),
    *[(f"suggestion-{s['type']}", with_suggestion(s)) for s in SUGGESTIONS],
    *[
        (f"category-{c}", rcs(rcs={"category": c}))
        for c in (
            "authentication",
            "transaction",
            "promotion",
            "service-request",
            "acknowledgement",
        )
    ],
    ("ttl-300", rcs(ttl=300)),
    ("ttl-2592000", rcs(ttl=2592000)),
    ("trusted-recipient", rcs(trusted_recipient=True)),
    ("trusted-recipient-false", rcs(trusted_recipient=False)),
    ("client-ref", rcs(client_ref="order-17")),
]


@pytest.mark.parametrize("body", [b for _, b in ACCEPTED], ids=[i for i, _ in ACCEPTED])
def test_accepted_shapes_answer_202(sb: Live, body: dict[str, Any]) -> None:
    answer = sb.sent(body)
    assert set(answer) == {"message_uuid"}
    stored = sb.message(answer["message_uuid"])
    assert stored["channel"] == "rcs" and stored["direction"] == "outbound"
    assert stored["status"] == "submitted"
    assert (stored["from"], stored["to"]) == (AGENT, USER)
    kind = body["message_type"]
    assert stored["message_type"] == kind
    assert stored[kind] == body[kind]
    # The option block and the message-level fields are kept with the message.
    kept = {k: body[k] for k in ("rcs", "ttl", "suggestions", "trusted_recipient") if k in body}
    assert stored.get("options", {}) == kept


# -- limits ---------------------------------------------------------------------------------

LIMITS: list[tuple[str, dict[str, Any], int, list[str]]] = [
    ("text-3073", rcs(text="x" * 3073), 1150, ["text"]),
    ("text-missing", without(rcs(), "text"), 1150, ["text"]),
    ("from-with-space", rcs(**{"from": "Vonage Agent"}), 1120, ["from"]),
    ("from-51-chars", rcs(**{"from": "a" * 51}), 1120, ["from"]),
    ("from-dot", rcs(**{"from": "agent.one"}), 1120, ["from"]),
    ("to-with-plus", rcs(to="+447700900000"), 1130, ["to"]),
    ("to-not-a-number", rcs(to="handset"), 1130, ["to"]),
    ("message-type-audio", rcs(message_type="audio"), 1140, ["message_type"]),
    ("message-type-template", rcs(message_type="template"), 1140, ["message_type"]),
    ("card-title-201", card_message(card(title="t" * 201)), 1150, ["card.title"]),
    ("card-text-2001", card_message(card(text="t" * 2001)), 1150, ["card.text"]),
    (
        "card-without-media-url",
        card_message(without(card(), "media_url")),
        1150,
        ["card.media_url"],
    ),
    (
        "card-media-url-not-a-url",
        card_message(card(media_url="parcel.jpg")),
        1150,
        ["card.media_url"],
    ),
    ("card-bad-media-height", card_message(card(media_height="HUGE")), 1150, ["card.media_height"]),
    (
        "card-5-suggestions",
        card_message(card(suggestions=[reply(postback=f"p{i}") for i in range(5)])),
        1150,
        ["card.suggestions"],
    ),
    ("card-missing", without(card_message(), "card"), 1150, ["card"]),
    (
        "suggestions-12",
        rcs(suggestions=[reply(postback=f"p{i}") for i in range(12)]),
        1150,
        ["suggestions"],
    ),
    ("suggestions-empty", rcs(suggestions=[]), 1150, ["suggestions"]),
    (
        "suggestion-text-26",
        with_suggestion(reply(text="y" * 26)),
        1150,
        ["suggestions[0].text"],
    ),
    (
        "suggestion-without-postback",
        with_suggestion(without(reply(), "postback_data")),
        1150,
        ["suggestions[0].postback_data"],
    ),
    (
        "dial-without-phone-number",
        with_suggestion(without(SUGGESTIONS[1], "phone_number")),
        1150,
        ["suggestions[0].phone_number"],
    ),
    (
        "view-location-without-pin-label",
        with_suggestion(without(SUGGESTIONS[2], "pin_label")),
        1150,
        ["suggestions[0].pin_label"],
    ),
    (
        "view-location-latitude-not-a-number",
        with_suggestion({**SUGGESTIONS[2], "latitude": True}),
        1150,
        ["suggestions[0].latitude"],
    ),
    (
        "open-url-not-a-url",
        with_suggestion({**open_url(), "url": "example.com/track"}),
        1150,
        ["suggestions[0].url"],
    ),
    (
        "webview-bad-view-mode",
        with_suggestion({**SUGGESTIONS[5], "view_mode": "FULLSCREEN"}),
        1150,
        ["suggestions[0].view_mode"],
    ),
    (
        "calendar-without-end-time",
        with_suggestion(without(SUGGESTIONS[6], "end_time")),
        1150,
        ["suggestions[0].end_time"],
    ),
    (
        "unknown-suggestion-type",
        with_suggestion({**reply(), "type": "open_app"}),
        1150,
        ["suggestions[0].type"],
    ),
    (
        "second-suggestion-named-by-index",
        rcs(suggestions=[reply(), without(open_url(), "url")]),
        1150,
        ["suggestions[1].url"],
    ),
    ("carousel-1-card", carousel_message(1), 1150, ["carousel.cards"]),
    ("carousel-11-cards", carousel_message(11), 1150, ["carousel.cards"]),
    (
        "carousel-card-without-media-url",
        without(
            rcs(
                message_type="carousel", carousel={"cards": [card(), without(card(), "media_url")]}
            ),
            "text",
        ),
        1150,
        ["carousel.cards[1].media_url"],
    ),
    ("bad-category", rcs(rcs={"category": "marketing"}), 1110, ["rcs.category"]),
    (
        "bad-card-orientation",
        card_message(layout={"card_orientation": "DIAGONAL"}),
        1110,
        ["rcs.card_orientation"],
    ),
    (
        "horizontal-without-image-alignment",
        card_message(layout={"card_orientation": "HORIZONTAL"}),
        1110,
        ["rcs.image_alignment"],
    ),
    (
        "bad-image-alignment",
        card_message(layout={"card_orientation": "HORIZONTAL", "image_alignment": "TOP"}),
        1110,
        ["rcs.image_alignment"],
    ),
    (
        "card-without-orientation",
        card_message(layout={}),
        1110,
        ["rcs.card_orientation"],
    ),
    ("bad-card-width", carousel_message(2, rcs={"card_width": "LARGE"}), 1110, ["rcs.card_width"]),
    ("rcs-block-not-an-object", rcs(rcs="VERTICAL"), 1110, ["rcs"]),
    ("ttl-299", rcs(ttl=299), 1150, ["ttl"]),
    ("ttl-2592001", rcs(ttl=2592001), 1150, ["ttl"]),
    ("ttl-string", rcs(ttl="300"), 1150, ["ttl"]),
    ("trusted-recipient-yes", rcs(trusted_recipient="yes"), 1150, ["trusted_recipient"]),
    (
        "suggestions-on-image",
        {**media_message("image", "https://example.com/a.jpg"), "suggestions": [reply()]},
        1150,
        ["suggestions"],
    ),
    # Several problems: the highest-priority error class answers, naming only its parameters.
    (
        "priority-1110-over-1150",
        rcs(text="x" * 3073, rcs={"category": "marketing"}),
        1110,
        ["rcs.category"],
    ),
    (
        "priority-1120-over-1110",
        rcs(**{"from": "Vonage Agent"}, rcs={"category": "marketing"}),
        1120,
        ["from"],
    ),
    ("priority-1130-over-1120", rcs(to="+1", **{"from": "Vonage Agent"}), 1130, ["to"]),
    (
        "priority-1140-over-1130",
        rcs(message_type="audio", to="+1", **{"from": "Vonage Agent"}),
        1140,
        ["message_type"],
    ),
    (
        "all-1150-names-together",
        rcs(text="x" * 3073, ttl=1, trusted_recipient="no"),
        1150,
        ["text", "trusted_recipient", "ttl"],
    ),
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
    (
        "card",
        card_message({}, {"card_orientation": "HORIZONTAL", "image_alignment": "LEFT"}),
        "card.media_url",
    ),
    ("vertical-card", card_message({}), "card.media_url"),
    ("carousel", without(rcs(message_type="carousel", carousel={}), "text"), "carousel.cards"),
    (
        "carousel-cards",
        without(rcs(message_type="carousel", carousel={"cards": [{}, {}]}), "text"),
        "carousel.cards[0].media_url",
    ),
    ("suggestion", rcs(suggestions=[{}]), "suggestions[0].type"),
    ("card-suggestion", card_message(card(suggestions=[{}])), "card.suggestions[0].type"),
]


@pytest.mark.parametrize(
    ("body", "bad"), [c[1:] for c in EMPTY_OBJECTS], ids=[c[0] for c in EMPTY_OBJECTS]
)
def test_an_empty_object_is_checked_like_any_other(
    sb: Live, body: dict[str, Any], bad: str
) -> None:
    data = problem(sb, body)
    assert data["type"] == f"{BASE}1150"
    assert bad in names(data)


def test_an_object_missing_its_fields_is_refused(sb: Live) -> None:
    """The same shapes as above with one unrelated field: the checks run (and with none)."""
    data = problem(sb, card_message({"title": "t"}))
    assert sorted(names(data)) == ["card.media_url", "card.text"]
    data = problem(sb, rcs(suggestions=[{"text": "t"}]))
    assert names(data) == ["suggestions[0].type"]


def test_nothing_is_stored_for_a_refused_request() -> None:
    with live_sandbox() as live:
        problem(live, rcs(text="x" * 3073))
        assert live.control("GET", "/messages?channel=rcs")["total"] == 0


# -- statuses -------------------------------------------------------------------------------


def test_submitted_delivered_read_send_v1_status_webhooks() -> None:
    with receiver() as rec, live_sandbox(status_url=rec.at("/status")) as sb:
        uuid = sb.sent(rcs(client_ref="r-1"))["message_uuid"]
        sb.control("POST", "/settle")
        sb.mark(uuid, "delivered")
        detail = sb.mark(uuid, "read")
        assert detail["status"] == "read"
        got = rec.bodies("/status")
        assert statuses(got) == ["submitted", "delivered", "read"]
        for body in got:
            assert body["message_uuid"] == uuid
            assert body["channel"] == "rcs"
            assert (body["to"], body["from"]) == (USER, AGENT)
            assert body["destination"] == NETWORK
            assert body["usage"] == PRICE
            assert body["client_ref"] == "r-1"
            assert "error" not in body


def test_read_straight_from_submitted_reports_delivered_first() -> None:
    with receiver() as rec, live_sandbox(status_url=rec.at("/status")) as sb:
        uuid = sb.sent(rcs())["message_uuid"]
        sb.mark(uuid, "read")
        assert statuses(rec.bodies("/status")) == ["submitted", "delivered", "read"]


@pytest.mark.parametrize(
    ("status", "code", "reason"),
    [
        ("rejected", 1300, "Not part of the provider network"),
        ("rejected", None, "Unroutable"),  # the default code, 1250
        ("undeliverable", 1310, "Not suitable device"),
        ("undeliverable", None, "Destination unreachable"),  # the default code, 1260
    ],
)
def test_rejected_and_undeliverable_carry_the_error(
    status: str, code: int | None, reason: str
) -> None:
    with receiver() as rec, live_sandbox(status_url=rec.at("/status")) as sb:
        uuid = sb.sent(rcs())["message_uuid"]
        extra = {} if code is None else {"error_code": code}
        sb.mark(uuid, status, **extra)
        expected = code or {"rejected": 1250, "undeliverable": 1260}[status]
        submitted, final = rec.bodies("/status")
        assert submitted["status"] == "submitted"
        assert final["status"] == status
        assert final["channel"] == "rcs"
        assert final["destination"] == NETWORK
        assert final["error"]["type"] == f"{BASE}{expected}"
        assert final["error"]["title"] == str(expected)
        # v1 carries the code's full text ("Unroutable - The chosen route ..."), v0.1 its name.
        assert final["error"]["detail"].lower().startswith(reason.lower() + " - ")
        # Nothing is charged for what never left; an undeliverable message was sent.
        assert ("usage" in final) is (status == "undeliverable")
        # A final status is final.
        assert (
            post(sb, f"/_sandbox/messages/{uuid}/status", {"status": "delivered"}).status_code
            == 409
        )


# -- revocation -----------------------------------------------------------------------------


def test_revoking_a_submitted_message_takes_it_back_without_a_webhook() -> None:
    with receiver() as rec, live_sandbox(status_url=rec.at("/status")) as sb:
        uuid = sb.sent(rcs())["message_uuid"]
        sb.control("POST", "/settle")
        r = revoke(sb, uuid)
        assert r.status_code == 202, r.text
        assert r.content == b""
        detail = sb.message(uuid)
        assert detail["status"] == "revoked"
        assert detail["extra"]["revocation"]["outcome"] == "revoked"
        assert [h["status"] for h in detail["history"]] == ["submitted", "revoked"]
        sb.control("POST", "/settle")
        assert statuses(rec.bodies("/status")) == ["submitted"]
        assert [h["event"] for h in sb.webhooks(message_uuid=uuid)] == ["submitted"]
        # The handset never got it: it cannot be delivered, read, or tapped any more.
        for status in ("delivered", "read", "rejected"):
            late = post(sb, f"/_sandbox/messages/{uuid}/status", {"status": status})
            assert late.status_code == 409, (status, late.text)
        assert sb.message(uuid)["status"] == "revoked"
        assert statuses(rec.bodies("/status")) == ["submitted"]


def test_revoking_twice_is_accepted_and_recorded_as_already_revoked() -> None:
    with live_sandbox() as sb:
        uuid = sb.sent(rcs())["message_uuid"]
        assert revoke(sb, uuid).status_code == 202
        assert revoke(sb, uuid).status_code == 202
        detail = sb.message(uuid)
        assert detail["status"] == "revoked"
        assert detail["extra"]["revocation"]["outcome"] == "already revoked"


@pytest.mark.parametrize("status", ["delivered", "read", "rejected"])
def test_revoking_after_the_handset_answered_is_too_late(status: str) -> None:
    with receiver() as rec, live_sandbox(status_url=rec.at("/status")) as sb:
        uuid = sb.sent(rcs())["message_uuid"]
        sb.mark(uuid, status)
        before = statuses(rec.bodies("/status"))
        assert revoke(sb, uuid).status_code == 202
        detail = sb.message(uuid)
        assert detail["status"] == status
        outcome = detail["extra"]["revocation"]["outcome"]
        assert outcome.startswith("too late"), outcome
        assert status in outcome
        assert statuses(rec.bodies("/status")) == before


@pytest.mark.parametrize(
    ("wait", "status", "outcome"),
    [
        (DAY, "revoked", "revoked"),  # exactly a day: still within it
        (DAY + 1, "submitted", "too late: revocation is possible within 24 hours of sending"),
    ],
)
def test_revocation_is_possible_within_a_day(wait: int, status: str, outcome: str) -> None:
    with live_sandbox() as sb:
        uuid = sb.sent(rcs())["message_uuid"]
        sb.advance(wait)
        assert revoke(sb, uuid).status_code == 202
        detail = sb.message(uuid)
        assert detail["status"] == status
        assert detail["extra"]["revocation"]["outcome"] == outcome


def test_a_revoked_message_is_not_delivered_by_the_auto_handset() -> None:
    with receiver() as rec, live_sandbox(status_url=rec.at("/status"), auto_deliver=5) as sb:
        uuid = sb.sent(rcs())["message_uuid"]
        assert revoke(sb, uuid).status_code == 202
        sb.advance(60)
        assert sb.message(uuid)["status"] == "revoked"
        # An advance waits for what it caused; the send's own webhook may still be on its way.
        sb.control("POST", "/settle")
        assert statuses(rec.bodies("/status")) == ["submitted"]
    with receiver() as rec, live_sandbox(status_url=rec.at("/status"), auto_deliver=5) as sb:
        uuid = sb.sent(rcs())["message_uuid"]
        sb.advance(60)  # the control: without the revocation the handset delivers it
        sb.control("POST", "/settle")
        assert statuses(rec.bodies("/status")) == ["submitted", "delivered"]


def test_a_message_still_submitted_after_a_day_can_still_be_delivered() -> None:
    with live_sandbox() as sb:
        uuid = sb.sent(rcs())["message_uuid"]
        sb.advance(DAY + 1)
        revoke(sb, uuid)
        assert sb.mark(uuid, "delivered")["status"] == "delivered"


def test_revoking_an_sms_is_an_unsupported_operation() -> None:
    with live_sandbox() as sb:
        uuid = sb.sent(sms())["message_uuid"]
        r = revoke(sb, uuid)
        assert r.status_code == 422, r.text
        assert r.json()["type"] == "https://developer.vonage.com/api-errors#unsupported-operation"
        assert sb.message(uuid)["status"] == "submitted"
        assert "extra" not in sb.message(uuid)


def test_revoking_an_inbound_rcs_message_is_an_unsupported_operation() -> None:
    with live_sandbox() as sb:
        created = sb.control(
            "POST", "/inbound", {"channel": "rcs", "from": USER, "to": AGENT, "text": "hi"}
        )
        r = revoke(sb, created["message_uuid"])
        assert r.status_code == 422, r.text
        assert r.json()["type"] == "https://developer.vonage.com/api-errors#unsupported-operation"


def test_revoking_an_unknown_message_is_404() -> None:
    with live_sandbox() as sb:
        r = revoke(sb, "aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab")
        assert r.status_code == 404, r.text
        assert r.json()["type"] == "https://developer.vonage.com/api-errors#not-found"


def test_revocation_needs_a_bearer_jwt() -> None:
    with live_sandbox() as sb:
        uuid = sb.sent(rcs())["message_uuid"]
        r = revoke(sb, uuid, auth=BASIC)
        assert r.status_code == 401, r.text
        no_auth = sb.http.patch(f"/v1/messages/{uuid}", json={"status": "revoked"})
        assert no_auth.status_code == 401
        assert sb.message(uuid)["status"] == "submitted"


def test_patch_with_an_unknown_status_is_1150() -> None:
    with live_sandbox() as sb:
        uuid = sb.sent(rcs())["message_uuid"]
        r = sb.http.patch(
            f"/v1/messages/{uuid}", json={"status": "deleted"}, headers={"Authorization": bearer()}
        )
        assert r.status_code == 422, r.text
        assert r.json()["type"] == f"{BASE}1150"
        assert names(r.json()) == ["status"]
        assert sb.message(uuid)["status"] == "submitted"


# -- taps -----------------------------------------------------------------------------------


def tap(live: Live, uuid: str, body: Any) -> Any:
    return post(live, f"/_sandbox/messages/{uuid}/tap", body)


def test_tapping_a_suggested_reply_sends_an_inbound_reply() -> None:
    with receiver() as rec, live_sandbox(inbound_url=rec.at("/inbound")) as sb:
        body = card_message(card(suggestions=[reply("Deliver Friday", "fri"), open_url()]))
        uuid = sb.sent(body)["message_uuid"]
        r = tap(sb, uuid, {"suggestion": 0})
        assert r.status_code == 201, r.text
        created = r.json()
        assert created["direction"] == "inbound"
        assert created["message_type"] == "reply"
        (got,) = rec.bodies("/inbound")
        assert got["message_uuid"] == created["message_uuid"]
        assert got["channel"] == "rcs"
        assert got["message_type"] == "reply"
        assert got["reply"] == {"id": "fri", "title": "Deliver Friday"}
        assert (got["from"], got["to"]) == (USER, AGENT)
        assert got["context_status"] == "none"


def test_tapping_a_suggested_action_by_postback_sends_a_button() -> None:
    with receiver() as rec, live_sandbox(inbound_url=rec.at("/inbound")) as sb:
        body = card_message(card(suggestions=[reply(), open_url("Track it", "track-1")]))
        uuid = sb.sent(body)["message_uuid"]
        r = tap(sb, uuid, {"postback_data": "track-1"})
        assert r.status_code == 201, r.text
        (got,) = rec.bodies("/inbound")
        assert got["message_type"] == "button"
        assert got["button"] == {"payload": "track-1", "text": "Track it"}
        assert (got["from"], got["to"]) == (USER, AGENT)
        assert got["channel"] == "rcs"
        assert got["context_status"] == "none"
        assert "reply" not in got


@pytest.mark.parametrize("kind", [s["type"] for s in SUGGESTIONS])
def test_every_action_comes_back_as_a_button_and_only_reply_as_a_reply(kind: str) -> None:
    (chip,) = [s for s in SUGGESTIONS if s["type"] == kind]
    with receiver() as rec, live_sandbox(inbound_url=rec.at("/in")) as sb:
        uuid = sb.sent(rcs(suggestions=[chip]))["message_uuid"]
        assert tap(sb, uuid, {"suggestion": 0}).status_code == 201
        (got,) = rec.bodies("/in")
        if kind == "reply":
            assert got["message_type"] == "reply"
            assert got["reply"] == {"id": chip["postback_data"], "title": chip["text"]}
        else:
            assert got["message_type"] == "button"
            assert got["button"] == {"payload": chip["postback_data"], "text": chip["text"]}


@pytest.mark.parametrize(
    ("body", "bad"),
    [
        ({"suggestion": 2}, "suggestion"),
        ({"suggestion": -1}, "suggestion"),
        ({"suggestion": True}, "suggestion"),
        ({"suggestion": "0"}, "suggestion"),
        ({}, "suggestion"),
        ({"suggestion": 0, "postback_data": "yes"}, "suggestion"),
        ({"postback_data": "nothing-like-it"}, "postback_data"),
        ({"postback_data": 7}, "postback_data"),
    ],
    ids=["index-2", "index-minus-1", "bool", "string-index", "neither", "both", "no-match", "int"],
)
def test_bad_taps_answer_422(body: dict[str, Any], bad: str) -> None:
    with receiver() as rec, live_sandbox(inbound_url=rec.at("/in")) as sb:
        uuid = sb.sent(card_message(card(suggestions=[reply(), open_url()])))["message_uuid"]
        r = tap(sb, uuid, body)
        assert r.status_code == 422, r.text
        assert bad in names(r.json())
        sb.control("POST", "/settle")
        assert rec.received == []
        assert sb.control("GET", "/messages?direction=inbound")["total"] == 0


def test_tapping_an_sms_is_409_and_an_unknown_message_404() -> None:
    with live_sandbox() as sb:
        uuid = sb.sent(sms())["message_uuid"]
        assert tap(sb, uuid, {"suggestion": 0}).status_code == 409
        assert tap(sb, "aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab", {"suggestion": 0}).status_code == 404


@pytest.mark.parametrize("status", ["rejected", "undeliverable"])
def test_a_message_the_handset_never_got_cannot_be_tapped(status: str) -> None:
    with receiver() as rec, live_sandbox(inbound_url=rec.at("/in")) as sb:
        uuid = sb.sent(rcs(suggestions=[reply()]))["message_uuid"]
        sb.mark(uuid, status)
        assert tap(sb, uuid, {"suggestion": 0}).status_code == 409
        assert rec.received == []


def test_tapping_a_message_without_chips_is_refused() -> None:
    with receiver() as rec, live_sandbox(inbound_url=rec.at("/in")) as sb:
        uuid = sb.sent(rcs())["message_uuid"]
        r = tap(sb, uuid, {"suggestion": 0})
        assert r.status_code == 422, r.text
        assert names(r.json()) == ["suggestion"]
        assert tap(sb, uuid, {"postback_data": "yes"}).status_code == 422
        assert rec.received == []


def test_tapping_a_message_without_chips_explains_itself() -> None:
    with live_sandbox() as sb:
        uuid = sb.sent(rcs())["message_uuid"]
        (item,) = tap(sb, uuid, {"suggestion": 0}).json()["invalid_parameters"]
        assert "-1" not in item["reason"]


def test_tapping_a_revoked_message_is_409() -> None:
    with receiver() as rec, live_sandbox(inbound_url=rec.at("/in")) as sb:
        uuid = sb.sent(rcs(suggestions=[reply()]))["message_uuid"]
        assert revoke(sb, uuid).status_code == 202
        assert tap(sb, uuid, {"suggestion": 0}).status_code == 409
        assert rec.received == []


def test_card_chips_come_before_message_level_chips() -> None:
    with receiver() as rec, live_sandbox(inbound_url=rec.at("/in")) as sb:
        body = rcs(
            message_type="carousel",
            carousel={
                "cards": [
                    card(suggestions=[reply("Card A", "a1"), reply("Card A 2", "a2")]),
                    card(suggestions=[reply("Card B", "b1")]),
                ]
            },
            suggestions=[reply("Message", "m1"), open_url("Message url", "m2")],
        )
        del body["text"]
        uuid = sb.sent(body)["message_uuid"]
        for i in range(5):
            assert tap(sb, uuid, {"suggestion": i}).status_code == 201
        assert tap(sb, uuid, {"suggestion": 5}).status_code == 422
        got = rec.bodies("/in")
        ids = [b["reply"]["id"] if "reply" in b else b["button"]["payload"] for b in got]
        assert ids == ["a1", "a2", "b1", "m1", "m2"]


def test_a_tap_goes_to_the_sending_applications_inbound_url() -> None:
    with receiver() as rec, live_sandbox(inbound_url=rec.at("/default")) as sb:
        sb.control("PUT", "/applications/app-rcs", {"inbound_url": rec.at("/app")})
        uuid = sb.send(rcs(suggestions=[reply()]), auth=bearer("app-rcs")).json()["message_uuid"]
        created = tap(sb, uuid, {"suggestion": 0}).json()
        assert created["application_id"] == "app-rcs"
        assert [r.path for r in rec.received] == ["/app"]


# -- failover to SMS ------------------------------------------------------------------------


def test_rcs_rejected_fails_over_to_sms() -> None:
    with receiver() as rec, live_sandbox(status_url=rec.at("/status")) as sb:
        data = sb.sent({**rcs(text="primary"), "failover": [sms(text="fallback")]})
        assert set(data) == {"message_uuid", "workflow_id"}
        wid = data["workflow_id"]
        sb.control("POST", "/settle")
        assert sb.control("GET", "/messages?channel=sms")["total"] == 0
        wf = sb.control("GET", f"/workflows/{wid}")
        assert (wf["status"], wf["current_item"], wf["items_total"]) == ("active", 1, 2)
        assert wf["steps"][0]["channel"] == "rcs"

        sb.mark(data["message_uuid"], "rejected", error_code=1300)
        (fallback,) = sb.control("GET", "/messages?channel=sms")["messages"]
        assert fallback["text"] == "fallback"
        assert (fallback["to"], fallback["from"]) == (USER, N2)
        wf = sb.control("GET", f"/workflows/{wid}")
        assert (wf["status"], wf["current_item"]) == ("active", 2)
        assert wf["steps"][0]["status"] == "rejected"
        assert wf["steps"][0]["outcome"] == "rejected: failed over to item 2"
        assert wf["steps"][1]["message_uuid"] == fallback["message_uuid"]

        sb.mark(fallback["message_uuid"], "delivered")
        wf = sb.control("GET", f"/workflows/{wid}")
        assert wf["status"] == "completed"
        got = [
            (b["channel"], b["status"], b["workflow"]["items_number"], b["workflow"]["items_total"])
            for b in rec.bodies("/status")
        ]
        assert got == [
            ("rcs", "submitted", "1", "2"),
            ("rcs", "rejected", "1", "2"),
            ("sms", "submitted", "2", "2"),
            ("sms", "delivered", "2", "2"),
        ]
        assert {b["workflow"]["workflow_id"] for b in rec.bodies("/status")} == {wid}


def test_rcs_delivered_completes_without_the_sms() -> None:
    with live_sandbox() as sb:
        data = sb.sent({**rcs(), "failover": [sms()]})
        sb.mark(data["message_uuid"], "delivered")
        assert sb.control("GET", f"/workflows/{data['workflow_id']}")["status"] == "completed"
        assert sb.control("GET", "/messages?channel=sms")["total"] == 0


def test_a_bad_failover_item_refuses_the_whole_request() -> None:
    with live_sandbox() as sb:
        data = problem(sb, {**rcs(), "failover": [sms(text="x" * 1001)]})
        assert data["type"] == f"{BASE}1150"
        assert names(data) == ["failover[0].text"]
        assert sb.control("GET", "/messages")["total"] == 0


# -- inbound --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"text": "Friday works"}, {"message_type": "text", "text": "Friday works"}),
        (
            {"message_type": "location", "location": {"lat": 51.5074, "long": -0.1278}},
            {"message_type": "location", "location": {"lat": 51.5074, "long": -0.1278}},
        ),
        (
            {"message_type": "image", "image": {"url": "https://example.com/photo.jpg"}},
            {"message_type": "image", "image": {"url": "https://example.com/photo.jpg"}},
        ),
    ],
    ids=["text", "location", "image"],
)
def test_inbound_rcs_gives_a_v1_inbound_webhook(
    extra: dict[str, Any], expected: dict[str, Any]
) -> None:
    with receiver() as rec, live_sandbox(inbound_url=rec.at("/inbound")) as sb:
        created = sb.control(
            "POST", "/inbound", {"channel": "rcs", "from": USER, "to": AGENT, **extra}
        )
        (got,) = rec.bodies("/inbound")
        assert got["message_uuid"] == created["message_uuid"]
        assert got["channel"] == "rcs"
        assert (got["from"], got["to"]) == (USER, AGENT)
        assert got["context_status"] == "none"
        for key, value in expected.items():
            assert got[key] == value, key


@pytest.mark.parametrize(
    ("extra", "bad"),
    [
        ({"text": "hi", "profile": {"name": "Jane"}}, "profile"),
        ({"message_type": "template", "template": {"name": "t"}}, "message_type"),
        ({"message_type": "location", "location": {"lat": "north"}}, "location.lat"),
        ({"text": "hi", "to": "Vonage Agent"}, "to"),
        ({"text": "hi", "from": "+447700900000"}, "from"),
    ],
    ids=["profile", "template", "location", "bad-agent-id", "bad-number"],
)
def test_inbound_rcs_refuses_what_rcs_does_not_carry(extra: dict[str, Any], bad: str) -> None:
    with receiver() as rec, live_sandbox(inbound_url=rec.at("/inbound")) as sb:
        body = {"channel": "rcs", "from": USER, "to": AGENT, **extra}
        r = post(sb, "/_sandbox/inbound", body)
        assert r.status_code == 422, r.text
        assert bad in names(r.json())
        sb.control("POST", "/settle")
        assert rec.received == []


# -- the 2018 API ---------------------------------------------------------------------------


def test_v01_messages_has_no_rcs() -> None:
    with live_sandbox() as sb:
        body = {
            "from": {"type": "rcs", "id": AGENT},
            "to": {"type": "rcs", "number": USER},
            "message": {"content": {"type": "text", "text": "hi"}},
        }
        r = sb.send(body, path="/v0.1/messages")
        assert r.status_code == 400, r.text
        data = r.json()
        assert data["type"] == "https://www.nexmo.com/messages/Errors#InvalidParams"
        assert names(data) == ["to.type"]
        assert "rcs" not in data["invalid_parameters"][0]["reason"]
        assert sb.control("GET", "/messages")["total"] == 0
