"""What one typical test costs with the `nexmo_sandbox` fixture, against the same test with a mock
(issue 15, item 5: "as cheap as a mock").

    .venv/bin/python bench/per_test.py [--rounds 200] [--tests 300]

The typical test: build the official `vonage` 4.x client (`nexmo_sandbox.vonage_client()`, JWT
auth), send one SMS, read the handset's inbox twice (`inbox("sms", N).last`, then `len(...)`),
mark the message ("delivered": SMS has no read receipts, the sandbox answers 409 to "read"),
advance the virtual clock 60 s. Around it, what the plugin does for every test:
`SandboxHandle.begin()` before, `problems()` and `finish()` after.

1. In-process, `--rounds` times: the sandbox through the real fixture machinery
   (`SandboxServer.start()` once, a `SandboxHandle` per test), each step timed; the same
   with the SDK left to parse its PEM key for every JWT (as before `sdk_clients` handed it
   a parsed key), fewer rounds; and the same calls against a mock, in a fresh interpreter
   that imports only what a mocked test suite would (the SDK, `responses`, `freezegun`):
   `responses` answers the SDK's `requests` call (respx cannot: it patches httpx, and
   nothing in this test goes through httpx), the inbox is `responses.calls`, "mark" is the
   status webhook body a mocked test would build, and the clock is `freezegun`'s `tick(60)`
   inside `freeze_time`, started and stopped per test like `@freeze_time`. The mock builds
   its client with the same `sdk_clients.vonage_client`, so both sides do the same SDK work;
   a mock with an SDK client as an app builds it (PEM parsed per JWT) is measured too.
2. Where the sandbox's time goes: the same server with its app wrapped to stamp requests,
   so each step's round trips and their time inside the app are known (the rest is the
   clients, loopback and uvicorn); and one control call over `http.client` against the
   fixture's httpx `SandboxClient`.
3. pytest, `--tests` generated copies of the typical test using the `nexmo_sandbox` fixture,
   run serially and with `-n 2` (pytest-xdist): wall time of the whole run, interpreter,
   session start and worker start included; plus pytest with one test that uses nothing
   (pytest's own start), with one typical test (the fixed cost of the sandbox session), and
   the mocked copies serially.

Prints one JSON line (milliseconds unless the name says otherwise).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

N_TO, N_FROM = "447700900000", "447700900001"
MOCK_UUID = "aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab"
# freezegun replaces every module attribute that is the real time.perf_counter while time is
# frozen; one kept in a tuple is out of its reach.
_CLOCK = (time.perf_counter,)


def now() -> float:
    return _CLOCK[0]()


def ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 3)


def timed(
    steps: list[tuple[str, Callable[[], Any]]],
    out: dict[str, list[float]],
    seen: list[list[Any]] | None = None,
    calls: dict[str, list[list[Any]]] | None = None,
) -> None:
    """Run the steps in order, adding each one's time (and the total) to ``out``; with
    ``seen`` (the server's requests, appended as they arrive) also each step's requests to
    ``calls``."""
    total = 0.0
    for name, step in steps:
        first = len(seen) if seen is not None else 0
        t0 = now()
        step()
        took = now() - t0
        out.setdefault(name, []).append(took)
        if seen is not None and calls is not None:
            calls.setdefault(name, []).append(seen[first:])
        total += took
    out.setdefault("total", []).append(total)


# -- 1. in-process ----------------------------------------------------------------------------
def sandbox_test(
    server: Any,
    out: dict[str, list[float]],
    seen: list[list[Any]] | None = None,
    calls: dict[str, list[list[Any]]] | None = None,
) -> None:
    """The typical test, each step timed: the plugin's part (begin, problems, finish) and the
    test's. SMS has no read receipts (the sandbox answers 409 to "read"), so the handset
    reports "delivered": the same round trip."""
    from vonage_messages import Sms

    from sandbox.testing.fixture import Options, SandboxHandle

    handle = SandboxHandle(server, Options())
    box = handle.inbox("sms", N_TO)
    state: dict[str, Any] = {}

    def build() -> None:
        state["client"] = handle.vonage_client()

    def send() -> None:
        sms = Sms(to=N_TO, from_=N_FROM, text="Your code is 123456")
        state["uuid"] = state["client"].messages.send(sms).message_uuid

    def last() -> None:
        assert box.last.message_uuid == state["uuid"]

    def count() -> None:
        assert len(box) == 1

    def problems() -> None:
        assert handle.problems() == []

    timed(
        [
            ("begin", handle.begin),
            ("client", build),
            ("send", send),
            ("inbox_last", last),
            ("inbox_len", count),
            ("mark", lambda: handle.mark(state["uuid"], "delivered")),
            ("advance", lambda: handle.advance(60)),
            ("problems", problems),
            ("finish", handle.finish),
        ],
        out,
        seen,
        calls,
    )


def sandbox_rounds(rounds: int, warmup: int) -> dict[str, Any]:
    """The fixture's own server (``SandboxServer.start()``); the typical test ``rounds`` times,
    then again with the SDK parsing its PEM for every JWT (fewer rounds)."""
    from sandbox import sdk_clients
    from sandbox.testing.fixture import SandboxServer

    t0 = now()
    server = SandboxServer.start()
    server.client.health()
    started = now() - t0
    try:
        after: dict[str, list[float]] = {}
        for i in range(warmup + rounds):
            sandbox_test(server, after if i >= warmup else {})
        # As before: the SDK keeps the PEM text and PyJWT parses it for every JWT.
        reuse = sdk_clients._reuse_parsed_key
        sdk_clients._reuse_parsed_key = lambda jwt_client: None
        before: dict[str, list[float]] = {}
        try:
            for i in range(2 + max(10, rounds // 5)):
                sandbox_test(server, before if i >= 2 else {})
        finally:
            sdk_clients._reuse_parsed_key = reuse
    finally:
        server.stop()
    return {"start": started, "after": after, "before": before}


class _Stamped:
    """ASGI wrapper: each HTTP request's method and route, and its time in the app (filled in
    when it ends; the entry is appended first, so the client never outruns it)."""

    def __init__(self, app: Any, seen: list[list[Any]]) -> None:
        self.app, self.seen, self.state = app, seen, app.state

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path.startswith("/_sandbox/messages/") and path.endswith("/status"):
            path = "/_sandbox/messages/{uuid}/status"
        entry: list[Any] = [f"{scope['method']} {path}", None]
        self.seen.append(entry)
        t0 = now()
        await self.app(scope, receive, send)
        entry[1] = now() - t0


def profile_rounds(rounds: int, warmup: int) -> dict[str, Any]:
    """Where a typical test's time goes: the same server as ``SandboxServer.start()`` builds,
    its app wrapped to stamp each request, so every step's round trips and their time inside
    the app are known; what is left of a step is the two clients (the SDK's ``requests``, the
    fixture's httpx), loopback and uvicorn. Also one control call over ``http.client``, the
    least a client can do, against the fixture's ``SandboxClient``."""
    import http.client

    from sandbox.app import create_app
    from sandbox.server import BackgroundServer
    from sandbox.settings import Settings
    from sandbox.testing.app_transport import RoutingTransport
    from sandbox.testing.fixture import SandboxServer

    seen: list[list[Any]] = []
    routing = RoutingTransport()
    app = create_app(Settings(clock="manual", log_level="warning"), transport=routing)
    background = BackgroundServer(app)
    background.server.config.ws = "none"
    background.server.config.app = _Stamped(app, seen)
    background.start()
    server = SandboxServer(background.url, background=background, routing=routing)
    out: dict[str, list[float]] = {}
    calls: dict[str, list[list[Any]]] = {}
    floor: dict[str, list[float]] = {"http.client": [], "SandboxClient": []}
    try:
        for i in range(warmup + rounds):
            sandbox_test(server, out if i >= warmup else {}, seen, calls if i >= warmup else {})
        raw = http.client.HTTPConnection(background.url.split("://", 1)[1])
        query = "/_sandbox/messages?limit=1&channel=sms&to=447700900000&direction=outbound"

        def plain() -> None:
            raw.request("GET", query)
            raw.getresponse().read()

        def fixture() -> None:
            server.client.count(channel="sms", to=N_TO, direction="outbound")

        for i in range(2 * (warmup + rounds)):
            name, call = ("http.client", plain) if i % 2 else ("SandboxClient", fixture)
            t0 = now()
            call()
            if i >= 2 * warmup:
                floor[name].append(now() - t0)
        raw.close()
    finally:
        server.stop()
    report: dict[str, Any] = {}
    for name, per_test in calls.items():
        report[name] = {
            "ms": ms(out[name]),
            "round_trips": round(statistics.median(len(c) for c in per_test), 1),
            "in_app_ms": ms([sum(t for _, t in c) for c in per_test]),
            "routes": sorted({route for c in per_test for route, _ in c}),
        }
    routes: dict[str, list[float]] = {}
    for route, took in seen:
        routes.setdefault(route, []).append(took)
    return {
        "steps": report,
        "total_ms": ms(out["total"]),
        "in_app_ms_by_route": {route: ms(t) for route, t in sorted(routes.items())},
        "count_call_ms": {name: ms(t) for name, t in floor.items()},
    }


def jwt_costs(rounds: int) -> dict[str, float]:
    """One JWT from the SDK's generator (``Auth.create_jwt_auth_string``): with the PEM text
    (parsed by PyJWT every time) and with the key object sdk_clients hands it."""
    from sandbox.sdk_clients import vonage_client
    from sandbox.testing.session import SESSION_APPLICATION_ID, private_key_pem

    pem = private_key_pem()
    from vonage import Auth

    plain = Auth(application_id=SESSION_APPLICATION_ID, private_key=pem)
    reused = vonage_client(
        "http://127.0.0.1:9", application_id=SESSION_APPLICATION_ID, private_key=pem
    ).http_client.auth
    out: dict[str, float] = {}
    for name, auth, n in (("jwt_pem", plain, max(10, rounds // 10)), ("jwt_key", reused, rounds)):
        times = []
        for _ in range(n):
            t0 = now()
            auth.create_jwt_auth_string()
            times.append(now() - t0)
        out[name] = ms(times)
    return out


def mock_test(client_factory: Callable[[], Any], out: dict[str, list[float]]) -> None:
    """The same test against a mock; timed like ``sandbox_test`` (start/stop are what
    ``@responses.activate`` and ``@freeze_time`` do around a test)."""
    import freezegun
    import responses
    from vonage_messages import Sms

    state: dict[str, Any] = {}

    def start() -> None:
        state["mock"] = mock = responses.RequestsMock()
        mock.start()
        mock.post("https://api.nexmo.com/v1/messages", status=202, json={"message_uuid": MOCK_UUID})
        state["freezer"] = freezer = freezegun.freeze_time("2026-01-01 12:00:00")
        state["frozen"] = freezer.start()

    def build() -> None:
        state["client"] = client_factory()

    def send() -> None:
        sms = Sms(to=N_TO, from_=N_FROM, text="Your code is 123456")
        state["uuid"] = state["client"].messages.send(sms).message_uuid

    def last() -> None:
        body = json.loads(state["mock"].calls[-1].request.body)
        assert body["to"] == N_TO

    def count() -> None:
        assert len(state["mock"].calls) == 1

    def mark() -> None:  # what a mocked test hands its status handler, if it has one
        state["status"] = {"message_uuid": state["uuid"], "to": N_TO, "status": "delivered"}

    def stop() -> None:
        state["freezer"].stop()
        state["mock"].stop()
        state["mock"].reset()

    timed(
        [
            ("begin", start),
            ("client", build),
            ("send", send),
            ("inbox_last", last),
            ("inbox_len", count),
            ("mark", mark),
            ("advance", lambda: state["frozen"].tick(60)),
            ("finish", stop),
        ],
        out,
    )


def mock_worker(rounds: int, warmup: int) -> None:
    """``--mock-worker``: the mock rounds, in this (fresh) interpreter; one JSON document."""
    import freezegun  # noqa: F401  (imported before the clock is frozen, as a test module does)
    import responses  # noqa: F401
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from vonage import Auth, Vonage

    from sandbox.sdk_clients import vonage_client

    pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    app_id = "5a4d1b6e-0b5c-4c3a-9f3e-5a9d6f1c2b7e"

    def same_client() -> Any:
        return vonage_client("https://api.nexmo.com", application_id=app_id, private_key=pem)

    def plain_client() -> Any:
        return Vonage(Auth(application_id=app_id, private_key=pem))

    result: dict[str, Any] = {"modules": len(sys.modules)}
    for name, factory, n in (
        ("mock", same_client, rounds),
        ("mock_plain_sdk", plain_client, max(10, rounds // 5)),
    ):
        out: dict[str, list[float]] = {}
        for i in range(warmup + n):
            mock_test(factory, out if i >= warmup else {})
        result[name] = out
    print(json.dumps(result))


# -- 2. pytest --------------------------------------------------------------------------------
SANDBOX_TESTS = """
from vonage_messages import Sms

def typical(nexmo_sandbox):
    client = nexmo_sandbox.vonage_client()
    sent = client.messages.send(Sms(to="{to}", from_="{frm}", text="Your code is 123456"))
    box = nexmo_sandbox.inbox("sms", "{to}")
    assert box.last.message_uuid == sent.message_uuid
    assert len(box) == 1
    nexmo_sandbox.mark(sent.message_uuid, "delivered")
    nexmo_sandbox.advance(60)
"""

SANDBOX_TEST = """
def test_typical_{n:03d}(nexmo_sandbox):
    typical(nexmo_sandbox)
"""

MOCK_TESTS = """
import json

import responses
import vonage  # noqa: F401  (sdk_clients imports it lazily: before the clock is frozen)
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from freezegun import freeze_time
from vonage_messages import Sms

from sandbox.sdk_clients import vonage_client

PEM = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
).decode()

def typical(frozen):
    responses.post("https://api.nexmo.com/v1/messages", status=202,
                   json={{"message_uuid": "{uuid}"}})
    client = vonage_client("https://api.nexmo.com",
                           application_id="5a4d1b6e-0b5c-4c3a-9f3e-5a9d6f1c2b7e", private_key=PEM)
    sent = client.messages.send(Sms(to="{to}", from_="{frm}", text="Your code is 123456"))
    assert json.loads(responses.calls[-1].request.body)["to"] == "{to}"
    assert len(responses.calls) == 1
    status = {{"message_uuid": sent.message_uuid, "to": "{to}", "status": "delivered"}}
    frozen.tick(60)
"""

MOCK_TEST = """
@responses.activate
def test_typical_{n:03d}():
    with freeze_time("2026-01-01 12:00:00") as frozen:
        typical(frozen)
"""


def write_tests(folder: Path, name: str, head: str, each: str, n: int) -> Path:
    path = folder / f"test_{name}.py"
    fields = {"to": N_TO, "frm": N_FROM, "uuid": MOCK_UUID}
    path.write_text(head.format(**fields) + "".join(each.format(n=i) for i in range(n)))
    return path


def pytest_wall(folder: Path, path: Path, *extra: str) -> dict[str, Any]:
    """Seconds from starting ``python -m pytest`` to its exit, and what pytest said."""
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir"]
    argv += [str(folder), "-c", str(folder / "pytest.ini"), *extra, str(path)]
    t0 = now()
    proc = subprocess.run(argv, cwd=folder, capture_output=True, text=True, check=False)
    wall = now() - t0
    last = proc.stdout.strip().splitlines()[-1:] or [""]
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr}")
    return {"wall_s": round(wall, 3), "pytest_says": last[0]}


def pytest_runs(tests: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="per-test-") as tmp:
        folder = Path(tmp)
        (folder / "pytest.ini").write_text("[pytest]\n")
        many = write_tests(folder, "many", SANDBOX_TESTS, SANDBOX_TEST, tests)
        one = write_tests(folder, "one", SANDBOX_TESTS, SANDBOX_TEST, 1)
        mocked = write_tests(folder, "mocked", MOCK_TESTS, MOCK_TEST, tests)
        empty = folder / "test_empty.py"
        empty.write_text("def test_nothing():\n    pass\n")
        return {
            "empty": pytest_wall(folder, empty),
            "one": pytest_wall(folder, one),
            "serial": pytest_wall(folder, many),
            "n2": pytest_wall(folder, many, "-n", "2"),
            "mock_serial": pytest_wall(folder, mocked),
        }


# -- report -----------------------------------------------------------------------------------
def steps(out: dict[str, list[float]]) -> dict[str, float]:
    return {name: ms(values) for name, values in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--tests", type=int, default=300, help="generated tests for pytest")
    parser.add_argument("--mock-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mock_worker:
        mock_worker(args.rounds, args.warmup)
        return

    sb = sandbox_rounds(args.rounds, args.warmup)
    profile = profile_rounds(max(20, args.rounds // 2), args.warmup)
    proc = subprocess.run(
        [
            sys.executable,
            __file__,
            "--mock-worker",
            "--rounds",
            str(args.rounds),
            "--warmup",
            str(args.warmup),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    mock = json.loads(proc.stdout.strip().splitlines()[-1])
    jwt = jwt_costs(args.rounds)
    runs = pytest_runs(args.tests)

    after, before = steps(sb["after"]), steps(sb["before"])
    mocked, plain = steps(mock["mock"]), steps(mock["mock_plain_sdk"])
    resets = [a + b for a, b in zip(sb["after"]["begin"], sb["after"]["finish"], strict=True)]
    # The mock's total less what freezegun's start, tick and stop took (begin and finish also
    # hold responses' start and stop: a fraction of a millisecond).
    clock = zip(*(mock["mock"][k] for k in ("total", "begin", "advance", "finish")), strict=True)
    mock_without_clock = ms([t - b - a - f for t, b, a, f in clock])
    serial, n2 = runs["serial"]["wall_s"], runs["n2"]["wall_s"]
    print(
        json.dumps(
            {
                "bench": "per_test",
                "sandbox_ms": after["total"],
                "mock_ms": mocked["total"],
                "ratio": round(after["total"] / mocked["total"], 2),
                "mock_without_freezegun_ms": mock_without_clock,
                "ratio_without_freezegun": round(after["total"] / mock_without_clock, 2),
                "sandbox_key_per_jwt_ms": before["total"],
                "mock_plain_sdk_ms": plain["total"],
                "reset_ms": ms(resets),
                "session_start_ms": round(sb["start"] * 1000, 1),
                **jwt,
                "pytest_tests": args.tests,
                "pytest_empty_s": runs["empty"]["wall_s"],
                "pytest_one_test_s": runs["one"]["wall_s"],
                "pytest_serial_s": serial,
                "pytest_n2_s": n2,
                "n2_speedup": round(serial / n2, 2),
                "pytest_mock_serial_s": runs["mock_serial"]["wall_s"],
                "steps_sandbox": after,
                "steps_sandbox_key_per_jwt": before,
                "steps_mock": mocked,
                "steps_mock_plain_sdk": plain,
                "profile": profile,
                "mock_process_modules": mock["modules"],
                "pytest": runs,
                "rounds": args.rounds,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    main()
