"""Handsets in the inbox, clicked in real headless Chromium: the person card of a conversation
(a magic number's behaviour in words, the editor that PUTs a profile, its refusals, "back to
ordinary"), the Handsets page with the magic numbers, and an SMS's encoding in its bubble."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness import Live
from tests.ui.conftest import PageProblems, settled
from tests.ui.pw import conversation_url, expect

pytestmark = pytest.mark.e2e

USER = "447700900001"
SMS_ONLY = "447700900804"  # magic: no WhatsApp, SMS delivered after 1 s
NEVER_READ = "447700900802"  # magic: delivered after 1 s, never read
OTP = "447700900809"
EMOJI_LINE = "UCS-2 · 1 part — because of \u2018😀\u2019"


def profile(sb: Live, address: str) -> tuple[int, Any]:
    r = sb.http.get(f"/_sandbox/handsets/{address}")
    return r.status_code, r.json()


def refused(problems: PageProblems, count: int) -> None:
    """The browser logs each refused call as a failed load: exactly the ones expected."""
    assert len(problems.console) == count, problems.console
    assert all("422" in line for line in problems.console), problems.console
    problems.console.clear()


def open_editor(page: Any) -> Any:
    page.click("#person-edit > summary")
    form = page.locator("form[data-handset-form]")
    expect(form).to_be_visible()
    return form


def row(form: Any, channel: str) -> Any:
    return form.locator(f'tr[data-row="{channel}"]')


def test_the_person_card_shows_a_magic_numbers_behaviour(sandbox: Live, page: Any) -> None:
    uuid = sandbox.text(SMS_ONLY, "are you on WhatsApp?", channel="whatsapp")
    page.goto(conversation_url(sandbox, "whatsapp", SMS_ONLY))
    card = page.locator("#person")
    expect(card).to_have_attribute("data-source", "magic")
    expect(card.locator(".src")).to_have_text("magic number")
    expect(card.locator(".person-label")).to_contain_text("SMS only")
    expect(card.locator(".person-here")).to_have_text(
        "Here (WhatsApp): not installed: rejected at once (1300 Not part of the provider network)."
    )
    expect(card.locator('.person-lines li[data-channel="sms"]')).to_have_text(
        "SMS: delivers after 1 s, never read (SMS has no read receipts)"
    )
    expect(card.locator('.person-lines li[data-channel="*"]')).to_contain_text("not installed")
    # No "back to" button: a magic number has no profile of its own to remove.
    expect(page.locator("[data-handset-delete]")).to_have_count(0)
    # The rejection says why, in the history.
    msg = page.locator(f"#m-{uuid}")
    expect(msg).to_have_attribute("data-status", "rejected")
    msg.locator("details.history > summary").click()
    expect(msg.locator(".cause")).to_have_text(f"({SMS_ONLY} (magic number) has no WhatsApp)")


def test_editing_the_profile_through_the_form_changes_the_control_api(
    sandbox: Live, page: Any
) -> None:
    sandbox.text(USER, "hello", channel="sms")
    assert profile(sandbox, USER)[0] == 404
    page.goto(conversation_url(sandbox, "sms", USER))
    card = page.locator("#person")
    expect(card.locator(".src")).to_have_text("ordinary")
    expect(card.locator(".person-here")).to_contain_text("waits until it is marked")

    form = open_editor(page)
    form.locator("[name=label]").fill("Ada, no WhatsApp")
    row(form, "sms").locator("[name=has]").select_option("yes")
    row(form, "sms").locator("[name=deliver_after]").fill("2")
    row(form, "whatsapp").locator("[name=has]").select_option("no")
    row(form, "rcs").locator("[name=receipts]").uncheck()
    form.locator("[data-add-rule]").click()
    rule = form.locator("[data-rule]").last
    rule.locator("[name=match]").fill("^stop$")
    rule.locator("[name=reply]").fill("ok, bye")
    rule.locator("[name=after]").fill("3")
    form.locator("button[type=submit]").click()
    settled(page)

    status, body = profile(sandbox, USER)
    assert status == 200
    assert body["source"] == "api"
    assert body["label"] == "Ada, no WhatsApp"
    assert body["channels"]["sms"]["deliver_after"] == 2
    assert body["channels"]["sms"]["has"] is True
    assert body["channels"]["whatsapp"]["has"] is False
    assert body["channels"]["rcs"]["receipts"] is False
    assert set(body["channels"]) == {"sms", "whatsapp", "rcs"}  # blank rows are left out
    assert body["persona"] == [
        {"match": "^stop$", "reply": "ok, bye", "tap": None, "read": False, "after": 3}
    ]

    expect(card.locator(".src")).to_have_text("set here")
    expect(card.locator(".person-label")).to_have_text("Ada, no WhatsApp")
    expect(card.locator(".person-here")).to_have_text(
        "Here (SMS): delivers after 2 s, never read (SMS has no read receipts)."
    )
    expect(card.locator('.person-lines li[data-channel="whatsapp"]')).to_contain_text(
        "WhatsApp: not installed: rejected at once (1300"
    )
    expect(card.locator('.person-lines li[data-channel="rcs"]')).to_contain_text("no receipts")
    expect(card.locator(".person-rules li")).to_have_text(
        "On a delivered message matching /^stop$/: replies “ok, bye”, 3 s after delivery."
    )
    # The editor is drawn again from the saved profile, with its button back to ordinary.
    expect(row(form, "sms").locator("[name=deliver_after]")).to_have_value("2")
    expect(page.locator("[data-handset-delete]")).to_have_text("Back to ordinary")

    # And the handset now does it: the next SMS is delivered 2 virtual seconds after it is sent.
    uuid = sandbox.text(USER, "second", channel="sms")
    sandbox.advance(2)
    assert sandbox.message(uuid)["status"] == "delivered"
    expect(page.locator(f"#m-{uuid}")).to_have_attribute("data-status", "delivered")


def test_an_invalid_value_shows_the_error_next_to_the_form(
    sandbox: Live, page: Any, problems: PageProblems
) -> None:
    sandbox.text(USER, "hello", channel="sms")
    page.goto(conversation_url(sandbox, "sms", USER))
    form = open_editor(page)
    delay = row(form, "sms").locator("[name=deliver_after]")
    delay.fill("soon")
    form.locator("[data-add-rule]").click()
    form.locator("[data-rule] [name=match]").fill("(")
    form.locator("[data-rule] [name=reply]").fill("hi")
    form.locator("button[type=submit]").click()
    settled(page)

    errors = form.locator("[data-handset-errors]")
    expect(errors).to_be_visible()
    expect(errors).to_contain_text(f"Invalid handset profile for {USER}.")
    expect(errors.locator('[data-param="channels.sms.deliver_after"]')).to_contain_text(
        "must be a number of virtual seconds"
    )
    expect(errors.locator('[data-param="persona[0].match"]')).to_contain_text(
        "is not a regular expression"
    )
    expect(delay).to_have_attribute("aria-invalid", "true")
    expect(form.locator("[data-rule] [name=match]")).to_have_attribute("aria-invalid", "true")
    assert profile(sandbox, USER)[0] == 404  # nothing was saved
    expect(page.locator("#person .src")).to_have_text("ordinary")

    # Put right, it saves and the errors go.
    delay.fill("5")
    form.locator("[data-rule] [name=match]").fill("^hi")
    form.locator("button[type=submit]").click()
    settled(page)
    expect(page.locator("#person .src")).to_have_text("set here")
    assert profile(sandbox, USER)[1]["channels"]["sms"]["deliver_after"] == 5
    expect(page.locator("form[data-handset-form] [data-handset-errors]")).to_be_hidden()
    refused(problems, 1)


def test_the_json_editor_saves_and_names_what_is_wrong(
    sandbox: Live, page: Any, problems: PageProblems
) -> None:
    sandbox.text(USER, "hello", channel="sms")
    page.goto(conversation_url(sandbox, "sms", USER))
    page.click("#person-edit > summary")
    page.click("#person-json-edit > summary")
    form = page.locator("form[data-handset-json]")
    area = form.locator("textarea")
    area.fill('{"channels": {"sms": {"deliver_after": 1}}')  # not JSON
    form.locator("button[type=submit]").click()
    expect(form.locator("[data-handset-errors]")).to_contain_text("This is not JSON")
    area.fill('{"channels": {"pager": true}}')
    form.locator("button[type=submit]").click()
    settled(page)
    expect(form.locator('[data-param="channels.pager"]')).to_contain_text("is not a channel")
    area.fill('{"label": "<b>bold</b>", "read_after": 4, "deliver_after": 1}')
    form.locator("button[type=submit]").click()
    settled(page)
    expect(page.locator("#person .person-label")).to_have_text("<b>bold</b>")  # as text
    expect(page.locator("#person .person-here")).to_contain_text("delivers after 1 s")
    assert profile(sandbox, USER)[1]["channels"]["*"]["read_after"] == 4
    refused(problems, 1)  # the one that reached the sandbox: bad JSON never leaves the page


def test_back_to_ordinary_deletes_the_profile(sandbox: Live, page: Any) -> None:
    sandbox.text(USER, "hello", channel="sms")
    sandbox.control("PUT", f"/_sandbox/handsets/{USER}", {"label": "Bob", "deliver_after": 2})
    page.goto(conversation_url(sandbox, "sms", USER))
    expect(page.locator("#person .person-label")).to_have_text("Bob")
    page.click("#person-edit > summary")
    page.click("[data-handset-delete]")
    settled(page)
    assert profile(sandbox, USER)[0] == 404
    expect(page.locator("#person .src")).to_have_text("ordinary")
    expect(page.locator("#person .person-label")).to_have_count(0)
    expect(page.locator("[data-handset-delete]")).to_have_count(0)
    expect(page.locator("form[data-handset-form] [name=label]")).to_have_value("")


def test_a_profile_over_a_magic_number_goes_back_to_the_magic_number(
    sandbox: Live, page: Any
) -> None:
    sandbox.text(NEVER_READ, "hello", channel="whatsapp")
    page.goto(conversation_url(sandbox, "whatsapp", NEVER_READ))
    form = open_editor(page)
    # The editor starts from the magic number's behaviour.
    expect(row(form, "*").locator("[name=deliver_after]")).to_have_value("1")
    row(form, "*").locator("[name=read_after]").fill("4")
    form.locator("button[type=submit]").click()
    settled(page)
    assert profile(sandbox, NEVER_READ)[1]["source"] == "api"
    expect(page.locator("#person .person-here")).to_contain_text("read 4 s after delivery")
    back = page.locator("[data-handset-delete]")
    expect(back).to_have_text("Back to the magic number")
    back.click()
    settled(page)
    assert profile(sandbox, NEVER_READ)[1]["source"] == "magic"
    expect(page.locator("#person .src")).to_have_text("magic number")
    expect(page.locator("#person .person-here")).to_contain_text("never read")


def test_the_handsets_page_lists_the_magic_numbers_and_opens_them(sandbox: Live, page: Any) -> None:
    ada = {"label": "Ada", "channels": {"whatsapp": False}}
    sandbox.control("PUT", f"/_sandbox/handsets/{USER}", ada)
    sandbox.text(USER, "hi", channel="sms")
    page.goto(sandbox.url + "/")
    page.click('.nav a[href="/handsets"]')
    expect(page.locator('.nav a[href="/handsets"]')).to_have_attribute("aria-current", "page")

    magic = page.locator(".hs-magic-row")
    expect(magic).to_have_count(12)
    expect(magic.first.locator(".hs-number")).to_have_text("447700900801")
    sms_only = page.locator(f'.hs-magic-row[data-address="{SMS_ONLY}"]')
    expect(sms_only).to_contain_text("SMS only: no WhatsApp")

    mine = page.locator(f'.hs-profile[data-address="{USER}"]')
    expect(mine).to_contain_text("Ada")
    expect(mine).to_contain_text("set here")
    expect(mine).to_contain_text("WhatsApp: not installed")
    mine.locator("a.chat-link").click()
    expect(page).to_have_url(conversation_url(sandbox, "sms", USER))
    expect(page.locator("#person .person-label")).to_have_text("Ada")

    # A magic number opens before any message was sent to it.
    page.goto(sandbox.url + "/handsets")
    otp = page.locator(f'.hs-magic-row[data-address="{OTP}"]')
    otp.locator("select[name=channel]").select_option("sms")
    otp.locator("button[type=submit]").click()
    expect(page).to_have_url(conversation_url(sandbox, "sms", OTP))
    expect(page.locator("#thread .empty")).to_contain_text("No messages yet")
    expect(page.locator("#person .person-label")).to_contain_text("OTP")
    expect(page.locator("#person .person-rules li")).to_contain_text("replies “{code}”")
    # The message arrives on the open page, and the persona answers with its code.
    sandbox.text(OTP, "Your code is 482913", channel="sms")
    expect(page.locator(".msg.outbound")).to_have_count(1)
    sandbox.advance(6)
    expect(page.locator(".msg.inbound .text")).to_have_text("482913")

    # Removing the profile on the Handsets page.
    page.goto(sandbox.url + "/handsets")
    page.click(f'[data-handset-delete="{USER}"]')
    settled(page)
    expect(page.locator(".hs-profile")).to_have_count(0)
    assert profile(sandbox, USER)[0] == 404


def test_setting_up_a_new_handset_opens_its_conversation(sandbox: Live, page: Any) -> None:
    page.goto(sandbox.url + "/handsets")
    page.click(".hs-new-panel > summary")
    form = page.locator("form[data-handset-new]")
    form.locator("[name=address]").fill("447700900555")
    form.locator("[name=label]").fill("Cleo")
    form.locator("[name=channel]").select_option("whatsapp")
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(conversation_url(sandbox, "whatsapp", "447700900555"))
    expect(page.locator("#person .person-label")).to_have_text("Cleo")
    assert profile(sandbox, "447700900555")[1]["label"] == "Cleo"


def test_an_sms_shows_its_encoding_and_parts(sandbox: Live, page: Any) -> None:
    plain = sandbox.text(USER, "Plain text, GSM-7 only.", channel="sms")
    long = sandbox.text(USER, "x" * 161, channel="sms")
    emoji = sandbox.text(USER, "Thanks 😀", channel="sms")
    page.goto(conversation_url(sandbox, "sms", USER))
    expect(page.locator(f"#m-{plain} .enc")).to_have_text("GSM-7 · 1 part")
    expect(page.locator(f"#m-{long} .enc")).to_have_text("GSM-7 · 2 parts")
    enc = page.locator(f"#m-{emoji} .enc")
    expect(enc).to_have_text(EMOJI_LINE)
    expect(enc).to_have_attribute("title", "8 characters")
    assert sandbox.message(emoji)["details"]["ucs2_because"] == ["😀"]
    page.goto(f"{sandbox.url}/messages/{emoji}")
    expect(page.locator(".msgs .enc")).to_have_text(EMOJI_LINE)
    # Other channels have no such line.
    sandbox.text(USER, "Thanks 😀", channel="whatsapp")
    page.goto(conversation_url(sandbox, "whatsapp", USER))
    expect(page.locator(".msg.outbound")).to_have_count(1)
    expect(page.locator(".enc")).to_have_count(0)
