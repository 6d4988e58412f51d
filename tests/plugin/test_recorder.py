"""The flight recorder: a failing test's report carries the sandbox's timeline of that test, and
``--nexmo-sandbox-record DIR`` writes it as a JSON recording; a passing test leaves nothing."""

from __future__ import annotations

import json

import pytest

pytest_plugins = ["pytester"]

TESTS = """
import httpx, pytest

def send(sb, text):
    body = {"channel": "sms", "message_type": "text", "to": "447700900123",
            "from": "447700900001", "text": text}
    r = httpx.post(sb.url + "/v1/messages", json=body, auth=("abcd1234", "s3cr3tS3cr3t"))
    return r.json()["message_uuid"]

def refusing(environ, start_response):
    start_response("403 Forbidden", [])
    return [b"who are you?"]

@pytest.mark.nexmo_sandbox(app=refusing, status_url="/status", check_webhooks=False)
def test_fails_on_its_own(nexmo_sandbox):
    uuid = send(nexmo_sandbox, "Your code is 123456")
    nexmo_sandbox.mark(uuid, "delivered")
    nexmo_sandbox.advance(30)
    assert nexmo_sandbox.inbox("sms", "447700900123").last.status == "read"

def test_passes(nexmo_sandbox):
    send(nexmo_sandbox, "fine")
"""


def test_failing_test_report_has_its_timeline_and_the_recording(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_rec=TESTS)
    folder = pytester.path / "recordings"
    result = pytester.runpytest_subprocess("-p", "no:randomly", f"--nexmo-sandbox-record={folder}")
    result.assert_outcomes(passed=1, failed=1)
    out = result.stdout.str()
    section = out.split("nexmo-sandbox timeline")[1].split("short test summary")[0]
    lines = section.splitlines()
    sent = next(i for i, line in enumerate(lines) if "sent" in line and "123456" in line)
    delivered = next(i for i, line in enumerate(lines) if "status" in line and "delivered" in line)
    submitted_hook = next(i for i, line in enumerate(lines) if "status/submitted webhook" in line)
    delivered_hook = next(i for i, line in enumerate(lines) if "status/delivered webhook" in line)
    moved = next(i for i, line in enumerate(lines) if "clock moved 30 s" in line)
    # One virtual instant, in the order things happened.
    assert sent < submitted_hook < delivered < delivered_hook < moved
    assert "HTTP 403 'who are you?'" in lines[delivered_hook]
    assert "status/submitted webhook -> http://app.test/status: HTTP 403" in section
    assert "virtual clock at" in section
    [path] = folder.iterdir()
    assert path.name == "test_rec.py_test_fails_on_its_own.json"
    assert f"recording: {path}" in section
    doc = json.loads(path.read_text())
    assert doc["format"] == "nexmo-sandbox-recording" and doc["version"] == 1
    assert doc["test"] == "test_rec.py::test_fails_on_its_own" and doc["outcome"] == "failed"
    assert "assert 'delivered' == 'read'" in doc["failure"]
    [message] = doc["messages"]
    assert [h["status"] for h in message["history"]] == ["submitted", "delivered"]
    assert {w["event"] for w in doc["webhooks"]} == {"submitted", "delivered"}
    assert all(w["attempts"][0]["status_code"] == 403 for w in doc["webhooks"])
    assert doc["clock_moves"][0]["seconds"] == 30
    kinds = [e["kind"] for e in doc["timeline"]]
    assert kinds[0] == "sent" and kinds[-1] == "clock" and kinds.count("webhook") == 2
    # Only the failing test's sandbox state: "fine" was sent by the other test.
    assert "fine" not in path.read_text()


def test_a_recording_that_cannot_be_written_never_hides_the_failure(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_rec=TESTS)
    blocker = pytester.path / "not-a-dir"
    blocker.write_text("a file where the folder should be")
    result = pytester.runpytest_subprocess("-p", "no:randomly", f"--nexmo-sandbox-record={blocker}")
    result.assert_outcomes(passed=1, failed=1)
    out = result.stdout.str()
    assert "INTERNALERROR" not in out
    assert "assert 'delivered' == 'read'" in out
    assert "recording not written:" in out and "sent      sms" in out
