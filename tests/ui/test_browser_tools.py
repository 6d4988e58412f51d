"""The inbox as a QA person uses it all day (issue 19): the search box on every page, keyboard
shortcuts for the handset's actions, copy buttons for uuids, payloads and tokens, and the end
of the thread kept in view when a reply arrives live. Real headless Chromium, plus the plain
HTTP answers of `/search`."""

from __future__ import annotations

import uuid as uuidlib
from typing import Any
from urllib.parse import quote

import pytest

from tests.conftest import Api
from tests.harness import Live
from tests.receiver import Receiver
from tests.ui.conftest import settled
from tests.ui.pw import conversation_url, expect

pytestmark = pytest.mark.e2e

APP = "447700900000"
USER = "447700900001"
OTHER = "447700900002"


def ready(page: Any) -> None:
    """app.js has run (shortcuts bound, copy buttons added) and the event stream is open."""
    page.wait_for_function("() => document.documentElement.dataset.ready === '1'")
    expect(page.locator("#live")).to_have_attribute("data-state", "open")


def search_from_header(page: Any, query: str) -> None:
    page.fill("#site-search", query)
    page.press("#site-search", "Enter")


# -- search -----------------------------------------------------------------------------------
def test_search_finds_by_text_number_and_uuid(sandbox: Live, page: Any) -> None:
    wanted = sandbox.text(USER, "Your parcel is out for delivery", channel="sms")
    sandbox.text(OTHER, "Unrelated news", channel="whatsapp")
    other_user = sandbox.text(OTHER, "Second note", channel="whatsapp")
    page.goto(sandbox.url + "/time")  # the box is in the header of every page

    search_from_header(page, "PARCEL is out")  # text, case-insensitive
    page.wait_for_url("**/search?q=*")
    hits = page.locator(".search-list .hit")
    expect(hits).to_have_count(1)
    expect(hits.first).to_have_attribute("data-uuid", wanted)
    expect(hits.first).to_contain_text("SMS")
    expect(hits.first).to_contain_text(f"{APP} → {USER}")
    expect(hits.first).to_contain_text("submitted")
    expect(hits.first).to_contain_text("Your parcel is out for delivery")
    expect(page.locator("#site-search")).to_have_value("PARCEL is out")

    search_from_header(page, "+44 7700 900002")  # a number, as a person types one
    expect(hits).to_have_count(2)
    expect(hits.first).to_have_attribute("data-uuid", other_user)  # newest first
    expect(hits.first).to_have_attribute("data-why", "number")
    hits.first.locator("a.hit-link").click()
    page.wait_for_url(f"**/messages/{other_user}")

    search_from_header(page, wanted)  # a full uuid: straight to the message
    page.wait_for_url(f"**/messages/{wanted}")
    expect(page.locator("h1")).to_contain_text(wanted)


def test_search_results_escape_hostile_text(sandbox: Live, page: Any) -> None:
    hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
    uuid = sandbox.text(USER, "needle " + hostile, channel="whatsapp")
    page.goto(sandbox.url + "/search?q=" + quote("needle <img"))
    hit = page.locator(f'.hit[data-uuid="{uuid}"]')
    expect(hit).to_have_count(1)
    expect(hit.locator(".snippet")).to_contain_text("<script>")
    expect(page.locator(".search-results img, .search-results script")).to_have_count(0)
    expect(page.locator("h1 .search-q")).to_have_text("needle <img")
    assert page.evaluate("window.__pwned") is None


def test_search_http_answers(api: Api) -> None:
    r = api.send_v1(
        {"channel": "sms", "message_type": "text", "to": USER, "from": APP, "text": "hi <b>"}
    )
    assert r.status_code == 202, r.text
    uuid = r.json()["message_uuid"]

    page = api.get("/search")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "'unsafe-inline'" not in page.headers["content-security-policy"]
    assert 'id="site-search"' in page.text

    for query in (uuid, uuid.upper()):
        jump = api.get("/search", params={"q": query}, follow_redirects=False)
        assert jump.status_code == 303
        assert jump.headers["location"] == f"/messages/{uuid}"

    unknown = api.get("/search", params={"q": str(uuidlib.uuid4())}, follow_redirects=False)
    assert unknown.status_code == 200
    assert 'class="hit' not in unknown.text
    assert "No message has the uuid" in unknown.text

    found = api.get("/search", params={"q": "hi <b"})
    assert found.status_code == 200
    assert "hi &lt;b&gt;" in found.text and "hi <b>" not in found.text
    by_number = api.get("/search", params={"q": USER})
    assert f'data-uuid="{uuid}"' in by_number.text
    # Odd input answers a page, never a 5xx.
    for query in ("\x00", "%", "a" * 5000, " ", "+", "(", "🙂"):
        assert api.get("/search", params={"q": query}).status_code == 200, repr(query)
    for raw in ("%ED%A0%80", "%FF", "q=1"):  # not UTF-8; a q of "q=1"
        assert api.get("/search?q=" + raw).status_code == 200, raw


# -- keyboard shortcuts -----------------------------------------------------------------------
def test_slash_focuses_search_and_question_mark_opens_help(sandbox: Live, page: Any) -> None:
    sandbox.text(USER, "shortcuts", channel="whatsapp")
    page.goto(conversation_url(sandbox, "whatsapp", USER))
    ready(page)
    page.keyboard.press("/")
    expect(page.locator("#site-search")).to_be_focused()
    expect(page.locator("#site-search")).to_have_value("")  # the `/` was not typed into it
    page.keyboard.press("Escape")
    page.locator(".phone-head h1").click()  # focus out of the box

    page.keyboard.press("?")
    help_box = page.locator("#kbd-help")
    expect(help_box).to_be_visible()
    keys = help_box.locator("dt kbd")
    # What this page offers: the message's marks, the reply box, the clock; not Resend.
    for key in ("/", "?", "d", "r", "x", "u", "c", "j", "k", "n"):
        expect(help_box.locator(f'dt[data-key="{key}"]')).to_have_count(1)
    expect(help_box.locator('dt[data-key="e"]')).to_have_count(0)
    assert keys.count() >= 10
    page.keyboard.press("?")
    expect(help_box).to_be_hidden()
    page.locator("[data-kbd-help]").click()  # the header's `?` button does the same
    expect(help_box).to_be_visible()
    page.keyboard.press("Escape")
    expect(help_box).to_be_hidden()


def test_shortcut_marks_delivered_but_not_while_typing(
    sandbox: Live, page: Any, receiver: Receiver
) -> None:
    older = sandbox.text(USER, "older", channel="whatsapp")
    newest = sandbox.text(USER, "newest", channel="whatsapp")
    page.goto(conversation_url(sandbox, "whatsapp", USER))
    ready(page)

    # Typing `d` (and `r`) in the reply box types them; nothing is marked.
    page.locator(".composer textarea").click()
    page.keyboard.type("dr")
    expect(page.locator(".composer textarea")).to_have_value("dr")
    settled(page)
    assert sandbox.message(newest)["status"] == "submitted"
    assert sandbox.message(older)["status"] == "submitted"

    page.locator(".phone-head h1").click()  # out of the box
    page.keyboard.press("d")  # no message has focus: the newest one
    expect(page.locator(f"#m-{newest}")).to_have_attribute("data-status", "delivered")
    settled(page)
    assert sandbox.message(newest)["status"] == "delivered"
    assert sandbox.message(older)["status"] == "submitted"
    # Focus stays on that message (its next button), so `r` reads it.
    page.keyboard.press("r")
    expect(page.locator(f"#m-{newest}")).to_have_attribute("data-status", "read")
    settled(page)
    assert sandbox.message(newest)["status"] == "read"

    # `k` moves to the older message; `d` then marks that one.
    page.keyboard.press("k")
    page.keyboard.press("d")
    expect(page.locator(f"#m-{older}")).to_have_attribute("data-status", "delivered")
    settled(page)
    assert sandbox.message(older)["status"] == "delivered"
    statuses = [b["status"] for b in receiver.bodies("/status") if b["message_uuid"] == older]
    assert statuses == ["submitted", "delivered"]  # and never read


def test_c_focuses_the_reply_box(sandbox: Live, page: Any) -> None:
    sandbox.text(USER, "write back", channel="sms")
    page.goto(conversation_url(sandbox, "sms", USER))
    ready(page)
    page.keyboard.press("c")
    expect(page.locator(".composer textarea")).to_be_focused()
    expect(page.locator(".composer textarea")).to_have_value("")


# -- copy buttons -----------------------------------------------------------------------------
def clipboard(page: Any) -> str:
    text: str = page.evaluate("navigator.clipboard.readText()")
    return text


def test_copy_buttons_copy_uuid_payload_and_token(
    sandbox: Live, page: Any, receiver: Receiver
) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    uuid = sandbox.text(USER, "copy me", channel="whatsapp")
    page.goto(f"{sandbox.url}/messages/{uuid}")
    ready(page)

    copy_uuid = page.locator("h1 button.copy-uuid")
    expect(copy_uuid).to_have_count(1)
    copy_uuid.click()
    expect(copy_uuid).to_have_text("copied")
    assert clipboard(page) == uuid

    detail = page.locator("#message > pre.payload").last
    copy_json = page.locator("#message > .copy-bar").last.locator("button.copy-payload")
    copy_json.click()
    expect(copy_json).to_have_text("copied")
    assert clipboard(page) == detail.inner_text()
    assert f'"message_uuid": "{uuid}"' in clipboard(page)
    expect(copy_uuid).to_have_text("copy")  # one "copied" at a time

    # The webhook's Authorization header: its token (a JWT), without "Bearer ".
    settled(page)
    delivery = page.locator(".delivery").first
    expect(delivery).to_have_count(1)
    delivery.locator("summary").first.click(position={"x": 4, "y": 4})
    token = delivery.locator("button.copy-secret")
    expect(token).to_have_text("copy token")
    token.click()
    expect(token).to_have_text("copied")
    copied = clipboard(page)
    assert copied.startswith("ey") and copied.count(".") == 2
    assert f"Authorization: Bearer {copied}" in delivery.locator("pre.headers").inner_text()
    # The copy buttons survive a live refresh of the region and still copy.
    sandbox.mark(uuid, "delivered")
    expect(page.locator(f"#m-{uuid}")).to_have_attribute("data-status", "delivered")
    expect(page.locator(f"#m-{uuid} .history button.copy-uuid")).to_have_count(1)
    page.locator(f"#m-{uuid} .history summary").click()
    page.locator(f"#m-{uuid} .history button.copy-uuid").click()
    assert clipboard(page) == uuid


def test_bubbles_offer_their_uuid_to_copy(sandbox: Live, page: Any) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    uuid = sandbox.text(USER, "in the thread", channel="sms")
    page.goto(conversation_url(sandbox, "sms", USER))
    ready(page)
    msg = page.locator(f"#m-{uuid}")
    msg.locator(".history summary").click()
    button = msg.locator(".history button.copy-uuid")
    button.click()
    expect(button).to_have_text("copied")
    assert clipboard(page) == uuid
    # Not a handset action: the mark buttons are what they were.
    expect(msg.locator("[data-mark]")).to_have_text(["Delivered", "Rejected", "Undeliverable"])


# -- the end of the thread --------------------------------------------------------------------
NEWEST_BOTTOM = """() => {
  const all = [...document.querySelectorAll('#thread .msgs > .msg')];
  const last = all[all.length - 1];
  const composer = document.querySelector('.composer').getBoundingClientRect();
  return [last.dataset.uuid, last.getBoundingClientRect().bottom, composer.top];
}"""


def test_live_reply_is_shown_in_full_above_the_composer(sandbox: Live, page: Any) -> None:
    for i in range(14):
        sandbox.text(USER, f"message {i} " * 6, channel="sms")
    page.goto(conversation_url(sandbox, "sms", USER))
    ready(page)
    _, bottom, top = page.evaluate(NEWEST_BOTTOM)
    assert bottom <= top
    # The person scrolled up a little (or an image loaded late): the newest bubble is still in
    # view, but the thread is no longer at its very end.
    page.evaluate("() => { document.getElementById('thread').scrollTop -= 70; }")
    reply = sandbox.control(
        "POST", "/_sandbox/inbound", {"channel": "sms", "from": USER, "text": "a live reply"}
    )
    new = reply["message_uuid"]
    expect(page.locator(f"#m-{new}")).to_be_visible()
    page.wait_for_function(
        f"() => {{ const r = ({NEWEST_BOTTOM})(); return r[0] === {new!r} && r[1] <= r[2]; }}"
    )
    history = page.locator(f"#m-{new} .history summary")
    expect(history).to_be_in_viewport()
    box = history.bounding_box()
    composer = page.locator(".composer").bounding_box()
    assert box is not None and composer is not None
    assert box["y"] + box["height"] <= composer["y"]
