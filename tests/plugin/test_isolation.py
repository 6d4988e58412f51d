"""The app under test cannot wedge the sandbox, and nothing it does to a webhook goes unseen:
each case runs a small test file in a fresh pytest process (pytester), as a user's suite would."""

from __future__ import annotations

import time

import pytest

pytest_plugins = ["pytester"]

# A short webhook limit, so a wedged handler costs the suite ~1.5 s, not 18.
CONFTEST = """
import pytest
from sandbox.settings import Settings

@pytest.fixture(scope="session")
def nexmo_sandbox_settings():
    return Settings(clock="manual", log_level="warning", webhook_timeout=1.0,
                    webhook_connect_timeout=0.5)
"""

APP = """
import asyncio, threading
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from vonage_jwt.verify_jwt import verify_signature
from vonage_messages import Sms

USER, APP_NUMBER = "447700900123", "447700900001"
state = {}

async def auto_reply(request: Request) -> Response:
    # The textbook auto-reply: an async handler calling the synchronous SDK.
    body = await request.json()
    reply = Sms(to=body["from"], from_=APP_NUMBER, text="auto: " + body["text"])
    state["vonage"].messages.send(reply)
    return Response(status_code=204)

async def blocks_the_loop(request: Request) -> Response:
    threading.Event().wait()  # a call that never returns, on the app's loop
    return Response(status_code=204)

async def awaits_forever(request: Request) -> Response:
    await asyncio.Event().wait()
    return Response(status_code=204)

def wsgi_hangs(environ, start_response):
    threading.Event().wait()

async def checks_signature(request: Request) -> Response:
    token = request.headers.get("authorization", "").removeprefix("Bearer ")
    if not verify_signature(token, state["secret"]):
        return Response("bad signature", status_code=401)
    return Response(status_code=204)

app = Starlette(routes=[
    Route("/inbound/auto", auto_reply, methods=["POST"]),
    Route("/inbound/blocks", blocks_the_loop, methods=["POST"]),
    Route("/inbound/awaits", awaits_forever, methods=["POST"]),
    Route("/webhooks/status", checks_signature, methods=["POST"]),
])

def send(sb, to=USER):
    return sb.vonage_client().messages.send(Sms(to=to, from_=APP_NUMBER, text="hi")).message_uuid
"""


def run(pytester: pytest.Pytester, tests: str) -> tuple[pytest.RunResult, float]:
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(test_app=APP + tests)
    started = time.monotonic()
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    return result, time.monotonic() - started


def test_async_handler_calling_the_sync_sdk_works_and_a_wedged_one_fails_clearly(
    pytester: pytest.Pytester,
) -> None:
    result, took = run(
        pytester,
        """
@pytest.mark.nexmo_sandbox(app=app, inbound_url="/inbound/auto", status_url="/webhooks/status")
def test_auto_reply(nexmo_sandbox):
    state["vonage"] = nexmo_sandbox.vonage_client()
    state["secret"] = nexmo_sandbox.signature_secret
    nexmo_sandbox.reply("sms", USER, APP_NUMBER, text="hello")
    assert nexmo_sandbox.inbox("sms", USER).wait_for("auto: hello").text == "auto: hello"

@pytest.mark.nexmo_sandbox(app=app, inbound_url="/inbound/blocks")
def test_blocking_call(nexmo_sandbox):
    nexmo_sandbox.reply("sms", USER, APP_NUMBER, text="hello")

def test_next_test_starts_clean(nexmo_sandbox):
    send(nexmo_sandbox)
    assert len(nexmo_sandbox.inbox("sms", USER)) == 1

@pytest.mark.nexmo_sandbox(app=app, inbound_url="/inbound/awaits")
def test_awaits_forever(nexmo_sandbox):
    nexmo_sandbox.reply("sms", USER, APP_NUMBER, text="hello")

@pytest.mark.nexmo_sandbox(app=wsgi_hangs, inbound_url="/anything")
def test_wsgi_hangs(nexmo_sandbox):
    nexmo_sandbox.reply("sms", USER, APP_NUMBER, text="hello")

@pytest.mark.nexmo_sandbox(app=app, inbound_url="/inbound/auto", status_url="/webhooks/status")
def test_and_the_app_still_works_afterwards(nexmo_sandbox):
    state["vonage"] = nexmo_sandbox.vonage_client()
    state["secret"] = nexmo_sandbox.signature_secret
    nexmo_sandbox.reply("sms", USER, APP_NUMBER, text="again")
    assert nexmo_sandbox.inbox("sms", USER).wait_for("auto: again")
""",
    )
    out = result.stdout.str()
    result.assert_outcomes(passed=3, failed=3)
    for name in ("test_auto_reply", "test_next_test_starts_clean", "test_and_the_app_still"):
        assert f"::{name}" not in out.split("short test summary info")[1]
    assert "POST http://app.test/inbound/blocks did not answer" in out
    assert "the app's event loop is blocked: a blocking call in an async handler" in out
    assert "POST http://app.test/inbound/awaits did not answer" in out
    assert "the app's event loop is free, so the handler is awaiting something" in out
    assert "POST http://app.test/anything did not answer" in out
    assert "the WSGI handler is still running" in out
    # Three wedges of a 1.5 s limit each, not three 18 s timeouts and a poisoned session.
    assert took < 30, took


def test_refused_webhooks_fail_the_test_with_the_ledger_entry(pytester: pytest.Pytester) -> None:
    result, _ = run(
        pytester,
        """
@pytest.mark.nexmo_sandbox(app=app, status_url="/webhooks/status")
def test_right_secret(nexmo_sandbox):
    state["secret"] = nexmo_sandbox.signature_secret
    uuid = send(nexmo_sandbox)
    nexmo_sandbox.mark(uuid, "delivered")

@pytest.mark.nexmo_sandbox(app=app, status_url="/webhooks/status")
def test_wrong_secret(nexmo_sandbox):
    state["secret"] = "not-the-sandbox-secret-at-all-0123456789abcdef"
    send(nexmo_sandbox)

@pytest.mark.nexmo_sandbox(app=app, status_url="/webhook/status")
def test_wrong_path(nexmo_sandbox):
    send(nexmo_sandbox)

@pytest.mark.nexmo_sandbox(app=app, inbound_url="/inbound/auto")
def test_no_status_url(nexmo_sandbox):
    send(nexmo_sandbox)

@pytest.mark.nexmo_sandbox(app=app, status_url="/webhooks/status", check_webhooks=False)
def test_refusal_on_purpose(nexmo_sandbox):
    state["secret"] = "not-the-sandbox-secret-at-all-0123456789abcdef"
    uuid = send(nexmo_sandbox)
    [d] = nexmo_sandbox.webhooks.all(message_uuid=uuid)
    assert d.status_code == 401 and d.state == "failed"
""",
    )
    out = result.stdout.str()
    result.assert_outcomes(passed=2, failed=3)
    wrong_secret = out.split("test_wrong_secret ___")[1].split("___ test_")[0]
    assert (
        "webhook status/submitted to http://app.test/webhooks/status: the app answered HTTP 401"
        in (wrong_secret)
    )
    assert "response body: 'bad signature'" in wrong_secret
    assert (
        "ledger: status/submitted msg=" in wrong_secret and "[failed, 1 attempt(s)" in wrong_secret
    )
    assert 'signature claims: {"iat": ' in wrong_secret and '"iss": "Vonage"' in wrong_secret
    assert "an app that verifies with another secret refuses every webhook" in wrong_secret
    assert "check_webhooks=False" in wrong_secret
    wrong_path = out.split("test_wrong_path ___")[1].split("___ test_")[0]
    assert "to http://app.test/webhook/status: the app answered HTTP 404" in wrong_path
    assert "404: no route at that path" in wrong_path
    assert "no status_url is set for the application, so it never got it" in out


def test_apps_keep_their_loop_across_tests_and_what_they_raise_fails_only_their_test(
    pytester: pytest.Pytester,
) -> None:
    result, _ = run(
        pytester,
        """
import sys

loops = set()

async def remembers_its_loop(request: Request) -> Response:
    # What an app object holds across tests (a client, a pool) lives on one loop.
    loops.add(id(asyncio.get_running_loop()))
    return Response(status_code=204 if len(loops) == 1 else 500)

async def raises_base_exception(request: Request) -> Response:
    raise KeyboardInterrupt("a BaseException inside a handler")

def wsgi_exits(environ, start_response):
    sys.exit(3)

app.router.add_route("/loop", remembers_its_loop, methods=["POST"])
app.router.add_route("/base", raises_base_exception, methods=["POST"])

@pytest.mark.parametrize("n", range(3))
@pytest.mark.nexmo_sandbox(app=app, inbound_url="/loop")
def test_same_loop(nexmo_sandbox, n):
    nexmo_sandbox.reply("sms", USER, APP_NUMBER, text="hello")

@pytest.mark.nexmo_sandbox(app=app, inbound_url="/base")
def test_base_exception(nexmo_sandbox):
    nexmo_sandbox.reply("sms", USER, APP_NUMBER, text="hello")

@pytest.mark.nexmo_sandbox(app=wsgi_exits, inbound_url="/x")
def test_system_exit(nexmo_sandbox):
    nexmo_sandbox.reply("sms", USER, APP_NUMBER, text="hello")

def test_still_fine(nexmo_sandbox):
    send(nexmo_sandbox)
    assert len(nexmo_sandbox.inbox("sms", USER)) == 1
""",
    )
    out = result.stdout.str()
    result.assert_outcomes(passed=4, failed=2)
    assert "RuntimeError: the app raised KeyboardInterrupt: a BaseException inside a handler" in out
    assert "RuntimeError: the app raised SystemExit: 3" in out


def test_an_app_unmounted_mid_request_is_a_failed_attempt(pytester: pytest.Pytester) -> None:
    """Replaced while it handles a webhook: an attempt that failed (and is retried), not a
    stall. A long webhook limit here, so that the replacement always comes first."""
    pytester.makeconftest(CONFTEST.replace("webhook_timeout=1.0", "webhook_timeout=60.0"))
    pytester.makepyfile(
        test_app=APP
        + """
entered = threading.Event()

async def slow(request: Request) -> Response:
    entered.set()
    await asyncio.Event().wait()
    return Response(status_code=204)

app.router.add_route("/slow", slow, methods=["POST"])

@pytest.mark.nexmo_sandbox(app=app, status_url="/slow", check_webhooks=False)
def test_unmounted_mid_request(nexmo_sandbox):
    send(nexmo_sandbox)  # its submitted webhook goes out to /slow
    assert entered.wait(30)
    nexmo_sandbox.mount(wsgi_hangs)  # replaced while the old app handles the webhook
    nexmo_sandbox.settle()
    [d] = nexmo_sandbox.webhooks.all(event="submitted")
    assert d.state == "retrying"
    assert "the app was unmounted before it answered" in d.attempts[0].error
    assert nexmo_sandbox.problems() == []  # no stall: nothing timed out
"""
    )
    pytester.runpytest_subprocess("-p", "no:randomly").assert_outcomes(passed=1)
