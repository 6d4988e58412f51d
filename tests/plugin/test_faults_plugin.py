"""Faults on purpose from a user's test suite (pytester: a fresh pytest process, the plugin from
its entry point): `assert_webhook_contract` against a mounted app that checks nothing (the run
fails, the verdicts in its output) and one that verifies (passes); chaos rules from the marker
and the handle, on the in-process server and on a shared one, where they stay the test's own."""

from __future__ import annotations

# Imported here, not first inside a test: pytester drops the modules a test imported when it
# ends, and the sandbox of the shared-server test below would otherwise import httpcore (httpx
# loads it on the first request) and jwt, whose re-imported exception classes later tests in
# this process would then fail to catch.
import httpcore  # noqa: F401
import jwt  # noqa: F401
import pytest

from sandbox.server import running

pytest_plugins = ["pytester"]

APP = """
import hashlib, time
import httpx, jwt, pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

state = {"seen": set()}

async def trusting(request: Request) -> Response:
    await request.body()
    return Response(status_code=204)  # the handler every tutorial starts with

def judge(raw: bytes, authorization: str) -> int:
    token = authorization.removeprefix("Bearer ")
    try:
        claims = jwt.decode(token, state["secret"], algorithms=["HS256"])
    except jwt.PyJWTError:
        return 401
    if claims.get("payload_hash") != hashlib.sha256(raw).hexdigest():
        return 401  # the body changed on the way
    if time.time() - claims["iat"] > 300 or claims["jti"] in state["seen"]:
        return 401  # stale or replayed
    state["seen"].add(claims["jti"])
    return 204

async def careful(request: Request) -> Response:
    raw = await request.body()
    return Response(status_code=judge(raw, request.headers.get("authorization", "")))

app = Starlette(routes=[
    Route("/open/{kind}", trusting, methods=["POST"]),
    Route("/strict/{kind}", careful, methods=["POST"]),
])

def send(sb):
    body = {"channel": "sms", "message_type": "text", "to": "447700900000",
            "from": "447700900001", "text": "hi"}
    return httpx.post(sb.url + "/v1/messages", json=body, auth=("abcd1234", "s3cr3tS3cr3t"))
"""


def test_assert_webhook_contract_fails_a_trusting_app_and_passes_a_careful_one(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_contract=APP
        + """
@pytest.mark.nexmo_sandbox(app=app, status_url="/open/status")
def test_trusting(nexmo_sandbox):
    nexmo_sandbox.assert_webhook_contract()

@pytest.mark.nexmo_sandbox(app=app, status_url="/strict/status", inbound_url="/strict/inbound")
def test_careful(nexmo_sandbox):
    state["secret"] = nexmo_sandbox.signature_secret
    report = nexmo_sandbox.assert_webhook_contract()
    assert [(e["kind"], e["url"]) for e in report["endpoints"]] == [
        ("status", "http://app.test/strict/status"),
        ("inbound", "http://app.test/strict/inbound"),
    ]
    assert nexmo_sandbox.assert_webhook_contract("/strict/status", kind="status")["passed"]

@pytest.mark.nexmo_sandbox(app=app)
def test_a_path_is_on_the_mounted_app_and_allow_tolerates(nexmo_sandbox):
    bad = ["wrong_signature", "missing_authorization", "payload_hash_mismatch",
           "expired_iat", "replayed_jti", "alg_none"]
    report = nexmo_sandbox.assert_webhook_contract("/open/status", allow=bad)
    assert report["endpoints"][0]["url"] == "http://app.test/open/status"
    assert nexmo_sandbox.client.last_webhook_contract() == report
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    out = result.stdout.str()
    assert "nexmo-sandbox: the webhook contract test failed: status webhooks to " in out
    result.stdout.fnmatch_lines(
        [
            "*status webhooks to http://app.test/open/status, wrong_signature: your endpoint "
            "accepted a forged webhook, signed with another secret (it answered 204): it does "
            "not check the signature*",
            "*alg_none: your endpoint accepted an unsigned token (alg: none)*",
        ]
    )
    assert "test_trusting" in out and "FAILED test_contract.py::test_trusting" in out


def test_chaos_marker_seed_and_handle_on_the_in_process_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_chaos=APP
        + """
@pytest.mark.nexmo_sandbox(chaos=[{"effect": "throttle", "times": 1, "retry_after": 3}],
                           chaos_seed=7)
def test_marker_rules(nexmo_sandbox):
    listing = nexmo_sandbox.chaos_rules()
    assert listing["seed"] == 7
    (rule,) = listing["rules"]
    assert (rule["effect"], rule["seed"], rule["scope"]) == ("throttle", 7, {})
    first = send(nexmo_sandbox)
    assert (first.status_code, first.headers["retry-after"]) == (429, "3")
    assert send(nexmo_sandbox).status_code == 202
    extra = nexmo_sandbox.chaos("server_error", status=503, times=1)
    assert extra["id"].startswith("chaos_") and extra["seed"] == 7
    assert send(nexmo_sandbox).status_code == 503
    assert send(nexmo_sandbox).status_code == 202
    assert [r["hits"] for r in nexmo_sandbox.chaos_rules()["rules"]] == [1, 1]

def test_the_next_test_starts_without_them(nexmo_sandbox):
    listing = nexmo_sandbox.chaos_rules()
    assert (listing["rules"], listing["seed"]) == ([], 0)
    assert send(nexmo_sandbox).status_code == 202
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_on_a_shared_server_contract_and_chaos_are_the_tests_own(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_shared=APP
        + """
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Careful(BaseHTTPRequestHandler):
    # The same careful handler, over a real port: a shared sandbox reaches only URLs.
    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(judge(raw, self.headers.get("authorization", "")))
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass

@pytest.mark.nexmo_sandbox(chaos=[{"effect": "throttle", "times": 1}], chaos_seed=5)
def test_shared(nexmo_sandbox):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Careful)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state["secret"] = nexmo_sandbox.signature_secret
    nexmo_sandbox.configure(status_url=f"http://127.0.0.1:{server.server_port}/status")
    report = nexmo_sandbox.assert_webhook_contract()
    assert report["endpoints"][0]["url"].endswith("/status")
    mine = {"application_id": nexmo_sandbox.application_id}
    got = nexmo_sandbox.client.last_webhook_contract(nexmo_sandbox.application_id)
    assert got == report
    (marker_rule,) = nexmo_sandbox.chaos_rules()["rules"]
    assert (marker_rule["scope"], marker_rule["seed"]) == (mine, 5)
    rule = nexmo_sandbox.chaos("drop", kinds=["status"])
    assert rule["scope"] == mine
    server.shutdown()
"""
    )
    with running() as server:
        result = pytester.runpytest_subprocess(
            "-p", "no:cacheprovider", f"--nexmo-sandbox-url={server.url}"
        )
        result.assert_outcomes(passed=1)
        runtime = server.app.state.runtime
        # The test's reset at its end took its rules with it: nothing is left on the server.
        assert list(runtime.chaos) == []
