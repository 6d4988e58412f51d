"""The inbox in real headless Chromium: overview, conversations, acting as the handset and the
user, escaping, live updates, keyboard and phone width."""

from __future__ import annotations

import time
from typing import Any

import pytest

from sandbox.core.models import Outbound, Sender
from tests.harness import Live
from tests.receiver import Receiver
from tests.ui.conftest import settled
from tests.ui.pw import conversation_url, expect

pytestmark = pytest.mark.e2e

APP = "447700900000"
USER = "447700900001"


def wait_live(page: Any) -> None:
    """The page's event stream is open (so a change now is pushed to it)."""
    expect(page.locator("#live")).to_have_attribute("data-state", "open")


def test_overview_lists_filters_and_searches(sandbox: Live, page: Any) -> None:
    sandbox.text("447700900011", "first to eleven", channel="sms")
    sandbox.text("447700900012", "hello twelve", channel="whatsapp")
    sandbox.text("447700900011", "second to eleven", channel="sms")
    page.goto(sandbox.url + "/")
    rows = page.locator(".conv")
    expect(rows).to_have_count(2)
    # Newest activity first: the SMS conversation got the last message.
    expect(rows.nth(0)).to_have_attribute("data-peer", "447700900011")
    expect(rows.nth(0)).to_contain_text("second to eleven")
    expect(rows.nth(0)).to_contain_text("2 msg")
    expect(rows.nth(1)).to_contain_text("WhatsApp")

    page.select_option("#f-channel", "whatsapp")
    page.click(".filters button[type=submit]")
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_have_attribute("data-peer", "447700900012")

    page.goto(sandbox.url + "/")
    page.fill("#f-q", "FIRST to")  # text search, case-insensitive, any message of the thread
    page.press("#f-q", "Enter")
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_have_attribute("data-peer", "447700900011")
    page.fill("#f-q", "900012")  # by number
    page.press("#f-q", "Enter")
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_have_attribute("data-peer", "447700900012")


def test_mark_read_changes_ticks_and_fires_status_webhook(
    sandbox: Live, page: Any, receiver: Receiver
) -> None:
    uuid = sandbox.text(USER, "Your code is 1234", channel="whatsapp")
    page.goto(sandbox.url + "/")
    page.locator(f'.conv[data-channel="whatsapp"][data-peer="{USER}"] a').click()
    msg = page.locator(f"#m-{uuid}")
    expect(msg).to_have_attribute("data-status", "submitted")
    expect(msg.locator(".ticks")).to_have_text("✓")
    expect(page.locator(".phone")).to_have_class("phone ch-whatsapp")

    msg.locator('[data-mark="read"]').click()
    expect(msg).to_have_attribute("data-status", "read")
    expect(msg.locator(".ticks.t-read")).to_have_text("✓✓")
    # The full history with virtual timestamps: read implies delivered first.
    msg.locator(".history summary").click()
    expect(msg.locator(".history li")).to_have_count(3)
    expect(msg.locator(".history li").nth(2)).to_contain_text("read")
    expect(msg.locator(".history li").nth(2)).to_contain_text("by ui")
    # A read message has nothing left to mark.
    expect(msg.locator("[data-mark]")).to_have_count(0)

    settled(page)
    statuses = [b["status"] for b in receiver.bodies("/status") if b["message_uuid"] == uuid]
    assert statuses[-2:] == ["delivered", "read"]


def test_sms_has_no_read_and_undeliverable_takes_a_real_error_code(
    sandbox: Live, page: Any, receiver: Receiver
) -> None:
    uuid = sandbox.text(USER, "sms only", channel="sms")
    page.goto(conversation_url(sandbox, "sms", USER))
    msg = page.locator(f"#m-{uuid}")
    expect(msg.locator("[data-mark]")).to_have_text(["Delivered", "Rejected", "Undeliverable"])
    page.select_option("#error-code", "1300")
    msg.locator('[data-mark="undeliverable"]').click()
    expect(msg).to_have_attribute("data-status", "undeliverable")
    expect(msg.locator(".ticks")).to_have_text("✕")
    expect(msg.locator(".history summary")).to_contain_text("1300 Not part of the provider network")
    settled(page)
    body = receiver.bodies("/status")[-1]
    assert body["status"] == "undeliverable"
    assert body["message_uuid"] == uuid
    assert body["error"]["title"] == "1300"
    assert body["error"]["detail"].startswith("Not part of the provider network - The number")


def test_reply_as_the_user_fires_the_inbound_webhook(
    sandbox: Live, page: Any, receiver: Receiver
) -> None:
    sandbox.text(USER, "Reply YES to confirm", channel="sms")
    page.goto(conversation_url(sandbox, "sms", USER))
    # SMS users send text only: no type picker.
    expect(page.locator(".composer select[name=message_type]")).to_be_hidden()
    page.fill(".composer textarea[name=text]", "YES please")
    page.click(".composer button[type=submit]")
    expect(page.locator(".msg.inbound")).to_contain_text("YES please")
    settled(page)
    texts = [(b.get("from"), b.get("to"), b.get("text")) for b in receiver.bodies("/inbound")]
    assert (USER, APP, "YES please") in texts


def test_whatsapp_user_sends_image_and_location(
    sandbox: Live, page: Any, receiver: Receiver
) -> None:
    sandbox.text(USER, "Send a photo", channel="whatsapp")
    page.goto(conversation_url(sandbox, "whatsapp", USER))
    image = sandbox.url + "/static/favicon.svg"  # served locally: no network, no console error
    page.select_option(".composer select[name=message_type]", "image")
    expect(page.locator(".composer textarea[name=text]")).to_be_hidden()
    page.fill(".composer input[name=url]", image)
    page.click(".composer button[type=submit]")
    expect(page.locator(f'.msg.inbound img.media[src="{image}"]')).to_be_visible()

    page.select_option(".composer select[name=message_type]", "location")
    page.fill(".composer input[name=lat]", "51.5")
    page.fill(".composer input[name=long]", "-0.12")
    page.click(".composer button[type=submit]")
    expect(page.locator('.msg.inbound[data-type="location"]')).to_contain_text("51.5")
    settled(page)
    kinds = [b.get("message_type") for b in receiver.bodies("/inbound")]
    assert kinds[-2:] == ["image", "location"]


def test_invalid_reply_shows_the_problem(sandbox: Live, page: Any, problems: Any) -> None:
    sandbox.text(USER, "hi", channel="whatsapp")
    page.goto(conversation_url(sandbox, "whatsapp", USER))
    page.select_option(".composer select[name=message_type]", "image")
    page.click(".composer button[type=submit]")  # no URL
    expect(page.locator("#flash")).to_be_visible()
    expect(page.locator("#flash")).to_contain_text("image.url")
    expect(page.locator(".msg.inbound")).to_have_count(0)
    # Chromium logs the control API's 422 as a failed resource load: expected here, only here.
    assert len(problems.console) == 1 and "422" in problems.console[0], problems.console
    problems.console.clear()


def stored(sandbox: Live, message_type: str, content: dict[str, Any]) -> None:
    """A message the API would refuse (a media URL that is no http(s) URL), kept as if an older
    `--db` file held it: what the inbox must still draw inert."""
    draft = Outbound("whatsapp", USER, APP, message_type, {message_type: content})
    sandbox.rt.engine.send(draft, Sender(api_key="abcd1234"))


def test_script_text_and_javascript_urls_render_inert(sandbox: Live, page: Any) -> None:
    sandbox.text(USER, "<script>alert(1)</script>", channel="whatsapp")
    img = {"url": "javascript:alert(1)", "caption": "<img src=x onerror=alert(2)>"}
    refused = {"channel": "whatsapp", "message_type": "image", "to": USER, "from": APP}
    assert sandbox.send({**refused, "image": img}).status_code == 422  # not a URL
    stored(sandbox, "image", img)
    stored(sandbox, "file", {"url": "javascript:alert(3)"})
    page.goto(sandbox.url + "/")
    expect(page.locator(".conv .snippet")).to_contain_text("[file]")
    page.goto(conversation_url(sandbox, "whatsapp", USER))
    expect(page.locator(".msg .text")).to_have_text("<script>alert(1)</script>")
    expect(page.locator(".msg .caption")).to_have_text("<img src=x onerror=alert(2)>")
    expect(page.locator(".inert")).to_have_count(2)
    expect(page.locator(".inert").first).to_contain_text("javascript:alert(1)")
    assert page.locator("main script").count() == 0
    assert page.locator('[src^="javascript"], [href^="javascript"], img[src="x"]').count() == 0
    # dialogs and console errors are checked by the page fixture


def test_media_shown_images_as_images_others_as_links(sandbox: Live, page: Any) -> None:
    image = sandbox.url + "/static/favicon.svg"
    for kind, url in (("image", image), ("audio", "https://example.com/a.mp3")):
        sandbox.sent(
            {
                "channel": "whatsapp",
                "message_type": kind,
                "to": USER,
                "from": APP,
                kind: {"url": url},
            }
        )
    sandbox.sent(
        {
            "channel": "whatsapp",
            "message_type": "template",
            "to": USER,
            "from": APP,
            "template": {"name": "verify", "parameters": ["1234", "10 minutes"]},
            "whatsapp": {"locale": "en_GB"},
        }
    )
    sandbox.sent(
        {
            "channel": "whatsapp",
            "message_type": "custom",
            "to": USER,
            "from": APP,
            "custom": {"type": "interactive", "interactive": {"type": "button"}},
        }
    )
    page.goto(conversation_url(sandbox, "whatsapp", USER))
    expect(page.locator(f'img.media[src="{image}"]')).to_be_visible()
    expect(page.locator('a.file[href="https://example.com/a.mp3"]')).to_be_visible()
    tpl = page.locator(".msg .template")
    expect(tpl).to_contain_text("verify")
    expect(tpl.locator("dd")).to_have_text(["1234", "10 minutes"])
    expect(page.locator('.msg[data-type="custom"] pre')).to_contain_text('"interactive"')


def test_new_message_appears_live_within_a_second(sandbox: Live, page: Any) -> None:
    sandbox.text(USER, "before", channel="viber_service", frm="MyBrand")
    page.goto(sandbox.url + "/")
    wait_live(page)
    start = time.monotonic()
    sandbox.text("447700900099", "pushed to the open page", channel="messenger", frm="12345")
    expect(page.locator(".conv").first).to_contain_text("pushed to the open page", timeout=1000)
    overview_ms = (time.monotonic() - start) * 1000

    page.goto(conversation_url(sandbox, "viber_service", USER))
    wait_live(page)
    start = time.monotonic()
    uuid = sandbox.text(USER, "live in the thread", channel="viber_service", frm="MyBrand")
    expect(page.locator(f"#m-{uuid}")).to_be_visible(timeout=1000)
    sandbox.control("POST", f"/_sandbox/messages/{uuid}/status", {"status": "delivered"})
    expect(page.locator(f"#m-{uuid}")).to_have_attribute("data-status", "delivered", timeout=1000)
    thread_ms = (time.monotonic() - start) * 1000
    print(f"live update: overview {overview_ms:.0f} ms, thread {thread_ms:.0f} ms")


def test_unread_count_clears_when_the_conversation_is_opened(sandbox: Live, page: Any) -> None:
    sandbox.text(USER, "hello", channel="sms")
    sandbox.control("POST", "/_sandbox/inbound", {"channel": "sms", "from": USER, "text": "one"})
    sandbox.control("POST", "/_sandbox/inbound", {"channel": "sms", "from": USER, "text": "two"})
    page.goto(sandbox.url + "/")
    expect(page.locator(".conv .unread-count")).to_have_text("2")
    page.locator(".conv a").click()
    expect(page.locator(".msg.inbound")).to_have_count(2)
    page.go_back()
    page.reload()
    expect(page.locator(".conv .unread-count")).to_have_count(0)


def test_keyboard_only(sandbox: Live, page: Any, receiver: Receiver) -> None:
    uuid = sandbox.text(USER, "keyboard", channel="messenger", frm="12345")
    page.goto(conversation_url(sandbox, "messenger", USER))
    button = page.locator(f'#m-{uuid} [data-mark="delivered"]')
    for _ in range(40):  # Tab through the page until the button has focus
        page.keyboard.press("Tab")
        if button.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("the Delivered button cannot be reached with Tab")
    page.keyboard.press("Enter")
    expect(page.locator(f"#m-{uuid}")).to_have_attribute("data-status", "delivered")
    # Focus stays on the message after the thread refreshes (on its next button).
    assert page.evaluate("document.activeElement.dataset.uuid") == uuid
    page.focus(".composer textarea")
    page.keyboard.type("typed reply")
    page.keyboard.press("Enter")
    expect(page.locator(".msg.inbound")).to_contain_text("typed reply")
    settled(page)
    assert "typed reply" in [b.get("text") for b in receiver.bodies("/inbound")]


@pytest.mark.parametrize("path", ["/", "/conversation", "/time", "/webhooks", "/failover"])
def test_readable_at_phone_width(sandbox: Live, page: Any, path: str) -> None:
    uuid = sandbox.text(USER, "a fairly long message " * 8, channel="whatsapp")
    sandbox.control("POST", f"/_sandbox/messages/{uuid}/status", {"status": "delivered"})
    page.set_viewport_size({"width": 375, "height": 740})
    url = (
        conversation_url(sandbox, "whatsapp", USER)
        if path == "/conversation"
        else sandbox.url + path
    )
    page.goto(url)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 376, f"{path} scrolls sideways at phone width ({width}px)"


def test_a_user_can_write_first_from_the_overview(
    sandbox: Live, page: Any, receiver: Receiver
) -> None:
    page.goto(sandbox.url + "/")
    expect(page.locator(".empty")).to_contain_text("No messages yet")
    page.click("details.panel summary")
    form = page.locator("form[data-compose]")
    form.locator("select[name=channel]").select_option("viber_service")
    form.locator("input[name=from]").fill(USER)
    form.locator("input[name=to]").fill("ShopCo")
    form.locator("textarea[name=text]").fill("Is my order ready?")
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(conversation_url(sandbox, "viber_service", USER))
    expect(page.locator(".phone")).to_have_class("phone ch-viber_service")
    expect(page.locator(".msg.inbound .text")).to_have_text("Is my order ready?")
    inbound = receiver.bodies("/inbound")
    assert [(b.get("channel"), b.get("to"), b.get("text")) for b in inbound] == [
        ("viber_service", "ShopCo", "Is my order ready?")
    ]
