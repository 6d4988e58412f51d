"""Faults on purpose in the inbox, clicked in real headless Chromium: the Chaos page (a rule
added through the form is in force, a refusal is listed, delete, receiver down), what chaos did
shown on a message and a delivery, and the Webhooks page's contract test."""

from __future__ import annotations

from typing import Any

import pytest

from tests.harness import Live
from tests.ui.conftest import PageProblems
from tests.ui.pw import expect

pytestmark = pytest.mark.e2e

SMS = {"channel": "sms", "message_type": "text", "to": "447700900001", "from": "447700900000"}


def test_a_rule_added_through_the_form_is_in_force_and_deleted(
    sandbox: Live, page: Any, problems: PageProblems
) -> None:
    page.goto(sandbox.url + "/chaos")
    expect(page.locator(".empty").first).to_contain_text("No rule in force")
    form = page.locator("form[data-chaos-add]")
    form.locator("[name=effect]").select_option("throttle")
    form.locator("[name=scope_kind]").select_option("channel")
    form.locator("[name=scope_value]").fill("sms")
    form.locator("[name=name]").fill("<b>busy</b>")
    form.locator("[name=params]").fill('{"retry_after": 4}')
    form.locator("button[type=submit]").click()
    rule = page.locator("tr.chaos-rule")
    expect(rule).to_have_count(1)
    expect(rule.locator(".rule-name")).to_have_text("<b>busy</b>")  # shown as text
    r = sandbox.send({**SMS, "text": "hi"})
    assert r.status_code == 429 and r.headers["retry-after"] == "4"
    page.reload()
    expect(page.locator("tr.chaos-rule .hits")).to_have_text("1")
    expect(page.locator(".chaos-log li").first).to_contain_text("send answered 429")
    page.locator("[data-chaos-delete]").click()
    expect(page.locator("tr.chaos-rule")).to_have_count(0)
    assert sandbox.control("GET", "/chaos")["rules"] == []
    assert problems.console == []


def test_a_refused_rule_is_listed_next_to_the_form(
    sandbox: Live, page: Any, problems: PageProblems
) -> None:
    page.goto(sandbox.url + "/chaos")
    form = page.locator("form[data-chaos-add]")
    form.locator("[name=effect]").select_option("reject")
    form.locator("[name=probability]").fill("2")
    form.locator("[name=params]").fill('{"error_code": 42}')
    form.locator("button[type=submit]").click()
    errors = form.locator("[data-errors] li")
    expect(errors).to_have_count(3)
    expect(errors.nth(0)).to_have_text("Invalid chaos rule.")
    expect(form.locator("[data-errors]")).to_contain_text("probability must be a number")
    expect(form.locator("[data-errors]")).to_contain_text("error_code must be a code")
    assert len(problems.console) == 1 and "422" in problems.console[0]
    problems.console.clear()
    form.locator("[name=params]").fill("{not json")
    form.locator("button[type=submit]").click()
    expect(errors.first).to_contain_text("Parameters must be a JSON object")
    assert sandbox.control("GET", "/chaos")["rules"] == []


def test_receiver_down_shows_the_retry_and_a_rejection_names_its_rule(
    sandbox: Live, page: Any
) -> None:
    page.goto(sandbox.url + "/chaos")
    down = page.locator("form[data-chaos-down]")
    down.locator("[name=minutes]").fill("5")
    down.locator("button[type=submit]").click()
    expect(page.locator("tr.chaos-rule")).to_contain_text("receiver_down")
    uuid = sandbox.text("447700900001", "hi")
    sandbox.control("POST", "/settle")
    page.goto(sandbox.url + "/webhooks")
    delivery = page.locator("li.delivery").first
    expect(delivery).to_have_attribute("data-state", "retrying")
    delivery.locator("summary").first.click()
    expect(delivery.locator(".retry-reason")).to_contain_text("attempt 1 failed (chaos")
    expect(delivery.locator(".retry-reason")).to_contain_text("next attempt at")
    sandbox.control("DELETE", "/chaos")
    made = sandbox.control("POST", "/chaos/rules", {"effect": "reject", "error_code": 1300})
    rejected = sandbox.text("447700900002", "hi")
    sandbox.advance(0)
    page.goto(sandbox.url + f"/messages/{rejected}")
    expect(page.locator(".chaos-notes")).to_contain_text(made["id"])
    expect(page.locator(".history-table .cause")).to_contain_text(made["id"])
    assert uuid != rejected


def test_the_contract_test_button_reports_an_endpoint_that_accepts_forgeries(
    sandbox: Live, page: Any
) -> None:
    page.goto(sandbox.url + "/webhooks")
    page.locator("details.contract > summary").click()
    form = page.locator("form[data-contract]")
    form.locator("[name=kind]").select_option("status")
    form.locator("button[type=submit]").click()
    result = page.locator("[data-contract-result]")
    expect(result.locator(".contract-failed")).to_contain_text("Failed:")
    cases = result.locator("table.contract-cases tr.bad")
    expect(cases.first).to_be_visible()
    expect(result).to_contain_text("wrong_signature")
    expect(result).to_contain_text("forged")
    genuine = result.locator("table.contract-cases tr.ok").first
    expect(genuine).to_contain_text("genuine")
