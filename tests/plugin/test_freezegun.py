"""freezegun in the user's tests, every way it is used: as a decorator, a context manager and a
session-wide autouse fixture, ticking or not; the SDK imported lazily; with the default (the
sandbox signs and checks tokens by the test's clock) and with ``follow_time`` (its virtual clock
follows too). Each case is a small test file run in a fresh pytest process."""

from __future__ import annotations

import pytest

from sandbox.server import running

pytest_plugins = ["pytester"]

# No `import vonage` at the top on purpose: the fixture's first import of the SDK happens
# inside the freeze (the lazy-import trap), and the plugin must have made it harmless.
APP = """
import pytest
from freezegun import freeze_time
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

USER, APP_NUMBER = "447700900123", "447700900001"
state = {}

async def status(request: Request) -> Response:
    from vonage_jwt.verify_jwt import verify_signature  # PyJWT: refuses an iat in its future

    token = request.headers.get("authorization", "").removeprefix("Bearer ")
    if not verify_signature(token, state["secret"]):
        return Response("bad signature", status_code=401)
    state.setdefault("seen", []).append((await request.json())["status"])
    return Response(status_code=204)

app = Starlette(routes=[Route("/webhooks/status", status, methods=["POST"])])

def send(sb, text="hi"):
    from vonage_messages import Sms

    state["secret"] = sb.signature_secret
    sdk = sb.vonage_client()  # JWT auth, stamped with the frozen time
    return sdk.messages.send(Sms(to=USER, from_=APP_NUMBER, text=text)).message_uuid
"""


def test_frozen_tests_work_by_default_and_follow_time_drives_the_clock(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_frozen=APP
        + """
@freeze_time("2024-03-01 12:00:00")
@pytest.mark.nexmo_sandbox(app=app, status_url="/webhooks/status")
def test_decorator_default(nexmo_sandbox):
    uuid = send(nexmo_sandbox)
    nexmo_sandbox.mark(uuid, "delivered")
    nexmo_sandbox.webhooks.assert_delivered("delivered", message_uuid=uuid)
    assert state["seen"][-2:] == ["submitted", "delivered"]
    assert not nexmo_sandbox.clock.now.startswith("2024")  # only the wall clock is frozen

@pytest.mark.nexmo_sandbox(app=app, status_url="/webhooks/status", follow_time=True, auto_deliver=5)
def test_context_manager_follow(nexmo_sandbox):
    with freeze_time("2024-03-01 12:00:00") as frozen:
        uuid = send(nexmo_sandbox)
        msg = nexmo_sandbox.message(uuid)
        assert nexmo_sandbox.clock.now.startswith("2024-03-01T12:00:00")
        assert msg.status == "submitted"
        frozen.tick(6)  # the handset's auto-delivery (5 virtual s) falls due
        assert nexmo_sandbox.message(uuid).status == "delivered"
        nexmo_sandbox.webhooks.assert_delivered("delivered", message_uuid=uuid)
        frozen.move_to("2024-03-01 13:00:00")
        assert nexmo_sandbox.clock.now.startswith("2024-03-01T13:00:00")

@freeze_time("2024-03-01 12:00:00", tick=True)
@pytest.mark.nexmo_sandbox(follow_time=True)
def test_ticking_follow(nexmo_sandbox):
    uuid = send(nexmo_sandbox)
    first = nexmo_sandbox.clock.now
    assert first.startswith("2024-03-01T12:00")
    assert nexmo_sandbox.message(uuid).raw["timestamp"].startswith("2024-03-01T12:00")
    assert nexmo_sandbox.clock.now >= first

@pytest.mark.nexmo_sandbox(follow_time=True)
def test_follow_and_advance_together(nexmo_sandbox):
    with freeze_time("2024-03-01 12:00:00") as frozen:
        send(nexmo_sandbox)
        nexmo_sandbox.advance(30)  # the sandbox's clock ahead of the frozen one: not "back"
        frozen.tick(10)
        assert nexmo_sandbox.clock.now.startswith("2024-03-01T12:00:30")
        frozen.tick(40)  # now past it: the clock follows again
        assert nexmo_sandbox.clock.now.startswith("2024-03-01T12:00:50")

@pytest.mark.nexmo_sandbox(follow_time=True)
def test_back_in_time_after_use_fails(nexmo_sandbox):
    with freeze_time("2024-03-01 12:00:00") as frozen:
        send(nexmo_sandbox)
        frozen.move_to("2024-01-01 00:00:00")
        nexmo_sandbox.messages()

def test_after_freezing_the_next_test_is_on_real_time(nexmo_sandbox):
    send(nexmo_sandbox)
    assert not nexmo_sandbox.clock.now.startswith("2024")
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:randomly")
    out = result.stdout.str()
    result.assert_outcomes(passed=5, failed=1)
    assert "test_back_in_time_after_use_fails" in out.split("short test summary")[1]
    assert "the test's clock went back from 2024-03-01T12:00:00.000Z to 2024-01-01" in out
    assert "Freeze the time before the first send" in out


def test_session_wide_freeze(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
import pytest
from freezegun import freeze_time

@pytest.fixture(scope="session", autouse=True)
def frozen():
    with freeze_time("2024-03-01 12:00:00") as f:
        yield f

@pytest.fixture
def nexmo_sandbox_config():
    return {"follow_time": True, "auto_deliver": 5}
"""
    )
    pytester.makepyfile(
        test_session=APP
        + """
@pytest.mark.parametrize("n", range(2))
def test_each(nexmo_sandbox, frozen, n):
    uuid = send(nexmo_sandbox)
    assert nexmo_sandbox.clock.now.startswith("2024-03-01")
    frozen.tick(10)
    assert nexmo_sandbox.message(uuid).status == "delivered"
"""
    )
    pytester.runpytest_subprocess("-p", "no:randomly").assert_outcomes(passed=2)


def test_remote_sandbox_and_a_frozen_app_the_failure_says_why(pytester: pytest.Pytester) -> None:
    """A sandbox in another process signs on real time; an app in the frozen test process
    refuses the `iat` from its future, and the failure says so and what to do."""
    pytester.makeconftest(
        """
import pytest
from freezegun import freeze_time

@pytest.fixture(scope="session", autouse=True)
def frozen():
    with freeze_time("2024-03-01 12:00:00"):
        yield
"""
    )
    pytester.makepyfile(
        test_remote=APP
        + """
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Verifying(BaseHTTPRequestHandler):
    def do_POST(self):
        import jwt
        self.rfile.read(int(self.headers["Content-Length"]))
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        try:
            jwt.decode(token, state["secret"], algorithms=["HS256"])
            self.send_response(204)
        except jwt.PyJWTError as exc:
            self.send_response(401)
        self.end_headers()

    def log_message(self, *args):
        pass

def test_refused(nexmo_sandbox):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Verifying)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    nexmo_sandbox.configure(inbound_url=f"http://127.0.0.1:{server.server_port}/inbound")
    state["secret"] = nexmo_sandbox.signature_secret
    nexmo_sandbox.reply("sms", USER, APP_NUMBER, text="hi")
"""
    )
    with running() as server:
        result = pytester.runpytest_subprocess(f"--nexmo-sandbox-url={server.url}")
    out = result.stdout.str()
    result.assert_outcomes(failed=1)
    assert "the app answered HTTP 401" in out
    assert "in the future of this test's clock (2024-03-01 12:00:00 UTC)" in out
    assert "freezegun fakes this test's clock, and the sandbox that signed it runs elsewhere" in out


def test_time_machine_the_same_way(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_tm=APP.replace("from freezegun import freeze_time\n", "import time_machine\n")
        + """
@time_machine.travel("2024-03-01 12:00:00+00:00", tick=False)
@pytest.mark.nexmo_sandbox(app=app, status_url="/webhooks/status")
def test_default(nexmo_sandbox):
    uuid = send(nexmo_sandbox)  # a JWT from 2024, accepted; webhooks signed in 2024
    nexmo_sandbox.mark(uuid, "delivered")
    assert state["seen"][-2:] == ["submitted", "delivered"]
    assert not nexmo_sandbox.clock.now.startswith("2024")

@pytest.mark.nexmo_sandbox(app=app, status_url="/webhooks/status", follow_time=True, auto_deliver=5)
def test_follow(nexmo_sandbox):
    with time_machine.travel("2024-03-01 12:00:00+00:00", tick=False) as traveller:
        uuid = send(nexmo_sandbox)
        assert nexmo_sandbox.clock.now.startswith("2024-03-01T12:00:00")
        traveller.shift(6)
        assert nexmo_sandbox.message(uuid).status == "delivered"
        nexmo_sandbox.webhooks.assert_delivered("delivered", message_uuid=uuid)
"""
    )
    pytester.runpytest_subprocess("-p", "no:randomly").assert_outcomes(passed=2)
