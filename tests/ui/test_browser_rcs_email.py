"""RCS and email in real headless Chromium: rich cards and carousels drawn with their chips,
a chip tapped as the user reaching the app, a revoked message, and the email inbox with a
hostile HTML part kept inert."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from tests.harness import Live
from tests.helpers import bearer
from tests.receiver import Receiver
from tests.ui.conftest import settled
from tests.ui.pw import expect

pytestmark = pytest.mark.e2e

USER = "447700900001"
AGENT = "Vonage"
SHOP = "shop@example.com"
CUSTOMER = "ann@example.net"


def card(title: str, postback: str, media: str) -> dict[str, Any]:
    # Media on the local receiver: offline, a failed load would be a console error.
    return {
        "title": title,
        "text": f"About {title}",
        "media_url": media,
        "media_height": "MEDIUM",
        "suggestions": [{"type": "reply", "text": f"Pick {title}", "postback_data": postback}],
    }


def send_card(sb: Live, media: str) -> str:
    body = {
        "channel": "rcs",
        "message_type": "card",
        "to": USER,
        "from": AGENT,
        "card": card("Blue shoes", "pick-blue", media),
        "rcs": {"card_orientation": "VERTICAL"},
        "suggestions": [
            {
                "type": "open_url",
                "text": "Shop online",
                "postback_data": "open-shop",
                "url": "https://example.com/shop",
            }
        ],
    }
    return str(sb.sent(body)["message_uuid"])


def test_an_rcs_card_is_drawn_and_a_tapped_chip_reaches_the_app(
    sandbox: Live, page: Any, receiver: Receiver
) -> None:
    media = receiver.url + "/card.png"
    uuid = send_card(sandbox, media)
    page.goto(f"{sandbox.url}/conversation?channel=rcs&peer={quote(USER)}")
    bubble = page.locator(f"#m-{uuid}")
    expect(bubble.locator(".card-title")).to_have_text("Blue shoes")
    expect(bubble.locator(".card-text")).to_have_text("About Blue shoes")
    expect(bubble.locator("img.card-media")).to_have_attribute("src", media)
    chips = bubble.locator(".chip")
    expect(chips).to_have_count(2)  # the card's reply, then the message's own action
    expect(chips.nth(1)).to_have_text("Shop online")

    bubble.locator('.chip[data-tap="0"]').click()  # chips are tapped by position
    settled(page)
    inbound = receiver.bodies("/inbound")
    assert inbound[-1]["message_type"] == "reply"
    assert inbound[-1]["reply"] == {"id": "pick-blue", "title": "Pick Blue shoes"}
    assert (inbound[-1]["from"], inbound[-1]["to"]) == (USER, AGENT)
    # The user's answer shows in the thread as their own bubble.
    expect(page.locator('.msg.inbound[data-type="reply"]')).to_have_count(1)

    bubble.locator('.chip[data-tap="1"]').click()
    settled(page)
    assert receiver.bodies("/inbound")[-1]["button"] == {
        "payload": "open-shop",
        "text": "Shop online",
    }


def test_a_carousel_shows_every_card_and_a_revoked_message_no_chips(
    sandbox: Live, page: Any, receiver: Receiver
) -> None:
    media = receiver.url + "/card.png"
    body = {
        "channel": "rcs",
        "message_type": "carousel",
        "to": USER,
        "from": AGENT,
        "carousel": {"cards": [card(n, n, media) for n in ("One", "Two", "Three")]},
        "rcs": {"card_width": "MEDIUM"},
    }
    uuid = str(sandbox.sent(body)["message_uuid"])
    page.goto(f"{sandbox.url}/conversation?channel=rcs&peer={quote(USER)}")
    bubble = page.locator(f"#m-{uuid}")
    expect(bubble.locator(".cards.carousel .card")).to_have_count(3)
    expect(bubble.locator(".card-title")).to_have_text(["One", "Two", "Three"])

    revoked = send_card(sandbox, media)
    r = sandbox.http.patch(
        f"/v1/messages/{revoked}", json={"status": "revoked"}, headers={"Authorization": bearer()}
    )
    assert r.status_code == 202, r.text
    page.reload()
    item = page.locator(f"#m-{revoked}")
    expect(item).to_have_attribute("data-status", "revoked")
    expect(item.locator(".chip").first).to_be_disabled()
    expect(item.locator(".handset")).to_have_count(0)  # nothing left to report for it


HOSTILE = """<html><head><style>p { color: rgb(1, 2, 3); }</style></head><body>
<p id="hello">Hello Ann</p>
<script>parent.document.title = "pwned"; document.body.dataset.ran = "yes";</script>
<img src="RECEIVER/leak.png" alt="tracker">
<form action="RECEIVER/steal" method="post"><button>go</button></form>
<a href="javascript:alert(1)">click</a>
</body></html>"""


def test_email_inbox_lists_mail_and_keeps_hostile_html_inert(
    sandbox: Live, page: Any, receiver: Receiver, problems: Any
) -> None:
    html = HOSTILE.replace("RECEIVER", receiver.url)
    uuid = str(
        sandbox.sent(
            {
                "channel": "email",
                "message_type": "content",
                "to": CUSTOMER,
                "from": f"Shop <{SHOP}>",
                "content": [
                    {"type": "text", "text": "Hello Ann (text part)"},
                    {"type": "html", "body": html},
                ],
                "email": {"subject": "Your <b>order</b>", "cc": [{"address": "boss@example.com"}]},
            }
        )["message_uuid"]
    )
    page.goto(f"{sandbox.url}/conversation?channel=email&peer={quote(CUSTOMER)}")
    row = page.locator(f"#m-{uuid}")
    expect(row.locator("td").nth(0)).to_have_text("Your <b>order</b>")  # escaped, as text
    expect(row.locator("td").nth(1)).to_have_text(f"Shop <{SHOP}>")

    row.locator("a").click()
    expect(page.locator(".mail-subject")).to_have_text("Your <b>order</b>")
    expect(page.locator(".mail-headers")).to_contain_text("boss@example.com")
    expect(page.locator(".mail-text")).to_have_text("Hello Ann (text part)")
    frame_el = page.locator("iframe.mail-html")
    expect(frame_el).to_have_attribute("sandbox", "")
    frame = page.frame_locator("iframe.mail-html")
    expect(frame.locator("#hello")).to_have_text("Hello Ann")
    expect(frame.locator("#hello")).to_have_css("color", "rgb(1, 2, 3)")  # inline style kept
    expect(frame.locator("body")).not_to_have_attribute("data-ran", "yes")
    assert page.title() != "pwned"
    frame.locator("button").click()  # the form cannot submit
    settled(page)
    # Nothing in the HTML part reached out: no tracker image, no form post.
    assert [r.path for r in receiver.received if r.path in ("/leak.png", "/steal")] == []
    # What the browser refused is reported as policy violations, and only those.
    refused = [c for c in problems.console if "Content Security Policy" in c or "sandbox" in c]
    assert refused and refused == problems.console
    problems.console.clear()


def test_a_bounced_email_and_a_reply_from_the_user(
    sandbox: Live, page: Any, receiver: Receiver
) -> None:
    uuid = str(
        sandbox.sent(
            {
                "channel": "email",
                "message_type": "text",
                "to": CUSTOMER,
                "from": SHOP,
                "text": "Your code is 1234",
                "email": {"subject": "Code"},
            }
        )["message_uuid"]
    )
    page.goto(f"{sandbox.url}/messages/{uuid}")
    expect(page.locator(".mail-view .act-read")).to_have_count(0)  # email has no read receipts
    page.locator(".mail-view .act-undeliverable").click()
    settled(page)
    statuses = [b for b in receiver.bodies("/status") if b["message_uuid"] == uuid]
    assert [b["status"] for b in statuses] == ["submitted", "undeliverable"]
    assert statuses[-1]["error"]["title"] == "1260"

    page.goto(f"{sandbox.url}/conversation?channel=email&peer={quote(CUSTOMER)}")
    page.fill("input[name=subject]", "Re: Code")
    page.fill("textarea[name=text]", "Thanks!")
    page.click(".composer button[type=submit]")
    settled(page)
    inbound = receiver.bodies("/inbound")[-1]
    assert (inbound["channel"], inbound["from"], inbound["to"]) == ("email", CUSTOMER, SHOP)
    assert inbound["text"] == "Thanks!" and inbound["email"] == {"subject": "Re: Code"}
    expect(page.locator(".mail-list tbody tr")).to_have_count(2)
