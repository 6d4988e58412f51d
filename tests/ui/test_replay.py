"""The /replay page: a real flight recording (made by sandbox.testing.recorder against a real
sandbox) opened in real headless Chromium, stepped through, and checked for escaping; plus the
page itself over plain HTTP."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sandbox.testing import recorder
from sandbox.testing.fixture import SandboxHandle, SandboxServer
from tests.conftest import Api
from tests.harness import Live
from tests.helpers import BASIC
from tests.ui.pw import expect
from ui.templating import CSP

APP = "447700900000"
USER = "447700900001"
TEST_ID = "tests/test_shop.py::test_x"
HOSTILE_TEXT = "<img src=x onerror=alert(1)>"
HOSTILE_FAILURE = "AssertionError: <script>alert(2)</script><b id=bold>boom</b>"
HOSTILE_SUMMARY = '<img src=y onerror="alert(3)"><a href="javascript:alert(4)">x</a>'


# -- the recording ------------------------------------------------------------------------------
def make_recording() -> dict[str, Any]:
    """What a failing test leaves behind: two messages sent, one marked delivered, status
    webhooks to a receiver that refuses connections (so they fail and retry), the clock moved."""
    refusing = socket.socket()  # bound, never listening: connections to it are refused
    refusing.bind(("127.0.0.1", 0))
    server = SandboxServer.start()
    handle = SandboxHandle(server)
    try:
        handle.begin()
        handle.configure(status_url=f"http://127.0.0.1:{refusing.getsockname()[1]}/status")
        uuids = []
        for text in ("Your code is 1234", HOSTILE_TEXT):
            body = {"channel": "sms", "message_type": "text", "to": USER, "from": APP, "text": text}
            r = httpx.post(server.url + "/v1/messages", json=body, headers={"Authorization": BASIC})
            assert r.status_code == 202, r.text
            uuids.append(r.json()["message_uuid"])
        handle.mark(uuids[0], "delivered")
        handle.advance(30)
        doc = handle.recording(test=TEST_ID, outcome="failed")
    finally:
        handle.finish()
        server.stop()
        refusing.close()
    doc["failure"] = HOSTILE_FAILURE
    return doc


@pytest.fixture(scope="module")
def recording() -> dict[str, Any]:
    doc = make_recording()
    kinds = [e["kind"] for e in doc["timeline"]]
    assert kinds.count("sent") == 2 and "status" in kinds and "clock" in kinds, kinds
    assert any("ConnectError" in e["summary"] for e in doc["timeline"] if e["kind"] == "webhook")
    return doc


@pytest.fixture(scope="module")
def recording_file(recording: dict[str, Any], tmp_path_factory: Any) -> Path:
    return recorder.write(recording, tmp_path_factory.mktemp("recordings"))


@pytest.fixture
def replay(page: Any, sandbox: Live) -> Iterator[Any]:
    page.goto(sandbox.url + "/replay")
    expect(page.locator("#replay-file")).to_be_attached()
    yield page


def open_recording(page: Any, path: Path) -> None:
    page.set_input_files("#replay-file", str(path))
    expect(page.locator("#replay")).to_be_visible()


def visible_entries(page: Any) -> Any:
    return page.locator("#replay-timeline > li:visible")


# -- over plain HTTP ----------------------------------------------------------------------------
def test_replay_page_is_served_with_the_strict_csp(api: Api) -> None:
    r = api.get("/replay")
    assert r.status_code == 200
    assert r.headers["content-security-policy"] == CSP
    assert "'unsafe-inline'" not in CSP and "'unsafe-eval'" not in CSP
    html = r.text
    assert '<script src="/static/replay.js" defer></script>' in html
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []  # no inline script
    assert re.search(r"\sstyle=|\son[a-z]+=", html) is None  # no inline style or handler
    assert 'href="/replay" aria-current="page"' in html
    js = api.get("/static/replay.js")
    assert js.status_code == 200
    assert "innerHTML" not in js.text and "insertAdjacentHTML" not in js.text


# -- in Chromium --------------------------------------------------------------------------------
@pytest.mark.e2e
def test_opening_a_recording_shows_the_test_and_its_timeline(
    replay: Any, recording: dict[str, Any], recording_file: Path
) -> None:
    page = replay
    n = len(recording["timeline"])
    open_recording(page, recording_file)
    expect(page.locator("#replay-error")).to_be_hidden()
    expect(page.locator("#replay-test")).to_have_text(TEST_ID)
    expect(page.locator("#replay-outcome")).to_have_text("failed")
    expect(page.locator("#replay-clock")).to_have_text(recording["clock"]["now"])
    expect(page.locator("#replay-counts")).to_contain_text("2 messages")
    expect(page.locator("#replay-pending-count")).to_have_text(
        str(len(recording["clock"]["pending"]))
    )
    # The failure text, collapsed, as text: its markup makes no element.
    assert page.locator("#replay-failure").evaluate("(d) => d.open") is False
    page.click("#replay-failure summary")
    expect(page.locator("#replay-failure-text")).to_have_text(HOSTILE_FAILURE)
    assert page.locator("#replay script, #replay b, #bold").count() == 0

    # A replay starts before the first entry.
    entries = page.locator("#replay-timeline > li")
    expect(entries).to_have_count(n)
    expect(page.locator("#replay-position")).to_have_text(f"step 0 of {n}")
    expect(visible_entries(page)).to_have_count(0)
    expect(page.locator('[data-replay="back"]')).to_be_disabled()

    page.click('[data-replay="all"]')
    expect(page.locator("#replay-position")).to_have_text(f"step {n} of {n}")
    expect(visible_entries(page)).to_have_count(n)
    expect(page.locator("#replay-at")).to_have_text(str(recording["timeline"][-1]["at"]))
    expect(page.locator('[data-replay="step"]')).to_be_disabled()
    sent = page.locator('#replay-timeline > li[data-kind="sent"]')
    expect(sent).to_have_count(2)
    expect(sent.first).to_contain_text("Your code is 1234")
    expect(page.locator('#replay-timeline > li[data-kind="status"]')).to_contain_text(
        "delivered (by control)"
    )
    failed_hooks = page.locator('#replay-timeline > li[data-kind="webhook"][data-outcome="failed"]')
    expect(failed_hooks.first).to_contain_text("ConnectError")
    webhook_entries = [e for e in recording["timeline"] if e["kind"] == "webhook"]
    expect(failed_hooks).to_have_count(len(webhook_entries))
    expect(page.locator('#replay-timeline > li[data-kind="clock"]')).to_contain_text(
        "clock moved 30 s"
    )


@pytest.mark.e2e
def test_step_and_back_show_one_entry_more_or_less(
    replay: Any, recording: dict[str, Any], recording_file: Path
) -> None:
    page = replay
    timeline = recording["timeline"]
    n = len(timeline)
    open_recording(page, recording_file)
    position = page.locator("#replay-position")
    for i in (1, 2, 3):
        page.click('[data-replay="step"]')
        expect(position).to_have_text(f"step {i} of {n}")
        expect(visible_entries(page)).to_have_count(i)
        expect(page.locator("#replay-at")).to_have_text(str(timeline[i - 1]["at"]))
        expect(page.locator("#replay-timeline > li.current")).to_have_attribute(
            "data-index", str(i - 1)
        )
    expect(visible_entries(page).first).to_contain_text(timeline[0]["summary"])
    page.click('[data-replay="back"]')
    expect(position).to_have_text(f"step 2 of {n}")
    expect(visible_entries(page)).to_have_count(2)
    expect(page.locator('#replay-timeline > li[data-index="2"]')).to_be_hidden()
    page.click('[data-replay="back"]')
    page.click('[data-replay="back"]')
    expect(position).to_have_text(f"step 0 of {n}")
    expect(visible_entries(page)).to_have_count(0)
    expect(page.locator("#replay-at")).to_contain_text("the start")


@pytest.mark.e2e
def test_play_reveals_the_entries_in_turn_and_pauses(
    replay: Any, recording: dict[str, Any], recording_file: Path
) -> None:
    page = replay
    n = len(recording["timeline"])
    open_recording(page, recording_file)
    play = page.locator('[data-replay="play"]')
    position = page.locator("#replay-position")
    # A pace no test waits out: Play shows the first entry at once, then Pause holds it.
    page.locator("#replay").evaluate("(el) => { el.dataset.speed = '600000'; }")
    play.click()
    expect(position).to_have_text(f"step 1 of {n}")
    expect(play).to_have_text("Pause")
    expect(play).to_have_attribute("aria-pressed", "true")
    play.click()
    expect(play).to_have_text("Play")
    expect(position).to_have_text(f"step 1 of {n}")
    # A quick pace: it plays through to the end and stops by itself.
    page.locator("#replay").evaluate("(el) => { el.dataset.speed = '1'; }")
    play.click()
    expect(position).to_have_text(f"step {n} of {n}")
    expect(play).to_have_text("Play")
    expect(visible_entries(page)).to_have_count(n)


@pytest.mark.e2e
def test_an_entry_shows_its_message_and_webhook_json(
    replay: Any, recording: dict[str, Any], recording_file: Path
) -> None:
    page = replay
    open_recording(page, recording_file)
    page.click('[data-replay="all"]')
    hostile = next(m for m in recording["messages"] if m["text"] == HOSTILE_TEXT)
    entry = page.locator('#replay-timeline > li[data-kind="sent"]').nth(1)
    expect(entry.locator(".summary")).to_contain_text(HOSTILE_TEXT)
    details = entry.locator(f'details[data-ref="{hostile["message_uuid"]}"]')
    details.locator("summary").click()
    pre = details.locator("pre")
    expect(pre).to_be_visible()
    shown = json.loads(pre.text_content() or "")
    assert shown == hostile
    # The message's text is text: no image was made anywhere in the recording's view.
    assert page.locator("#replay img, #replay-timeline a").count() == 0

    hook = page.locator('#replay-timeline > li[data-kind="webhook"]').first
    ref = hook.get_attribute("data-index")
    assert ref is not None
    wid = recording["timeline"][int(ref)]["ref"]
    hook.locator('details[data-ref-kind="webhook"] summary').click()
    wh_json = json.loads(hook.locator('details[data-ref-kind="webhook"] pre').text_content() or "")
    assert wh_json["id"] == wid and wh_json["attempts"][0]["error"].startswith("ConnectError")
    # A webhook entry also offers the message it was about.
    expect(hook.locator('details[data-ref-kind="message"]')).to_have_count(1)


@pytest.mark.e2e
def test_a_hostile_summary_is_text_and_a_dropped_file_opens(
    replay: Any, recording: dict[str, Any]
) -> None:
    page = replay
    doc = json.loads(json.dumps(recording))
    doc["test"] = "t::<i>x</i>"
    doc["timeline"].insert(
        0, {"at": None, "kind": "<b>k</b>", "ref": "<u>r</u>", "summary": HOSTILE_SUMMARY}
    )
    content = json.dumps(doc)
    # Dropped on the drop zone, the way a person drags a file from their file manager.
    transfer = page.evaluate_handle(
        """(text) => {
            const dt = new DataTransfer();
            dt.items.add(new File([text], "dropped.json", { type: "application/json" }));
            return dt;
        }""",
        content,
    )
    page.dispatch_event("#replay-drop", "drop", {"dataTransfer": transfer})
    expect(page.locator("#replay")).to_be_visible()
    expect(page.locator("#replay-file-name")).to_have_text("dropped.json")
    expect(page.locator("#replay-test")).to_have_text("t::<i>x</i>")
    page.click('[data-replay="step"]')
    first = page.locator('#replay-timeline > li[data-index="0"]')
    expect(first.locator(".summary")).to_have_text(HOSTILE_SUMMARY)
    expect(first.locator(".kind")).to_have_text("<b>k</b>")
    expect(first).to_contain_text("<u>r</u>")
    expect(page.locator("#replay-at")).to_have_text("time unknown")
    assert page.locator("#replay img, #replay a, #replay b, #replay i, #replay u").count() == 0


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("content", "problem", "says"),
    [
        ('{"messages": [], "timeline": []}', "not-recording", "is not a nexmo-sandbox flight"),
        ('[{"format": "nexmo-sandbox-recording"}]', "not-recording", "is not a nexmo-sandbox"),
        (
            '{"format": "nexmo-sandbox-recording", "version": 2, "timeline": []}',
            "version",
            "is a flight recording of version 2; this page reads version 1",
        ),
        ("this is <b>not</b> JSON", "not-json", "is not JSON"),
    ],
    ids=["no-format", "not-an-object", "version-2", "not-json"],
)
def test_a_file_that_is_not_a_recording_says_so(
    replay: Any,
    recording_file: Path,
    tmp_path: Path,
    content: str,
    problem: str,
    says: str,
) -> None:
    page = replay
    open_recording(page, recording_file)  # a good one first: a bad one then replaces it
    bad = tmp_path / "other.json"
    bad.write_text(content, encoding="utf-8")
    page.set_input_files("#replay-file", str(bad))
    error = page.locator("#replay-error")
    expect(error).to_be_visible()
    expect(error).to_have_attribute("data-problem", problem)
    expect(error).to_contain_text("“other.json” " + says)
    expect(page.locator("#replay")).to_be_hidden()
    assert page.locator("#replay-error b").count() == 0
    # and a recording opens again after it
    page.set_input_files("#replay-file", str(recording_file))
    expect(page.locator("#replay")).to_be_visible()
    expect(error).to_be_hidden()
