"""The pytest plugin, tested the way a user meets it: pytester runs small test files in a fresh
pytest process, where the plugin arrives only through the installed `pytest11` entry point."""

from __future__ import annotations

import importlib.metadata

import pytest

from sandbox.server import running

pytest_plugins = ["pytester"]

SEND = """
import httpx

BASIC = ("abcd1234", "s3cr3tS3cr3t")

def send(sb, to="447700900000", text="Hello", channel="sms", **extra):
    body = {"channel": channel, "message_type": "text", "to": to, "from": "447700900001",
            "text": text, **extra}
    r = httpx.post(sb.url + "/v1/messages", json=body, auth=BASIC)
    assert r.status_code == 202, r.text
    return r.json()["message_uuid"]
"""


def test_entry_point_is_registered() -> None:
    eps = importlib.metadata.entry_points(group="pytest11")
    assert any(ep.value == "sandbox.pytest_plugin" for ep in eps)


def test_installing_is_enough_and_imports_nothing_until_used(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import sys

        def test_unused():
            # The plugin is loaded, but nothing heavy came with it.
            assert "sandbox.pytest_plugin" in sys.modules
            for name in ("sandbox.app", "sandbox.testing.fixture", "uvicorn"):
                assert name not in sys.modules, name
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    helps = pytester.runpytest_subprocess("--help")
    helps.stdout.fnmatch_lines(["*--nexmo-sandbox-url*"])
    markers = pytester.runpytest_subprocess("--markers")
    markers.stdout.fnmatch_lines(["*@pytest.mark.nexmo_sandbox(**options)*"])


def test_the_fixture_never_imports_aiohttp(pytester: pytest.Pytester) -> None:
    """aiohttp (the webhook engine of `serve`) is ~130 ms of imports, made when the first lane
    is: the fixture's webhooks go through its routing transport (app objects, and the network
    through httpx's own), so a test session never pays for it."""
    pytester.makepyfile(
        SEND
        + """
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GOT = []


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        GOT.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_no_webhook_over_the_network(nexmo_sandbox):
    send(nexmo_sandbox)
    nexmo_sandbox.settle()
    assert "aiohttp" not in sys.modules


def test_nor_with_a_webhook_over_the_network(nexmo_sandbox):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    nexmo_sandbox.configure(status_url=f"http://127.0.0.1:{server.server_port}/status")
    send(nexmo_sandbox)
    nexmo_sandbox.settle()
    server.shutdown()
    assert len(GOT) == 1
    assert "aiohttp" not in sys.modules
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=2)


def test_fixture_inbox_mark_reply_clock_and_reset(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        SEND
        + """
import pytest

def test_first(nexmo_sandbox):
    uuid = send(nexmo_sandbox, text="Your code is 482913")
    inbox = nexmo_sandbox.inbox("sms", "447700900000")
    assert [m.uuid for m in inbox] == [uuid]
    assert inbox.last.code() == "482913"
    assert nexmo_sandbox.mark(uuid, "delivered").statuses == ["submitted", "delivered"]
    reply = inbox.reply("thanks")
    assert (reply.direction, reply.to, reply.text) == ("inbound", "447700900001", "thanks")
    assert [m.direction for m in inbox.conversation] == ["outbound", "inbound"]
    assert len(inbox) == 1
    assert nexmo_sandbox.api_host == nexmo_sandbox.url.split("//")[1]

def test_second_starts_empty(nexmo_sandbox):
    assert nexmo_sandbox.messages() == []
    assert nexmo_sandbox.clock.mode == "manual"

@pytest.mark.nexmo_sandbox(auto_deliver=5)
def test_marker_and_virtual_time(nexmo_sandbox):
    uuid = send(nexmo_sandbox)
    nexmo_sandbox.advance(4.9)
    assert nexmo_sandbox.message(uuid).status == "submitted"
    state = nexmo_sandbox.advance_to_next()
    assert state.fired == 1 and nexmo_sandbox.message(uuid).status == "delivered"
    nexmo_sandbox.inbox("sms", "447700900000").assert_empty(within=3600)

def test_marker_does_not_leak(nexmo_sandbox):
    send(nexmo_sandbox)
    nexmo_sandbox.run_until_idle()
    assert nexmo_sandbox.inbox("sms", "447700900000").last.status == "submitted"
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=4)


def test_webhooks_into_asgi_and_wsgi_apps_and_config_fixture(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import json
        import pytest

        RECEIVED = []

        def wsgi_app(environ, start_response):
            size = int(environ.get("CONTENT_LENGTH") or 0)
            body = json.loads(environ["wsgi.input"].read(size))
            RECEIVED.append(("wsgi", environ["PATH_INFO"], body))
            start_response("204 No Content", [])
            return [b""]

        async def asgi_app(scope, receive, send):
            body = b""
            while True:
                msg = await receive()
                body += msg.get("body", b"")
                if not msg.get("more_body"):
                    break
            RECEIVED.append(("asgi", scope["path"], json.loads(body)))
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})

        @pytest.fixture
        def nexmo_sandbox_config():
            RECEIVED.clear()
            return {"app": wsgi_app, "status_url": "/status", "inbound_url": "/inbound"}
        """
    )
    pytester.makepyfile(
        SEND
        + """
import pytest
from conftest import RECEIVED, asgi_app

def test_wsgi_from_config_fixture(nexmo_sandbox):
    uuid = send(nexmo_sandbox)
    nexmo_sandbox.mark(uuid, "delivered")
    nexmo_sandbox.reply("sms", "447700900000", text="hi")
    nexmo_sandbox.settle()
    got = [(kind, path, body.get("status")) for kind, path, body in RECEIVED]
    assert got == [("wsgi", "/status", "submitted"), ("wsgi", "/status", "delivered"),
                   ("wsgi", "/inbound", None)]
    assert nexmo_sandbox.webhooks.events(uuid) == ["submitted", "delivered"]
    [d] = nexmo_sandbox.webhooks.assert_delivered("delivered", message_uuid=uuid)
    assert d.url == "http://app.test/status" and d.status_code == 204
    assert d.headers["Authorization"].startswith("Bearer ")

@pytest.mark.nexmo_sandbox(app=asgi_app, app_base_url="http://asgi.test")
def test_asgi_from_marker(nexmo_sandbox):
    uuid = send(nexmo_sandbox)
    nexmo_sandbox.settle()
    assert RECEIVED == [("asgi", "/status", RECEIVED[0][2])]
    assert RECEIVED[0][2]["message_uuid"] == uuid
    nexmo_sandbox.webhooks.assert_delivered("submitted", url="asgi.test", count=1)

def test_mount_by_hand(nexmo_sandbox):
    nexmo_sandbox.mount(asgi_app, base_url="http://other.test", status_url="/s")
    send(nexmo_sandbox)
    nexmo_sandbox.settle()
    assert [(k, p) for k, p, _ in RECEIVED] == [("asgi", "/s")]
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=3)


def test_failure_messages_say_what_did_happen(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        SEND
        + """
import pytest

def test_empty_inbox(nexmo_sandbox):
    send(nexmo_sandbox, to="447700900999", text="elsewhere")
    nexmo_sandbox.inbox("sms", "447700900000").last

def test_webhook_not_delivered(nexmo_sandbox):
    send(nexmo_sandbox, text="one")
    nexmo_sandbox.webhooks.assert_delivered("read")

def test_wait_times_out(nexmo_sandbox):
    send(nexmo_sandbox, text="first")
    nexmo_sandbox.inbox("sms", "447700900000").wait_for("second", timeout=0.2)

@pytest.mark.nexmo_sandbox(auto_deliver=5)
def test_something_arrives(nexmo_sandbox):
    send(nexmo_sandbox, text="late")
    nexmo_sandbox.assert_no_messages(within=10, status="delivered")

def test_unknown_option(nexmo_sandbox):
    pass

test_unknown_option = pytest.mark.nexmo_sandbox(bogus=1)(test_unknown_option)
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(failed=4, errors=1)
    out = result.stdout.str()
    assert "<Inbox sms:447700900000> is empty." in out
    assert "447700900001 -> 447700900999 [submitted] 'elsewhere'" in out
    assert "expected at least one delivered webhook(s) matching event='read'" in out
    assert "status/submitted msg=" in out and "[no_url, 0 attempt(s)" in out
    assert "waited 0.2s for 1 message(s) matching" in out and "'first'" in out
    assert "within 10 virtual seconds; 1 arrived" in out and "[delivered] 'late'" in out
    assert "unknown nexmo_sandbox option(s): bogus" in out


def test_errors_inside_fail_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        SEND
        + """
import pytest

def broken_app(environ, start_response):
    raise ZeroDivisionError("the app under test is broken")

def failing_app(environ, start_response):
    start_response("500 Internal Server Error", [])
    return [b"database is down"]

@pytest.mark.nexmo_sandbox(app=broken_app, status_url="/status")
def test_app_raises(nexmo_sandbox):
    send(nexmo_sandbox)

@pytest.mark.nexmo_sandbox(app=failing_app, status_url="/status")
def test_app_answers_500(nexmo_sandbox):
    send(nexmo_sandbox)

@pytest.mark.nexmo_sandbox(app=failing_app, status_url="/status", check_webhooks=False)
def test_opted_out(nexmo_sandbox):
    uuid = send(nexmo_sandbox)
    nexmo_sandbox.settle()
    [d] = nexmo_sandbox.webhooks.all(message_uuid=uuid)
    assert d.state == "retrying" and d.status_code == 500

@pytest.mark.nexmo_sandbox(app=broken_app, status_url="/status")
def test_failing_test_is_not_masked(nexmo_sandbox):
    send(nexmo_sandbox)
    assert 1 == 2, "the test's own failure"
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(failed=3, passed=1)
    out = result.stdout.str()
    assert "nexmo-sandbox: something went wrong during the test" in out
    assert "the app raised on POST http://app.test/status" in out
    assert "ZeroDivisionError: the app under test is broken" in out
    assert "the app answered HTTP 500 on attempt 1" in out
    assert "response body: 'database is down'" in out
    assert "the test's own failure" in out


def test_parallel_workers_each_get_a_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        SEND
        + """
import os
import pytest

@pytest.mark.parametrize("n", range(8))
def test_isolated(nexmo_sandbox, n):
    uuid = send(nexmo_sandbox, text=f"n={n}")
    assert [m.uuid for m in nexmo_sandbox.messages()] == [uuid]
    assert os.environ.get("PYTEST_XDIST_WORKER", "").startswith("gw")
"""
    )
    result = pytester.runpytest_subprocess("-n", "2")
    result.assert_outcomes(passed=8)


def test_remote_server_isolates_tests_by_application(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import pytest
from vonage_messages import Sms

@pytest.mark.parametrize("n", range(6))
def test_isolated(nexmo_sandbox, n):
    assert nexmo_sandbox.application_id is not None
    sdk = nexmo_sandbox.vonage_client()
    sms = Sms(to="447700900000", from_="447700900001", text=f"n={n}")
    uuid = sdk.messages.send(sms).message_uuid
    inbox = nexmo_sandbox.inbox("sms", "447700900000")
    assert [m.uuid for m in inbox] == [uuid]
    assert inbox.reply("ok").application_id == nexmo_sandbox.application_id
    assert len(inbox.conversation) == 2

@pytest.mark.nexmo_sandbox(auto_deliver=1)
def test_server_wide_options_are_refused(nexmo_sandbox):
    pass

def test_no_app_objects(nexmo_sandbox):
    with pytest.raises(RuntimeError, match="in-process sandbox"):
        nexmo_sandbox.mount(lambda e, s: [], status_url="/x")

def test_a_misspelt_channel_is_named(nexmo_sandbox):
    with pytest.raises(ValueError, match="unknown channel 'whatsap'; the sandbox has: .*whatsapp"):
        nexmo_sandbox.inbox("whatsap", "447700900000")
"""
    )
    with running() as server:
        result = pytester.runpytest_subprocess("-n", "2", f"--nexmo-sandbox-url={server.url}")
        result.assert_outcomes(passed=8, errors=1)
        result.stdout.fnmatch_lines(["*auto_deliver changes the whole server*"])
        # Each test removed its application's messages when it finished.
        assert server.app.state.runtime.store.count() == 0


def test_readme_example_runs_as_written(pytester: pytest.Pytester) -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = readme.split("## Testing with pytest", 1)[1].split("```python\n", 1)[1]
    pytester.makepyfile(test_readme=block.split("```", 1)[0])
    pytester.runpytest_subprocess().assert_outcomes(passed=1)


def test_handsets_and_channel_rules_through_the_marker_and_the_handle(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        SEND
        + """
import pytest

ADA = "447700900123"

@pytest.mark.nexmo_sandbox(handsets={ADA: {"deliver_after": 2, "read_after": 3}})
def test_marker_profile(nexmo_sandbox):
    uuid = send(nexmo_sandbox, to=ADA, channel="whatsapp")
    nexmo_sandbox.advance(2)
    assert nexmo_sandbox.message(uuid).status == "rejected"  # never wrote: the window
    uuid = send(nexmo_sandbox, to=ADA)
    nexmo_sandbox.advance(2)
    assert nexmo_sandbox.message(uuid).status == "delivered"  # SMS has no read

def test_the_profile_went_with_the_reset(nexmo_sandbox):
    uuid = send(nexmo_sandbox, to=ADA)
    nexmo_sandbox.advance(60)
    assert nexmo_sandbox.message(uuid).status == "submitted"

@pytest.mark.nexmo_sandbox(whatsapp_window=False)
def test_handle_profile_and_window_off(nexmo_sandbox):
    kept = nexmo_sandbox.handset(ADA, channels={"whatsapp": {"deliver_after": 1}})
    assert kept["channels"]["whatsapp"]["deliver_after"] == 1
    uuid = send(nexmo_sandbox, to=ADA, channel="whatsapp")
    nexmo_sandbox.advance(1)
    assert nexmo_sandbox.message(uuid).status == "delivered"
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    result.assert_outcomes(passed=3)
