"""RCS and email through the official SDKs, unmodified: Python ``vonage`` 4 (RcsText with
suggestions, RcsCardMessage, RcsCarouselMessage) over TLS, and Node ``@vonage/messages``
(RCSText with suggestion classes, a card and a carousel as plain objects, EmailText, EmailHTML,
RCS with SMS failover)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from vonage import Auth, HttpClientOptions, Vonage
from vonage_messages import (
    RcsCard,
    RcsCardMessage,
    RcsCarouselMessage,
    RcsOptionsCard,
    RcsOptionsCarousel,
    RcsSuggestionActionOpenUrl,
    RcsSuggestionReply,
    RcsText,
)

from tests.sdk.conftest import APP_ID, TlsLive
from tests.sdk.toolchain import node, node_version

pytestmark = pytest.mark.e2e

TO = "447700900000"


@pytest.fixture
def trust(live: TlsLive, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", live.ca_path)


def card(title: str, postback: str) -> RcsCard:
    return RcsCard(
        title=title,
        text=f"About {title}",
        media_url="https://example.com/card.png",
        media_height="MEDIUM",
        suggestions=[RcsSuggestionReply(text=f"Pick {title}", postback_data=postback)],
    )


def test_vonage4_sends_rcs_text_card_and_carousel(
    live: TlsLive, private_key_file: str, trust: None
) -> None:
    client = Vonage(
        Auth(application_id=APP_ID, private_key=private_key_file),
        HttpClientOptions(api_host=live.tls_host),
    )
    text = client.messages.send(
        RcsText(
            to=TO,
            from_="Vonage",
            text="Which colour?",
            suggestions=[
                RcsSuggestionReply(text="Blue", postback_data="blue"),
                RcsSuggestionActionOpenUrl(
                    text="Catalogue", postback_data="cat", url="https://example.com/c",
                    description="Our catalogue",
                ),
            ],
        )
    )  # fmt: skip
    card_message = client.messages.send(
        RcsCardMessage(
            to=TO,
            from_="Vonage",
            card=card("Blue shoes", "pick-blue"),
            rcs=RcsOptionsCard(card_orientation="VERTICAL"),
        )
    )
    carousel = client.messages.send(
        RcsCarouselMessage(
            to=TO,
            from_="Vonage",
            carousel={"cards": [card("One", "p1"), card("Two", "p2")]},
            rcs=RcsOptionsCarousel(card_width="SMALL"),
        )
    )
    shown = live.message(text.message_uuid)
    assert (shown["channel"], shown["message_type"], shown["text"]) == (
        "rcs",
        "text",
        "Which colour?",
    )
    assert [s["postback_data"] for s in shown["options"]["suggestions"]] == ["blue", "cat"]
    assert live.message(card_message.message_uuid)["card"]["title"] == "Blue shoes"
    cards = live.message(carousel.message_uuid)["carousel"]["cards"]
    assert [c["title"] for c in cards] == ["One", "Two"]
    # The user taps the card's chip; the tap is the inbound `reply` with the postback data.
    reply = live.control("POST", f"/messages/{card_message.message_uuid}/tap", {"suggestion": 0})
    assert reply["message_type"] == "reply" and reply["reply"]["id"] == "pick-blue"


def test_node_sends_rcs_with_failover_and_email(
    live: TlsLive, node_modules: Path, private_key_file: str
) -> None:
    config: dict[str, Any] = {
        "apiHost": live.tls_url,
        "applicationId": APP_ID,
        "privateKey": private_key_file,
    }
    out = node("rcs_email_app.js", live.env(), config, node_modules)
    text = live.message(out["text"])
    assert [s["type"] for s in text["options"]["suggestions"]] == ["reply", "open_url", "dial"]
    assert text["options"]["suggestions"][2]["phone_number"] == "+447700900001"
    card_message = live.message(out["card"])
    assert card_message["card"]["media_url"] == "https://example.com/card.png"
    assert card_message["options"]["rcs"] == {"card_orientation": "VERTICAL"}
    assert len(live.message(out["carousel"])["carousel"]["cards"]) == 2

    live.mark(out["failover"], "rejected")  # the handset has no RCS: the SMS goes out
    (sms,) = live.control("GET", "/messages?channel=sms&q=via%20SMS")["messages"]
    assert sms["workflow"]["items_number"] == 2

    version = tuple(int(p) for p in node_version("@vonage/messages").split(".")[:2])
    if version < (1, 27):  # EmailText and EmailHTML came with 1.27
        assert "emailText" not in out
        return
    email = live.message(out["emailText"])
    assert (email["channel"], email["to"], email["from"]) == (
        "email", "ann@example.net", "Shop <shop@example.com>",
    )  # fmt: skip
    assert email["options"]["email"]["subject"] == "Your code"
    assert email["options"]["email"]["cc"] == [{"name": "Bo", "address": "bo@example.com"}]
    assert live.message(out["emailHtml"])["html"] == {"body": "<p>Hi <b>Ann</b></p>"}
